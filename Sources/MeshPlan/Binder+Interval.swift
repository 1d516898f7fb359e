import MeshCore
import MeshSQL

extension Binder {
    /// `date ± INTERVAL '…'`. meshql has no interval type yet: the interval must be a literal,
    /// and the sum is a timestamp as in PostgreSQL. A literal date folds to a constant, which
    /// then pushes down like any other.
    func bindIntervalArithmetic(_ base: BoundExpr, value: String, unit: String?, negate: Bool,
                                at loc: SourceLocation) throws -> BoundExpr {
        guard [.date, .timestamp, .timestamptz, .unknown].contains(base.type) else {
            throw MeshError(.typeMismatch, "operator does not exist: \(base.type) + interval", at: loc)
        }
        guard var (months, days, micros) = Self.parseInterval(value, unit: unit) else {
            throw MeshError(.invalidText, "invalid input syntax for type interval", at: loc)
        }
        if negate { months = -months; days = -days; micros = -micros }
        let start = base.type == .unknown ? try Self.castFolding(base, to: .timestamp, at: loc) : base
        let asTimestamp = Self.coerce(start, to: start.type == .timestamptz ? .timestamptz : .timestamp)
        let resultType = asTimestamp.type
        if case .literal(.timestamp(let t)) = asTimestamp.kind {
            return BoundExpr(.literal(.timestamp(IntervalMath.add(t, months: months, days: days, micros: micros))),
                             type: resultType, at: loc)
        }
        let args: [BoundExpr] = [asTimestamp, .literal(.int(Int64(months)), .bigint), .literal(.int(Int64(days)), .bigint),
                                 .literal(.int(micros), .bigint)]
        return BoundExpr(.function("add_interval", args), type: resultType, at: loc)
    }

    /// Reads `'3' MONTH`, `'90 days'`, `'1 year 2 months'` into months, days and microseconds.
    static func parseInterval(_ value: String, unit: String?) -> (Int, Int, Int64)? {
        var months = 0, days = 0
        var micros: Int64 = 0
        func apply(_ n: Int, _ u: String) -> Bool {
            switch u.lowercased() {
            case "year", "years", "y": months += 12 * n
            case "month", "months", "mon", "mons": months += n
            case "week", "weeks", "w": days += 7 * n
            case "day", "days", "d": days += n
            case "hour", "hours", "h": micros += Int64(n) * 3_600_000_000
            case "minute", "minutes", "min", "mins", "m": micros += Int64(n) * 60_000_000
            case "second", "seconds", "sec", "secs", "s": micros += Int64(n) * 1_000_000
            default: return false
            }
            return true
        }
        let words = value.split(whereSeparator: { $0 == " " })
        if let unit {
            guard words.count == 1, let n = Int(words[0]), apply(n, unit) else { return nil }
            return (months, days, micros)
        }
        guard !words.isEmpty, words.count % 2 == 0 else { return nil }
        var i = 0
        while i < words.count {
            guard let n = Int(words[i]), apply(n, String(words[i + 1])) else { return nil }
            i += 2
        }
        return (months, days, micros)
    }
}

/// Calendar arithmetic shared by constant folding and the executor.
public enum IntervalMath {
    /// Adds months (clamping the day to the month's end, as PostgreSQL), then days and time.
    public static func add(_ t: Int64, months: Int, days: Int, micros: Int64) -> Int64 {
        var day = t / CivilTime.microsPerDay
        var time = t % CivilTime.microsPerDay
        if time < 0 { time += CivilTime.microsPerDay; day -= 1 }
        if months != 0 {
            var (y, m, d) = CivilTime.civil(fromDays: Int32(day))
            let total = y * 12 + (m - 1) + months
            y = total >= 0 ? total / 12 : (total - 11) / 12
            m = total - y * 12 + 1
            d = min(d, CivilTime.daysInMonth(year: y, month: m))
            day = Int64(CivilTime.days(year: y, month: m, day: d))
        }
        return (day + Int64(days)) * CivilTime.microsPerDay + time + micros
    }
}
