import Foundation
import MeshCore
import SQLiteDB

/// Reads one result column of the current row into a `ColumnBuilder` of the requested type.
/// SQLite stores each value with its own storage class whatever the column declares, so the
/// decoder converts by storage class and rejects values that do not fit the type.
struct SQLiteColumnDecoder {
    let type: DataType
    let target: PhysicalType
    let scale: Int
    let name: String
    /// 10^scale as a double, for REAL → decimal.
    let factor: Double

    init(type: DataType, name: String) {
        self.type = type
        self.target = type.physical
        self.scale = type.decimalScale
        self.name = name
        self.factor = Double(Decimal128.pow10(type.decimalScale))
    }

    /// Julian day number of 1970-01-01 00:00 UTC (how SQLite's date functions count).
    static let unixEpochJulianDay = 2_440_587.5

    @inline(__always)
    func decode(_ s: SQLiteStatement, _ i: Int, into b: inout ColumnBuilder) throws {
        let storage = s.storageClass(i)
        if storage == .null { b.appendNull(); return }
        switch target {
        case .int:
            let v: Int64
            switch storage {
            case .integer: v = s.int64(i)
            case .real:
                // As PostgreSQL casts float to integer: round half to even. SQLite turns an
                // integer result that overflowed into a REAL, so a huge one is an overflow.
                let d = s.double(i).rounded(.toNearestOrEven)
                guard let x = Int64(exactly: d) else { throw abs(d) >= 9.2e18 ? outOfRange() : invalid() }
                v = x
            case .text:
                guard let x = Int64(s.text(i).trimmingCharacters(in: .whitespaces)) else { throw invalid() }
                v = x
            default: throw invalid()
            }
            // A column declared INTEGER / SMALLINT holds what PostgreSQL's would.
            if type == .integer, Int32(exactly: v) == nil { throw outOfRange() }
            if type == .smallint, Int16(exactly: v) == nil { throw outOfRange() }
            b.appendInt(v)
        case .double:
            switch storage {
            case .integer: b.appendDouble(Double(s.int64(i)))
            case .real: b.appendDouble(s.double(i))
            case .text:
                guard let v = Double(s.text(i).trimmingCharacters(in: .whitespaces)) else { throw invalid() }
                b.appendDouble(v)
            default: throw invalid()
            }
        case .decimal:
            switch storage {
            case .integer:
                let (v, overflow) = Int128(s.int64(i)).multipliedReportingOverflow(by: Decimal128.pow10(scale))
                if overflow { throw tooBig() }
                b.appendDecimal(v)
            case .real:
                guard let v = TextParse.decimal(s.double(i), scale: scale, factor: factor) else { throw tooBig() }
                b.appendDecimal(v)
            case .text:
                let fast = s.withTextBytes(i) { TextParse.decimal($0, scale: scale) }
                guard let v = fast ?? Decimal128.parse(s.text(i), scale: scale) else { throw invalid() }
                b.appendDecimal(v)
            default: throw invalid()
            }
        case .bool:
            switch storage {
            case .integer: b.appendBool(s.int64(i) != 0)
            case .real: b.appendBool(s.double(i) != 0)
            case .text:
                switch s.text(i).trimmingCharacters(in: .whitespaces).lowercased() {
                case "t", "true", "1", "y", "yes", "on": b.appendBool(true)
                case "f", "false", "0", "n", "no", "off": b.appendBool(false)
                default: throw invalid()
                }
            default: throw invalid()
            }
        case .string:
            switch storage {
            case .text: b.appendString(s.text(i))
            case .integer: b.appendString(String(s.int64(i)))
            case .real: b.appendString(Value.formatDouble(s.double(i)))
            default: b.appendString(String(decoding: s.blob(i), as: UTF8.self))
            }
        case .date:
            switch storage {
            case .text:
                let fast = s.withTextBytes(i) { TextParse.date($0) }
                guard let d = fast ?? CivilTime.parseDate(s.text(i)) else { throw invalid() }
                b.appendDate(d)
            case .integer:
                // Unix time in seconds.
                let secs = s.int64(i)
                b.appendDate(Int32(clamping: secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400))
            case .real:
                // A Julian day number.
                let days = (s.double(i) - Self.unixEpochJulianDay).rounded(.down)
                guard let d = Int32(exactly: days) else { throw invalid() }
                b.appendDate(d)
            default: throw invalid()
            }
        case .timestamp:
            switch storage {
            case .text:
                let fast = s.withTextBytes(i) { TextParse.timestamp($0) }
                guard let t = fast ?? CivilTime.parseTimestamp(s.text(i)) else { throw invalid() }
                b.appendTimestamp(t)
            case .integer:
                let (t, overflow) = s.int64(i).multipliedReportingOverflow(by: 1_000_000)
                if overflow { throw invalid() }
                b.appendTimestamp(t)
            case .real:
                let micros = ((s.double(i) - Self.unixEpochJulianDay) * 86_400_000_000).rounded()
                guard let t = Int64(exactly: micros) else { throw invalid() }
                b.appendTimestamp(t)
            default: throw invalid()
            }
        case .bytes:
            switch storage {
            case .blob: b.appendBytes(s.blob(i))
            case .text: b.appendBytes(Array(s.text(i).utf8))
            default: throw invalid()
            }
        }
    }

    // Messages name the column and the type, never the value.

    private func invalid() -> MeshError {
        MeshError(.invalidText, "invalid value in \(name) from SQLite for type \(type)")
    }

    /// PostgreSQL's words for an integer that does not fit its type.
    private func outOfRange() -> MeshError {
        MeshError(.numericOverflow, "\(type) out of range")
    }

    private func tooBig() -> MeshError {
        MeshError(.numericOverflow, "a value of \(name) from SQLite does not fit type \(type)")
    }
}
