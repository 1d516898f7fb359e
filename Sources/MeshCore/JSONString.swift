/// The one JSON string escaper: every writer of JSON text (result writers, the HTTP API, the
/// catalog's stored JSON, lineage events, dynamic-filter key sets) quotes strings through it,
/// so they all agree. `"` and `\` are escaped with a backslash; newline, carriage return, tab,
/// backspace and form feed by their short escapes; other control characters as `\u00XX`.
/// Everything else, `/` and non-ASCII included, is written as it is (UTF-8).
public enum JSONString {
    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        // Most strings need no escape: copy them whole.
        if !s.utf8.contains(where: needsEscape) { return "\"" + s + "\"" }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 8)
        append(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal, quotes included.
    @inline(__always)
    public static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { append(utf8: $0, to: &out) }
    }

    /// Appends the UTF-8 text `bytes` as a JSON string literal, quotes included.
    public static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var start = 0
        for (i, b) in bytes.enumerated() where needsEscape(b) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            appendEscape(b, to: &out)
            start = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
        }
    }
}
