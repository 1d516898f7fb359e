/// Case mapping as PostgreSQL does it under the "C" ctype, the reference meshql follows (and
/// what SQLite's built-in lower/upper do): only the ASCII letters A-Z and a-z change, so a
/// function gives the same answer whether it runs here, in SQLite or in PostgreSQL.
enum ASCIICase {
    static func lower(_ s: String) -> String { map(s, from: 65...90, by: 32) }
    static func upper(_ s: String) -> String { map(s, from: 97...122, by: -32) }

    private static func map(_ s: String, from range: ClosedRange<UInt8>, by delta: Int) -> String {
        guard s.utf8.contains(where: { range.contains($0) }) else { return s }
        var bytes = Array(s.utf8)
        for i in bytes.indices where range.contains(bytes[i]) { bytes[i] = UInt8(Int(bytes[i]) + delta) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
