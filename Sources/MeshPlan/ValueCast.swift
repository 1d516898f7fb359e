import Foundation
import MeshCore

/// Casting one value between types, with PostgreSQL's rules and messages (without the value).
/// Used to fold literals at bind time and by the executor for row-edge conversions.
public enum ValueCast {
    public static func cast(_ v: Value, from: DataType, to: DataType) throws -> Value {
        if case .null = v { return .null }
        func invalid() -> MeshError {
            MeshError(.invalidText, "invalid input syntax for type \(to.description.split(separator: "(").first ?? "")")
        }
        switch (v, to) {
        case (.string(let s), .boolean):
            switch s.trimmingCharacters(in: .whitespaces).lowercased() {
            case "t", "true", "yes", "y", "on", "1": return .bool(true)
            case "f", "false", "no", "n", "off", "0": return .bool(false)
            default: throw invalid()
            }
        case (.string(let s), .smallint), (.string(let s), .integer), (.string(let s), .bigint):
            guard let i = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw invalid() }
            return try checkRange(.int(i), to)
        case (.string(let s), .double):
            guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else { throw invalid() }
            return .double(d)
        case (.string(let s), .decimal(let p, let sc)):
            guard let d = Decimal128.parse(s, scale: sc) else { throw invalid() }
            return try checkPrecision(d, p, sc)
        case (.string(let s), .date):
            guard let d = CivilTime.parseDate(s.trimmingCharacters(in: .whitespaces)) else { throw invalid() }
            return .date(d)
        case (.string(let s), .timestamp), (.string(let s), .timestamptz):
            guard let t = CivilTime.parseTimestamp(s.trimmingCharacters(in: .whitespaces)) else { throw invalid() }
            return .timestamp(t)
        case (.string(let s), .bytea): return .bytes(Array(s.utf8))
        // PostgreSQL's boolean output is t/f, but its cast to text spells the word.
        case (.bool(let b), .text): return .string(b ? "true" : "false")
        case (_, .text), (_, .unknown):
            if case .string = v { return v }
            return .string(v.description)

        case (.int(let i), .smallint), (.int(let i), .integer), (.int(let i), .bigint): return try checkRange(.int(i), to)
        case (.int(let i), .double): return .double(Double(i))
        case (.int(let i), .decimal(let p, let s)): return try checkPrecision(try scaled(Int128(i), from: 0, to: s), p, s)
        case (.int(let i), .boolean): return .bool(i != 0)
        case (.bool(let b), .smallint), (.bool(let b), .integer), (.bool(let b), .bigint): return .int(b ? 1 : 0)
        case (.bool, .boolean): return v

        case (.double(let d), .double): return .double(d)
        case (.double(let d), .smallint), (.double(let d), .integer), (.double(let d), .bigint):
            guard d.isFinite, abs(d) < 9.2e18 else { throw MeshError(.numericOverflow, "\(to) out of range") }
            return try checkRange(.int(Int64(d.rounded(.toNearestOrEven))), to)
        case (.double(let d), .decimal(let p, let s)):
            guard let x = Decimal128.fromDouble(d, scale: s) else { throw MeshError(.numericOverflow, "numeric field overflow") }
            return try checkPrecision(x, p, s)

        case (.decimal(let x, let s), .decimal(let p, let s2)): return try checkPrecision(try scaled(x, from: s, to: s2), p, s2)
        case (.decimal(let x, let s), .double): return .double(Decimal128.toDouble(x, scale: s))
        case (.decimal(let x, let s), .smallint), (.decimal(let x, let s), .integer), (.decimal(let x, let s), .bigint):
            let r = Decimal128.rescale(x, from: s, to: 0)
            guard let i = Int64(exactly: r) else { throw MeshError(.numericOverflow, "\(to) out of range") }
            return try checkRange(.int(i), to)

        case (.date(let d), .date): return .date(d)
        case (.date(let d), .timestamp), (.date(let d), .timestamptz):
            guard let t = CivilTime.micros(fromDays: Int64(d)) else { throw CivilTime.outOfRange("date out of range for timestamp") }
            return .timestamp(t)
        case (.timestamp(let t), .date):
            return .date(Int32((Double(t) / Double(CivilTime.microsPerDay)).rounded(.down)))
        case (.timestamp, .timestamp), (.timestamp, .timestamptz): return v
        case (.bytes, .bytea): return v
        default:
            throw MeshError(.typeMismatch, "cannot cast type \(from) to \(to)")
        }
    }

    static func checkRange(_ v: Value, _ t: DataType) throws -> Value {
        guard case .int(let i) = v else { return v }
        switch t {
        case .smallint where Int16(exactly: i) == nil: throw MeshError(.numericOverflow, "smallint out of range")
        case .integer where Int32(exactly: i) == nil: throw MeshError(.numericOverflow, "integer out of range")
        default: return v
        }
    }

    /// A decimal at another scale; an overflow is 22003, as in PostgreSQL.
    static func scaled(_ x: Int128, from: Int, to: Int) throws -> Int128 {
        guard let r = Decimal128.rescaleChecked(x, from: from, to: to) else {
            throw MeshError(.numericOverflow, "numeric field overflow")
        }
        return r
    }

    static func checkPrecision(_ x: Int128, _ p: Int, _ s: Int) throws -> Value {
        if x.magnitude >= Decimal128.pow10(min(p, 38)).magnitude {
            throw MeshError(.numericOverflow, "numeric field overflow",
                            hint: "A field with precision \(p), scale \(s) must round to an absolute value less than 10^\(p - s).")
        }
        return .decimal(x, scale: s)
    }
}
