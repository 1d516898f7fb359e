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
        var parsed: (Int, Int, Int64)?
        do {
            parsed = try Self.parseInterval(value, unit: unit)
        } catch let e as MeshError {
            throw e.located(at: loc)
        }
        guard var (months, days, micros) = parsed else {
            throw MeshError(.invalidText, "invalid input syntax for type interval", at: loc)
        }
        // Months and days fit an Int32 and micros is never Int64.min, so negating is safe.
        if negate { months = -months; days = -days; micros = -micros }
        let start = base.type == .unknown ? try Self.castFolding(base, to: .timestamp, at: loc) : base
        let asTimestamp = Self.coerce(start, to: start.type == .timestamptz ? .timestamptz : .timestamp)
        let resultType = asTimestamp.type
        if case .literal(.timestamp(let t)) = asTimestamp.kind {
            do {
                return BoundExpr(.literal(.timestamp(try IntervalMath.add(t, months: months, days: days, micros: micros))),
                                 type: resultType, at: loc)
            } catch let e as MeshError {
                throw e.located(at: loc)
            }
        }
        let args: [BoundExpr] = [asTimestamp, .literal(.int(Int64(months)), .bigint), .literal(.int(Int64(days)), .bigint),
                                 .literal(.int(micros), .bigint)]
        return BoundExpr(.function("add_interval", args), type: resultType, at: loc)
    }

    /// Reads `'3' MONTH`, `'90 days'`, `'1 year 2 months'` into months, days and microseconds;
    /// nil when it does not parse; an error (22015) when a field does not fit.
    static func parseInterval(_ value: String, unit: String?) throws -> (Int, Int, Int64)? {
        var months = 0, days = 0
        var micros: Int64 = 0
        func add(_ total: inout Int, _ n: Int, _ factor: Int) -> Bool {
            let (p, o1) = n.multipliedReportingOverflow(by: factor)
            let (t, o2) = total.addingReportingOverflow(p)
            total = t
            return !o1 && !o2 && Int32(exactly: t) != nil
        }
        func addMicros(_ n: Int, _ factor: Int64) -> Bool {
            let (p, o1) = Int64(n).multipliedReportingOverflow(by: factor)
            let (t, o2) = micros.addingReportingOverflow(p)
            micros = t
            return !o1 && !o2 && t != .min
        }
        func apply(_ n: Int, _ u: String) throws -> Bool {
            let fits: Bool
            switch u.lowercased() {
            case "year", "years", "y": fits = add(&months, n, 12)
            case "month", "months", "mon", "mons": fits = add(&months, n, 1)
            case "week", "weeks", "w": fits = add(&days, n, 7)
            case "day", "days", "d": fits = add(&days, n, 1)
            case "hour", "hours", "h": fits = addMicros(n, 3_600_000_000)
            case "minute", "minutes", "min", "mins", "m": fits = addMicros(n, 60_000_000)
            case "second", "seconds", "sec", "secs", "s": fits = addMicros(n, 1_000_000)
            default: return false
            }
            guard fits else { throw MeshError(.intervalOverflow, "interval field value out of range") }
            return true
        }
        /// A number, or an error if it is all digits but too long for one.
        func number(_ w: Substring) throws -> Int? {
            if let n = Int(w) { return n }
            let digits = w.drop { $0 == "-" || $0 == "+" }
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
                throw MeshError(.intervalOverflow, "interval field value out of range")
            }
            return nil
        }
        let words = value.split(whereSeparator: { $0 == " " })
        if let unit {
            guard words.count == 1, let n = try number(words[0]), try apply(n, unit) else { return nil }
            return (months, days, micros)
        }
        guard !words.isEmpty, words.count % 2 == 0 else { return nil }
        var i = 0
        while i < words.count {
            guard let n = try number(words[i]), try apply(n, String(words[i + 1])) else { return nil }
            i += 2
        }
        return (months, days, micros)
    }
}

/// Calendar arithmetic shared by constant folding and the executor.
public enum IntervalMath {
    /// Adds months (clamping the day to the month's end, as PostgreSQL), then days and time.
    /// A result outside PostgreSQL's timestamp range is an error (22008), never a wrapped value.
    public static func add(_ t: Int64, months: Int, days: Int, micros: Int64) throws -> Int64 {
        var day = t / CivilTime.microsPerDay
        var time = t % CivilTime.microsPerDay
        if time < 0 { time += CivilTime.microsPerDay; day -= 1 }
        if months != 0 {
            var (y, m, d) = CivilTime.civil(fromDays: Int32(day))
            let (total, o1) = (y * 12 + (m - 1)).addingReportingOverflow(months)
            guard !o1 else { throw CivilTime.outOfRange() }
            y = total >= 0 ? total / 12 : (total - 11) / 12
            m = total - y * 12 + 1
            d = min(d, CivilTime.daysInMonth(year: y, month: m))
            guard let shifted = CivilTime.checkedDays(year: y, month: m, day: d) else { throw CivilTime.outOfRange() }
            day = Int64(shifted)
        }
        let (newDay, o2) = day.addingReportingOverflow(Int64(days))
        guard !o2, let midnight = CivilTime.micros(fromDays: newDay) else { throw CivilTime.outOfRange() }
        let (withTime, o3) = (midnight + time).addingReportingOverflow(micros)
        // Floor division: a moment before midnight of the first day belongs to the day before.
        var resultDay = withTime / CivilTime.microsPerDay
        if withTime % CivilTime.microsPerDay < 0 { resultDay -= 1 }
        guard !o3, CivilTime.timestampDays.contains(resultDay) else { throw CivilTime.outOfRange() }
        return withTime
    }
}
