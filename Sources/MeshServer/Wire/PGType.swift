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
        switch type {
        case .boolean: (oid, size, modifier) = (16, 1, -1)
        case .smallint: (oid, size, modifier) = (21, 2, -1)
        case .integer: (oid, size, modifier) = (23, 4, -1)
        case .bigint: (oid, size, modifier) = (20, 8, -1)
        case .double: (oid, size, modifier) = (701, 8, -1)
        case .decimal(let p, let s): (oid, size, modifier) = (1700, -1, Int32((p << 16) | s) + 4)
        case .date: (oid, size, modifier) = (1082, 4, -1)
        case .timestamp: (oid, size, modifier) = (1114, 8, -1)
        case .timestamptz: (oid, size, modifier) = (1184, 8, -1)
        case .bytea: (oid, size, modifier) = (17, -1, -1)
        case .text, .unknown: (oid, size, modifier) = (25, -1, -1)
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
