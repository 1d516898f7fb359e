import Foundation

/// Exact decimal arithmetic on scaled 128-bit integers. A value `v` with scale `s` means
/// `v / 10^s`. Scales are carried by the column type, not per value.
public enum Decimal128 {
    public static let powersOfTen: [Int128] = {
        var p: [Int128] = [1]
        for _ in 1...38 { p.append(p.last! * 10) }
        return p
    }()

    @inline(__always)
    public static func pow10(_ n: Int) -> Int128 { powersOfTen[n] }

    /// The largest magnitude a decimal holds: 38 digits, as `numeric(38, s)`.
    public static let limit: Int128 = powersOfTen[38]

    /// `v · 10^n`, or nil when that leaves 38 digits: the caller raises 22003 "numeric field
    /// overflow", as PostgreSQL does for the same value in numeric(38, s).
    public static func scaledUp(_ v: Int128, by n: Int) -> Int128? {
        if v == 0 { return 0 }
        guard n >= 0, n <= 38 else { return nil }
        let (r, o) = v.multipliedReportingOverflow(by: pow10(n))
        guard !o, r.magnitude < limit.magnitude else { return nil }
        return r
    }

    /// `rescale` for values from input: nil when scaling up leaves 38 digits.
    public static func rescaleChecked(_ v: Int128, from: Int, to: Int) -> Int128? {
        to > from ? scaledUp(v, by: to - from) : rescale(v, from: from, to: to)
    }

    /// Changes scale, rounding half away from zero when digits are dropped (as PostgreSQL does).
    /// Scaling up must fit (callers with values from input use `rescaleChecked`).
    @inline(__always)
    public static func rescale(_ v: Int128, from: Int, to: Int) -> Int128 {
        if from == to { return v }
        if to > from { return v * pow10(to - from) }
        // Dropping more digits than a decimal has leaves nothing.
        if from - to > 38 { return 0 }
        let d = pow10(from - to)
        let q = v / d
        let r = v % d
        if r.magnitude * 2 >= d.magnitude { return v < 0 ? q - 1 : q + 1 }
        return q
    }

    /// Divides with rounding half away from zero.
    @inline(__always)
    public static func divideRounded(_ n: Int128, _ d: Int128) -> Int128 {
        let q = n / d
        let r = n % d
        if r.magnitude * 2 >= d.magnitude { return (n < 0) != (d < 0) ? q - 1 : q + 1 }
        return q
    }

    /// Parses `-123.4500`, `1e3`, `.5` into a value at the given scale. Nil if not a number.
    public static func parse(_ text: some StringProtocol, scale: Int) -> Int128? {
        var s = Substring(text).trimmingCharacters(in: [" "])[...]
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let exp = Int(s[s.index(after: e)...]) else { return nil }
            // Far beyond any scale: only zero survives either way; clamped so the scale
            // arithmetic below cannot overflow.
            exponent = max(-10_000, min(10_000, exp))
            s = s[..<e]
        }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        var digits: Int128 = 0
        var fraction = 0
        var seenPoint = false
        var any = false
        for ch in s.utf8 {
            if ch == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard ch >= 48, ch <= 57 else { return nil }
            any = true
            if digits >= pow10(37) {
                // More significant digits than 128 bits hold: the rest cannot change the value
                // at any scale meshql uses, except as magnitude before the point.
                if !seenPoint { fraction -= 1 }
                continue
            }
            digits = digits * 10 + Int128(ch - 48)
            if seenPoint { fraction += 1 }
        }
        guard any else { return nil }
        let effectiveScale = fraction - exponent
        var v: Int128
        if effectiveScale <= scale {
            let up = scale - effectiveScale
            guard up <= 38 else { return digits == 0 ? 0 : nil }
            let (r, o) = digits.multipliedReportingOverflow(by: pow10(up))
            if o { return nil }
            v = r
        } else {
            let down = effectiveScale - scale
            v = down > 38 ? 0 : rescale(digits, from: down, to: 0)
        }
        return negative ? -v : v
    }

    /// Formats with exactly `scale` fractional digits, as PostgreSQL prints numeric(p,s).
    public static func format(_ v: Int128, scale: Int) -> String {
        let negative = v < 0
        var digits = String(v.magnitude)
        if scale > 0 {
            if digits.count <= scale {
                digits = String(repeating: "0", count: scale - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    public static func toDouble(_ v: Int128, scale: Int) -> Double {
        // `Double(Int128)` goes through the standard library's generic conversion, which is
        // slow enough to show in TPC-H q9's profile; a value that fits 64 bits (nearly all)
        // converts directly, with the same result. The divisor is exact up to 1e22.
        let divisor = scale >= 0 && scale < doublePowersOfTen.count ? doublePowersOfTen[scale] : Double(pow10(scale))
        if let small = Int64(exactly: v) { return Double(small) / divisor }
        return Double(v) / divisor
    }

    /// 10^0 … 10^38 as doubles (correctly rounded from their decimal text).
    static let doublePowersOfTen: [Double] = (0...38).map { Double("1e\($0)")! }

    /// Converts a double to a scaled value, rounding to the scale. Nil on overflow or NaN.
    public static func fromDouble(_ d: Double, scale: Int) -> Int128? {
        guard d.isFinite else { return nil }
        let scaled = (d * Double(pow10(scale))).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 1.0e37 else { return nil }
        // Double → Int128 through the shortest text form keeps 0.1 as 0.1, not 0.1000000000000000055.
        if let exact = parse(String(d), scale: scale) { return exact }
        return Int128(scaled)
    }
}
