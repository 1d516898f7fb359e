import Foundation

/// Distinct counts estimated from a sample, for sources that would otherwise count them over
/// the whole table.
public enum DistinctEstimate {
    /// The distinct values `D` among `rows` from which a uniform draw of `sample` values finds
    /// `distinct` different ones: the root of `D · (1 − e^(−sample / D)) = distinct`, between
    /// `distinct` and `rows` (`rows` when even that many values would show fewer repeats).
    /// 19,030 different among 20,000 drawn means about 200,000 values, not 1.9 M.
    public static func fromSample(distinct: Double, of sample: Double, rows: Double) -> Double {
        guard sample > 0, distinct > 0, rows > distinct else { return max(0, distinct) }
        func found(_ d: Double) -> Double { d * (1 - exp(-sample / d)) }
        if distinct >= sample || found(rows) <= distinct { return rows }
        var lo = distinct, hi = rows
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if found(mid) < distinct { lo = mid } else { hi = mid }
            if hi - lo < 0.5 { break }
        }
        return (lo + hi) / 2
    }
}
