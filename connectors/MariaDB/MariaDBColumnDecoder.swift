import Foundation
import MeshCore

/// Reads one result column of the current row into a `ColumnBuilder` of the requested type.
/// Integers and doubles arrive converted by the client library (`MariaDBStatement`); decimals,
/// dates, timestamps and text as the server's text, parsed here without a String where the
/// common spellings allow.
struct MariaDBColumnDecoder {
    let type: DataType
    let name: String

    @inline(__always)
    func decode(_ s: MariaDBStatement, _ i: Int, into b: inout ColumnBuilder) throws {
        if s.isNull(i) { b.appendNull(); return }
        switch type.physical {
        case .int:
            let (v, exact) = s.int64(i)
            guard exact else { throw outOfRange() }
            if type == .integer, Int32(exactly: v) == nil { throw outOfRange() }
            if type == .smallint, Int16(exactly: v) == nil { throw outOfRange() }
            b.appendInt(v)
        case .bool:
            b.appendBool(s.int64(i).value != 0)
        case .double:
            b.appendDouble(s.double(i))
        case .decimal:
            let scale = type.decimalScale
            let v = try s.withBytes(i) { TextParse.decimal($0, scale: scale) ?? Decimal128.parse(String(decoding: $0, as: UTF8.self), scale: scale) }
            guard let v else { throw invalid() }
            b.appendDecimal(v)
        case .string:
            b.appendString(try s.text(i))
        case .date:
            let d = try s.withBytes(i) { TextParse.date($0) ?? CivilTime.parseDate(String(decoding: $0, as: UTF8.self)) }
            guard let d else { throw invalid() }
            b.appendDate(d)
        case .timestamp:
            let t = try s.withBytes(i) { TextParse.timestamp($0) ?? CivilTime.parseTimestamp(String(decoding: $0, as: UTF8.self)) }
            guard let t else { throw invalid() }
            b.appendTimestamp(t)
        case .bytes:
            b.appendBytes(try s.withBytes(i) { Array($0) })
        }
    }

    // Messages name the column and the type, never the value.

    /// A value MariaDB holds that meshql's type cannot (a zero date `0000-00-00`, a decimal
    /// wider than 38 digits).
    private func invalid() -> MeshError {
        MeshError(.invalidText, "invalid value in \(name) from MariaDB for type \(type)")
    }

    /// PostgreSQL's words for an integer that does not fit its type.
    private func outOfRange() -> MeshError {
        MeshError(.numericOverflow, "\(type) out of range")
    }
}
