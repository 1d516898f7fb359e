/// Parsers for the common spellings of dates, timestamps and decimals in a source's text (SQLite
/// stores them so; MariaDB sends decimals so), working on the bytes the client library hands
/// out (no String, no allocation). Each returns nil for anything unusual; the caller then
/// tries the general parser (`CivilTime`, `Decimal128.parse`), which accepts more forms and
/// decides whether the value is invalid.
public enum TextParse {
    @inline(__always)
    private static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for i in at..<(at + count) {
            let c = b[i] &- 48
            guard c <= 9 else { return nil }
            v = v * 10 + Int(c)
        }
        return v
    }

    /// `YYYY-MM-DD`, alone or followed by a time part.
    @inline(__always)
    public static func date(_ b: UnsafeRawBufferPointer) -> Int32? {
        // Plain AD dates only; anything else (a BC era, year 0) goes to CivilTime.parseDate.
        guard b.count >= 10, b[4] == 45, b[7] == 45, b.count == 10 || b.count >= 19,
              let y = digits(b, 0, 4), y > 0, let m = digits(b, 5, 2), let d = digits(b, 8, 2),
              CivilTime.isValid(year: y, month: m, day: d) else { return nil }
        if b.count > 10, b[10] != 32, b[10] != 84 { return nil }
        return CivilTime.days(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (or with `T`), with up to six fractional digits.
    @inline(__always)
    public static func timestamp(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let day = date(b) else { return nil }
        var micros = Int64(day) * CivilTime.microsPerDay
        if b.count == 10 { return micros }
        guard b.count >= 19, b[13] == 58, b[16] == 58,
              let hh = digits(b, 11, 2), let mm = digits(b, 14, 2), let ss = digits(b, 17, 2),
              hh < 24, mm < 60, ss < 60 else { return nil }
        micros += Int64(hh * 3600 + mm * 60 + ss) * 1_000_000
        if b.count == 19 { return micros }
        guard b[19] == 46, b.count >= 21, b.count <= 26, let f = digits(b, 20, b.count - 20) else { return nil }
        var frac = Int64(f)
        for _ in 0..<(26 - b.count) { frac *= 10 }
        return micros + frac
    }

    /// `[-+]digits[.digits]` at `scale`, rounding half away from zero; up to 36 digits.
    @inline(__always)
    public static func decimal(_ b: UnsafeRawBufferPointer, scale: Int) -> Int128? {
        var i = 0
        let n = b.count
        var negative = false
        if n > 0, b[0] == 45 || b[0] == 43 { negative = b[0] == 45; i = 1 }
        var value: Int128 = 0
        var count = 0
        var fraction = -1          // digits seen after the point; -1 before it
        var roundUp = false
        while i < n {
            let c = b[i]
            if c == 46 {
                guard fraction < 0 else { return nil }
                fraction = 0
            } else {
                let d = c &- 48
                guard d <= 9 else { return nil }
                if fraction >= scale {
                    // Beyond the scale: only the first dropped digit matters (half away from zero).
                    if fraction == scale { roundUp = d >= 5 }
                    fraction += 1
                } else {
                    value = value * 10 + Int128(d)
                    count += 1
                    guard count <= 36 else { return nil }
                    if fraction >= 0 { fraction += 1 }
                }
            }
            i += 1
        }
        guard count > 0 || fraction > 0 else { return nil }
        let kept = max(fraction, 0)
        if kept < scale {
            // 36 digits scaled up may leave 38: nil, so the decoder reports the value too big.
            guard let v = Decimal128.scaledUp(value, by: scale - kept) else { return nil }
            value = v
        }
        if roundUp { value += 1 }
        return negative ? -value : value
    }

    /// A double at `scale` decimal digits, as `Decimal128.fromDouble` rounds it (through the
    /// shortest decimal form), but without formatting the double when it is not close to a
    /// rounding boundary — which is almost always.
    @inline(__always)
    public static func decimal(_ d: Double, scale: Int, factor: Double) -> Int128? {
        let x = d * factor
        if abs(x) < 4.0e15 {
            let r = x.rounded(.toNearestOrAwayFromZero)
            if abs(x - r) < 0.49 { return Int128(r) }
        }
        return Decimal128.fromDouble(d, scale: scale)
    }
}
