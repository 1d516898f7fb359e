import MeshCore

/// Renders result values the way the golden files spell them (see generate_expected.py):
/// NULL, (empty) for '', and PostgreSQL's text form otherwise (`Value.description`: decimals
/// keep their scale, dates YYYY-MM-DD, booleans t/f).
enum SLTFormat {
    static func cell(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .string(let s) where s.isEmpty: return "(empty)"
        default: return v.description
        }
    }

    static func row(_ values: [Value]) -> String {
        values.map(cell).joined(separator: "\t")
    }

    /// The type letter of a result column: I integer types, R numeric / double, T the rest.
    static func letter(_ t: DataType) -> Character {
        if t.isInteger { return "I" }
        if t.isNumeric { return "R" }
        return "T"
    }

    /// Python's `sorted()` order for str: lexicographic by Unicode code point (Swift's
    /// `String <` compares canonically equivalent forms, which can differ).
    static func codePointLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }
}
