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

    /// The fields EXTRACT and date_part know.
    enum Part: String {
        case year, month, day, quarter, dow, isodow, doy, hour, minute, second, epoch, decade, century, week
    }

    static func datePart(_ field: String, _ v: Value) throws -> Value {
        guard let part = Part(rawValue: field.lowercased()) else {
            throw unknownUnit
        }
        guard let (days, micros) = try split(v) else { return .null }
        return .int(part.of(days: days, micros: micros))
    }

    /// `date_part(part, x)` over a whole date or timestamp column, without a `Value` per row
    /// (TPC-H q9 takes the year of 320 k order dates).
    static func datePartColumn(_ part: Part, _ c: Column) throws -> Column {
        let n = c.count
        var out = [Int64](repeating: 0, count: n)
        switch c.storage {
        case .date(let a):
            for i in 0..<n where c.validity.isValid(i) {
                guard CivilTime.dateDays.contains(Int64(a[i])) else { throw CivilTime.outOfRange("date out of range") }
                out[i] = part.of(days: a[i], micros: 0)
            }
        default:
            for i in 0..<n where c.validity.isValid(i) {
                guard let (days, micros) = try split(c.value(at: i)) else { continue }
                out[i] = part.of(days: days, micros: micros)
            }
        }
        return Column(type: .bigint, storage: .int(out), validity: c.validity)
    }
}

extension DateFunctions {
    /// The unit may come from a column, so the message does not quote it.
    static let unknownUnit = MeshError(.invalidParameter, "unit not recognized",
                                       hint: "units are year, quarter, month, week, day, dow, isodow, doy, hour, minute, second, epoch, decade, century")
}

extension DateFunctions.Part {
    /// This field of the day `days` (since 1970-01-01) at `micros` past midnight.
    func of(days: Int32, micros: Int64) -> Int64 {
        let (y, m, d) = CivilTime.civil(fromDays: days)
        let dow = Int64(((Int(days) % 7) + 11) % 7) // 1970-01-01 was a Thursday (4)
        switch self {
        case .year: return Int64(y)
        case .month: return Int64(m)
        case .day: return Int64(d)
        case .quarter: return Int64((m - 1) / 3 + 1)
        case .dow: return dow
        case .isodow: return dow == 0 ? 7 : dow
        case .doy: return Int64(Int(days) - Int(CivilTime.days(year: y, month: 1, day: 1)) + 1)
        case .hour: return micros / 3_600_000_000
        case .minute: return micros / 60_000_000 % 60
        case .second: return micros / 1_000_000 % 60
        case .epoch: return Int64(days) * 86_400 + micros / 1_000_000
        case .decade: return Int64(y / 10)
        case .century: return Int64((y + 99) / 100)
        case .week:
            // ISO week number.
            let wd = dow == 0 ? 7 : Int(dow)
            let thursday = Int(days) - wd + 4
            let (ty, _, _) = CivilTime.civil(fromDays: Int32(thursday))
            let jan1 = Int(CivilTime.days(year: ty, month: 1, day: 1))
            return Int64((thursday - jan1) / 7 + 1)
        }
    }
}

extension DateFunctions {

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
        default: throw unknownUnit
        }
    }
}
