import MeshCore

/// JSON text for values and rows, written by hand so decimals keep their exact digits
/// (`JSONEncoder` would go through `Double`).
public enum JSONText {
    /// A JSON string literal (`JSONString`, the one escaper every JSON writer uses).
    public static func string(_ s: String) -> String {
        JSONString.quoted(s)
    }

    /// One value: numbers as JSON numbers (decimals in their exact decimal text), booleans as
    /// `true`/`false`, NULL as `null`, everything else — dates, timestamps, bytes — as the
    /// string PostgreSQL would print. NaN and infinities, which JSON cannot hold, are strings.
    public static func value(_ v: Value) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d.isFinite ? Value.formatDouble(d) : string(Value.formatDouble(d))
        case .decimal(let d, let scale): Decimal128.format(d, scale: scale)
        default: string(v.description)
        }
    }

    /// What goes before each field of a row as a JSON object: `{"a":`, `,"b":`, … (a key
    /// beyond `keys` is `columnN`).
    public static func objectPrefixes(keys: [String], columns: Int) -> [[UInt8]] {
        (0..<columns).map { j in
            Array(((j == 0 ? "{" : ",") + (j < keys.count ? keys[j] : string("column\(j + 1)")) + ":").utf8)
        }
    }

    /// What goes before each field of a row as a JSON array: `[`, then `,`.
    public static func arrayPrefixes(columns: Int) -> [[UInt8]] {
        (0..<columns).map { $0 == 0 ? [UInt8(ascii: "[")] : [UInt8(ascii: ",")] }
    }

    /// The encoded keys, computed once per result.
    static func keys(_ fields: [Field]) -> [String] {
        fields.map { string($0.name) }
    }
}
