/// One value, for the edges only (literals, parameters, printing, JSON). Operators work on
/// whole `Column`s; nothing in a hot loop builds a `Value` per row.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// A scaled integer and its scale: `decimal(15, scale: 2)` is 0.15.
    case decimal(Int128, scale: Int)
    case string(String)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since 1970-01-01 00:00:00.
    case timestamp(Int64)
    case bytes([UInt8])

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension Value: CustomStringConvertible {
    /// The text PostgreSQL would print for the value; NULL prints as an empty string.
    public var description: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "t" : "f"
        case .int(let i): String(i)
        case .double(let d): Value.formatDouble(d)
        case .decimal(let v, let s): Decimal128.format(v, scale: s)
        case .string(let s): s
        case .date(let d): CivilTime.formatDate(d)
        case .timestamp(let t): CivilTime.formatTimestamp(t)
        case .bytes(let b): "\\x" + b.map { String($0, radix: 16).leftPadded(2) }.joined()
        }
    }

    /// Shortest round-trip form, as PostgreSQL 12+ prints float8.
    public static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
