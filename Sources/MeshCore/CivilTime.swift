import Foundation

/// Dates as days since 1970-01-01 and timestamps as microseconds since 1970-01-01 00:00:00,
/// proleptic Gregorian, no time zone (timestamptz values are UTC).
public enum CivilTime {
    public static let microsPerDay: Int64 = 86_400_000_000

    /// Days since the epoch for a calendar date of a year callers know to be in range (a
    /// four-digit one); `checkedDays` for years from input.
    public static func days(year: Int, month: Int, day: Int) -> Int32 {
        Int32(dayNumber(year: year, month: month, day: day))
    }

    /// Howard Hinnant's algorithm, in Int (exact for |year| < 6,000,000).
    private static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// PostgreSQL's timestamp range in days since the epoch: 4714-11-24 BC (Julian day 0) to
    /// 294276-12-31 AD. Dates go further (to 5874897 AD), but not as timestamps.
    public static let timestampDays: ClosedRange<Int64> = -2_440_588...106_762_939

    /// PostgreSQL's date range in days since the epoch: 4714-11-24 BC to 5874897-12-31 AD.
    public static let dateDays: ClosedRange<Int64> = -2_440_588...2_145_042_905

    /// Midnight of a day as microseconds, saturated outside the timestamp range: for
    /// comparing a date with a timestamp, where the order is all that matters.
    public static func saturatingMicros(fromDays d: Int32) -> Int64 {
        let (r, o) = Int64(d).multipliedReportingOverflow(by: microsPerDay)
        return o ? (d < 0 ? .min : .max) : r
    }

    /// Midnight of a day as microseconds, or nil outside the timestamp range.
    public static func micros(fromDays d: Int64) -> Int64? {
        guard timestampDays.contains(d) else { return nil }
        return d * microsPerDay
    }

    /// The error for a date or timestamp that left PostgreSQL's range (22008).
    public static func outOfRange(_ message: String = "timestamp out of range") -> MeshError {
        MeshError(.datetimeOverflow, message)
    }

    /// `days(year:month:day:)` for any year, or nil when the day is not an Int32.
    public static func checkedDays(year: Int, month: Int, day: Int) -> Int32? {
        guard abs(year) < 6_000_000 else { return nil }
        return Int32(exactly: dayNumber(year: year, month: month, day: day))
    }

    public static func civil(fromDays days: Int32) -> (year: Int, month: Int, day: Int) {
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1, month <= 12, day >= 1 else { return false }
        return day <= daysInMonth(year: year, month: month)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A trailing ` BC` / ` AD` (any case) and the text before it. Years are written from 1
    /// with BC/AD, as PostgreSQL prints them; inside meshql they are astronomical (1 BC = 0).
    static func era(_ text: some StringProtocol) -> (Substring, bc: Bool) {
        let t = Substring(text).trimmingCharacters(in: [" "])
        let upper = t.uppercased()
        if upper.hasSuffix(" BC") { return (Substring(t.dropLast(3)), true) }
        if upper.hasSuffix(" AD") { return (Substring(t.dropLast(3)), false) }
        return (Substring(t), false)
    }

    /// Parses `YYYY-MM-DD [BC]` (a trailing time part is ignored, as SQLite stores dates
    /// loosely). Year 0 does not exist, and nothing before 4714-11-24 BC, as in PostgreSQL.
    public static func parseDate(_ text: some StringProtocol) -> Int32? {
        let (body, bc) = era(text)
        return parseDay(body, bc: bc)
    }

    /// The day of `YYYY-MM-DD…`, the year counted back from 1 BC when `bc` (so 0004-02-29 BC,
    /// astronomical year -3, is no leap day).
    private static func parseDay(_ text: some StringProtocol, bc: Bool) -> Int32? {
        let u = Array(text.utf8)
        guard u.count >= 10, u[4] == 45, u[7] == 45,
              let written = number(u, 0, 4), written > 0, let m = number(u, 5, 2), let d = number(u, 8, 2) else { return nil }
        let y = bc ? 1 - written : written
        guard isValid(year: y, month: m, day: d) else { return nil }
        if u.count > 10, u[10] != 32, u[10] != 84 { return nil }
        guard let day = checkedDays(year: y, month: m, day: d), dateDays.contains(Int64(day)) else { return nil }
        return day
    }

    /// Parses `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` (also with `T`), ignoring a trailing zone
    /// `Z` / `+00` / `+00:00`.
    public static func parseTimestamp(_ text: some StringProtocol) -> Int64? {
        let (body, bc) = era(text)
        let u = Array(body.utf8)
        guard let day = parseDay(String(decoding: u.prefix(10), as: UTF8.self), bc: bc),
              timestampDays.contains(Int64(day)) else { return nil }
        var micros = Int64(day) * microsPerDay
        if u.count == 10 { return micros }
        guard u.count >= 16, u[10] == 32 || u[10] == 84, u[13] == 58,
              let hh = number(u, 11, 2), let mm = number(u, 14, 2), hh < 24, mm < 60 else { return nil }
        micros += Int64(hh * 3600 + mm * 60) * 1_000_000
        var i = 16
        if i < u.count, u[i] == 58 {
            guard let ss = number(u, 17, 2), ss < 60 else { return nil }
            micros += Int64(ss) * 1_000_000
            i = 19
            if i < u.count, u[i] == 46 {
                i += 1
                var frac: Int64 = 0
                var digits = 0
                while i < u.count, u[i] >= 48, u[i] <= 57 {
                    if digits < 6 { frac = frac * 10 + Int64(u[i] - 48); digits += 1 }
                    i += 1
                }
                while digits < 6 { frac *= 10; digits += 1 }
                micros += frac
            }
        }
        let rest = String(decoding: u[i...], as: UTF8.self).trimmingCharacters(in: [" "])
        if rest.isEmpty || rest == "Z" || rest == "+00" || rest == "+00:00" || rest == "UTC" { return micros }
        return nil
    }

    public static func formatDate(_ days: Int32) -> String {
        let (y, m, d) = civil(fromDays: days)
        return pad(y > 0 ? y : 1 - y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + (y > 0 ? "" : " BC")
    }

    /// Formats as PostgreSQL does: seconds always, fractional digits only when non-zero.
    public static func formatTimestamp(_ micros: Int64) -> String {
        var day = micros / microsPerDay
        var rem = micros % microsPerDay
        if rem < 0 { rem += microsPerDay; day -= 1 }
        let secs = rem / 1_000_000
        let frac = rem % 1_000_000
        var date = formatDate(Int32(day))
        // PostgreSQL writes the era after the time: `0044-03-15 12:00:00 BC`.
        let bc = date.hasSuffix(" BC")
        if bc { date.removeLast(3) }
        var out = date + " " + pad(Int(secs / 3600), 2) + ":" + pad(Int(secs / 60 % 60), 2)
            + ":" + pad(Int(secs % 60), 2)
        if frac != 0 {
            var f = pad(Int(frac), 6)
            while f.hasSuffix("0") { f.removeLast() }
            out += "." + f
        }
        return bc ? out + " BC" : out
    }

    private static func number(_ u: [UInt8], _ start: Int, _ len: Int) -> Int? {
        guard start + len <= u.count else { return nil }
        var v = 0
        for i in start..<(start + len) {
            guard u[i] >= 48, u[i] <= 57 else { return nil }
            v = v * 10 + Int(u[i] - 48)
        }
        return v
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
