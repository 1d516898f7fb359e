import MeshCore
import NIOCore

/// How a meshql type goes over PostgreSQL's protocol: its type OID, size and modifier as a
/// RowDescription gives them, and its values' text form.
struct PGType: Sendable {
    let oid: Int32
    let size: Int16
    let modifier: Int32
    let zone: Bool

    init(_ type: DataType) {
        zone = type == .timestamptz
        oid = Int32(type.postgresOID)
        modifier = Int32(type.postgresModifier)
        switch type {
        case .boolean: size = 1
        case .smallint: size = 2
        case .integer, .date: size = 4
        case .bigint, .double, .timestamp, .timestamptz: size = 8
        case .decimal, .bytea, .text, .unknown: size = -1
        }
    }

    /// `value` (not NULL) as PostgreSQL writes it with DateStyle ISO and TimeZone UTC.
    func writeText(_ value: Value, into b: inout ByteBuffer) {
        switch value {
        case .double(let d) where d.isInfinite: b.writeString(d > 0 ? "Infinity" : "-Infinity")
        case .double(let d) where d.isNaN: b.writeString("NaN")
        case .timestamp where zone:
            b.writeString(value.description)
            b.writeString("+00")
        default: b.writeString(value.description)
        }
    }
}

extension PGType {
    /// `value` (not NULL) in PostgreSQL's binary form of this type.
    func writeBinary(_ value: Value, into b: inout ByteBuffer) {
        switch (oid, value) {
        case (16, .bool(let v)): b.writeInteger(UInt8(v ? 1 : 0))
        case (21, .int(let v)): b.writeInteger(Int16(truncatingIfNeeded: v))
        case (23, .int(let v)): b.writeInteger(Int32(truncatingIfNeeded: v))
        case (20, .int(let v)): b.writeInteger(v)
        case (701, .double(let v)): b.writeInteger(v.bitPattern)
        case (701, .int(let v)): b.writeInteger(Double(v).bitPattern)
        case (1082, .date(let d)): b.writeInteger(d - Self.postgresEpochDays)
        case (1114, .timestamp(let t)), (1184, .timestamp(let t)): b.writeInteger(t - Self.postgresEpochMicros)
        case (17, .bytes(let bytes)): b.writeBytes(bytes)
        case (1700, .decimal(let v, let scale)): Self.writeNumeric(Decimal128.format(v, scale: scale), scale: scale, into: &b)
        case (1700, .int(let v)): Self.writeNumeric(String(v), scale: 0, into: &b)
        default: b.writeString(value.description)
        }
    }

    /// 2000-01-01, PostgreSQL's epoch, in days and microseconds since 1970-01-01.
    static let postgresEpochDays: Int32 = 10_957
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    /// numeric's binary form from its decimal text: digit groups of base 10,000, the weight of
    /// the first, the sign and the display scale.
    static func writeNumeric(_ text: String, scale: Int, into b: inout ByteBuffer) {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        integer = String(repeating: "0", count: (4 - integer.count % 4) % 4) + integer
        fraction += String(repeating: "0", count: (4 - fraction.count % 4) % 4)
        func groups(_ s: String) -> [Int16] {
            let chars = Array(s.utf8)
            return stride(from: 0, to: chars.count, by: 4).map { i in
                chars[i..<i + 4].reduce(Int16(0)) { $0 * 10 + Int16($1 - 48) }
            }
        }
        var digits = groups(integer) + groups(fraction)
        var weight = integer.count / 4 - 1
        while digits.first == 0 {
            digits.removeFirst()
            weight -= 1
        }
        while digits.last == 0 { digits.removeLast() }
        if digits.isEmpty { weight = 0 }
        b.writeInteger(Int16(digits.count))
        b.writeInteger(Int16(weight))
        b.writeInteger(UInt16(negative && !digits.isEmpty ? 0x4000 : 0))
        b.writeInteger(Int16(max(0, scale)))
        for d in digits { b.writeInteger(d) }
    }
}

/// The format codes of a Bind message: none (all text), one for every column, or one each.
enum PGFormats {
    static func isBinary(_ formats: [Int16], column: Int) -> Bool {
        switch formats.count {
        case 0: false
        case 1: formats[0] == 1
        default: column < formats.count && formats[column] == 1
        }
    }
}
