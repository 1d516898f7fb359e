import MeshCore

/// EXTRACT / date_part and date_trunc on dates and timestamps.
enum DateFunctions {
    /// Day and time of day; a value outside PostgreSQL's date range (a source's ±infinity)
    /// is an error here rather than calendar arithmetic that overflows.
    static func split(_ v: Value) throws -> (days: Int32, micros: Int64)? {
        switch v {
        case .date(let d):
            guard CivilTime.dateDays.contains(Int64(d)) else { throw CivilTime.outOfRange("date out of range") }
            return (d, 0)
        case .timestamp(let t):
            var day = t / CivilTime.microsPerDay
            var rem = t % CivilTime.microsPerDay
            if rem < 0 { rem += CivilTime.microsPerDay; day -= 1 }
            guard CivilTime.timestampDays.contains(day) else { throw CivilTime.outOfRange() }
            return (Int32(day), rem)
        default: return nil
        }
    }

    static func datePart(_ field: String, _ v: Value) throws -> Value {
        guard let (days, micros) = try split(v) else { return .null }
        let (y, m, d) = CivilTime.civil(fromDays: days)
        let dow = Int64(((Int(days) % 7) + 11) % 7) // 1970-01-01 was a Thursday (4)
        switch field.lowercased() {
        case "year": return .int(Int64(y))
        case "month": return .int(Int64(m))
        case "day": return .int(Int64(d))
        case "quarter": return .int(Int64((m - 1) / 3 + 1))
        case "dow": return .int(dow)
        case "isodow": return .int(dow == 0 ? 7 : dow)
        case "doy": return .int(Int64(Int(days) - Int(CivilTime.days(year: y, month: 1, day: 1)) + 1))
        case "hour": return .int(micros / 3_600_000_000)
        case "minute": return .int(micros / 60_000_000 % 60)
        case "second": return .int(micros / 1_000_000 % 60)
        case "epoch": return .int(Int64(days) * 86_400 + micros / 1_000_000)
        case "decade": return .int(Int64(y / 10))
        case "century": return .int(Int64((y + 99) / 100))
        case "week":
            // ISO week number.
            let wd = dow == 0 ? 7 : Int(dow)
            let thursday = Int(days) - wd + 4
            let (ty, _, _) = CivilTime.civil(fromDays: Int32(thursday))
            let jan1 = Int(CivilTime.days(year: ty, month: 1, day: 1))
            return .int(Int64((thursday - jan1) / 7 + 1))
        default:
            throw MeshError(.invalidParameter, "unit \"\(field)\" not recognized")
        }
    }

    static func dateTrunc(_ field: String, _ v: Value) throws -> Value {
        guard let (days, micros) = try split(v) else { return .null }
        let (y, m, _) = CivilTime.civil(fromDays: days)
        func at(_ d: Int32, _ t: Int64 = 0) throws -> Value {
            guard let midnight = CivilTime.micros(fromDays: Int64(d)) else { throw CivilTime.outOfRange() }
            return .timestamp(midnight + t)
        }
        switch field.lowercased() {
        case "year": return try at(CivilTime.days(year: y, month: 1, day: 1))
        case "quarter": return try at(CivilTime.days(year: y, month: (m - 1) / 3 * 3 + 1, day: 1))
        case "month": return try at(CivilTime.days(year: y, month: m, day: 1))
        case "week":
            let dow = ((Int(days) % 7) + 10) % 7 // Monday = 0
            return try at(days - Int32(dow))
        case "day": return try at(days)
        case "hour": return try at(days, micros / 3_600_000_000 * 3_600_000_000)
        case "minute": return try at(days, micros / 60_000_000 * 60_000_000)
        case "second": return try at(days, micros / 1_000_000 * 1_000_000)
        default: throw MeshError(.invalidParameter, "unit \"\(field)\" not recognized")
        }
    }
}
