import Foundation

/// PostgreSQL arrays in their text form (`{a,b,"c d",NULL}`): how the emulated catalog holds
/// its few array columns and what `ARRAY[…]`, `a[i]`, `= ANY (a)` and `array_to_string` read.
/// meshql has no array type; one-dimensional arrays of scalars are all the catalog needs.
public enum PostgresArrayText {
    /// The elements of `text` (nil for a NULL element), or nil when it is not an array.
    public static func elements(_ text: String) -> [String?]? {
        let chars = Array(text.unicodeScalars)
        guard chars.first == "{", chars.last == "}" else { return nil }
        var out: [String?] = []
        var i = 1
        let end = chars.count - 1
        if i == end { return [] }
        while i <= end {
            var item = String.UnicodeScalarView()
            var quoted = false
            if chars[i] == "\"" {
                quoted = true
                i += 1
                while i < end, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < end { i += 1 }
                    item.append(chars[i])
                    i += 1
                }
                i += 1
            } else {
                while i < end, chars[i] != "," {
                    item.append(chars[i])
                    i += 1
                }
            }
            let s = String(item)
            out.append(!quoted && s.uppercased() == "NULL" ? nil : s)
            guard i == end || chars[i] == "," else { return nil }
            i += 1
        }
        return out
    }

    /// The text form of `items`: quoted where PostgreSQL would quote them.
    public static func format(_ items: [String?]) -> String {
        "{" + items.map { item -> String in
            guard let item else { return "NULL" }
            let plain = !item.isEmpty && item.uppercased() != "NULL"
                && !item.contains(where: { "{},\"\\ \t\n".contains($0) })
            if plain { return item }
            return "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}

extension Value {
    /// A text value, or NULL for nil.
    public static func text(_ s: String?) -> Value { s.map { .string($0) } ?? .null }
}
