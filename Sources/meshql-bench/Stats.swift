import Foundation

/// Monotonic wall-clock time in seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// User + system CPU seconds of this process so far.
func processCPU() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return seconds(u.ru_utime) + seconds(u.ru_stime)
}

func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// `12.35 M` style rates.
func rate(_ perSecond: Double) -> String {
    if perSecond >= 1e6 { return String(format: "%.2f M", perSecond / 1e6) }
    if perSecond >= 1e3 { return String(format: "%.1f k", perSecond / 1e3) }
    return String(format: "%.0f", perSecond)
}

func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }

/// Left-aligned first column, right-aligned others.
func table(_ rows: [[String]]) -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: width)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        r.enumerated().map { i, c in
            let pad = String(repeating: " ", count: widths[i] - c.count)
            return i == 0 ? c + pad : pad + c
        }.joined(separator: "   ")
    }.joined(separator: "\n")
}
