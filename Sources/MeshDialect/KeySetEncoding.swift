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
            case .string(let s): out += JSONString.quoted(s)
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
            case .string(let s): out += quoted(s)
            default: return nil
            }
        }
        return out + "}"
    }

    /// Double-quoted, with `"` and `\` escaped by a backslash (an element of an array literal).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
