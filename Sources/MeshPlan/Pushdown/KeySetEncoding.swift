import MeshCore

/// How key sets for dynamic filters are written as one text parameter.
public enum KeySetEncoding {
    /// `[1,2,3]` or `["a","b"]`; nil for other value kinds.
    public static func jsonArray(_ keys: [Value]) -> String? {
        var out = "["
        for (i, k) in keys.enumerated() {
            if i > 0 { out += "," }
            switch k {
            case .int(let v): out += String(v)
            case .string(let s): out += quoted(s, jsonEscapes: true)
            default: return nil
            }
        }
        return out + "]"
    }

    /// A PostgreSQL array literal: `{1,2,3}` or `{"a","b"}`.
    public static func postgresArray(_ keys: [Value]) -> String? {
        var out = "{"
        for (i, k) in keys.enumerated() {
            if i > 0 { out += "," }
            switch k {
            case .int(let v): out += String(v)
            case .string(let s): out += quoted(s, jsonEscapes: false)
            default: return nil
            }
        }
        return out + "}"
    }

    /// Double-quoted, with `"` and `\` escaped by a backslash; JSON also escapes control
    /// characters.
    static func quoted(_ s: String, jsonEscapes: Bool) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if jsonEscapes, u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
