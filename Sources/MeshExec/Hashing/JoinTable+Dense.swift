/// The dense form of `JoinTable`, for one key column whose codes fill a range no wider than
/// twice the build side (surrogate keys, ids, dates, and strings or decimals, whose codes are
/// dictionary numbers 0, 1, 2, …): the key minus the smallest key indexes an array of info
/// words (as in a hash slot: row count, then the one row or the end of the key's rows). No
/// hashing, no collisions, and at most 16 bytes per build row against the hashed form's 32,
/// so more of it stays cached.
extension JoinTable {
    /// Widest key range, as a multiple of the rows, that the dense form takes.
    static let denseSpread = 2

    static func dense(_ build: KeyRows) -> JoinTable? {
        let n = build.count, stride = build.width
        guard n > 0 else { return nil }
        // The range of the codes that take part.
        var lo = Int64.max, hi = Int64.min
        build.words.withUnsafeBufferPointer { words in
            build.missing.withUnsafeBufferPointer { missing in
                if build.anyMissing {
                    for r in 0..<n where !missing[r] {
                        let k = words[r &* stride]
                        lo = min(lo, k)
                        hi = max(hi, k)
                    }
                } else {
                    for r in 0..<n {
                        let k = words[r &* stride]
                        lo = min(lo, k)
                        hi = max(hi, k)
                    }
                }
            }
        }
        guard lo <= hi else { return nil }   // every key NULL
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        guard !overflow, span < Int64(denseSpread * n), span < Int64(Int32.max) else { return nil }
        let size = Int(span) + 1
        let storage = GroupStorage(words: size)
        let table = storage.base
        var duplicates = false
        var keyRows: [Int32] = []
        build.words.withUnsafeBufferPointer { wordBuffer in
            build.missing.withUnsafeBufferPointer { missing in
                let words = wordBuffer.baseAddress!
                for r in 0..<n where !missing[r] {
                    let e = table + Self.offset(words[r &* stride], lo)
                    if e.pointee == 0 {
                        e.pointee = Int64(bitPattern: 1 << 32 | UInt64(r))
                    } else {
                        e.pointee &+= 1 << 32
                        duplicates = true
                    }
                }
                guard duplicates else { return }
                // As in the hashed form: ranges of `rows` for keys with several rows, filled in
                // build order.
                var next: UInt64 = 0
                for d in 0..<size {
                    let count = UInt64(bitPattern: table[d]) >> 32
                    if count > 1 {
                        table[d] = Int64(bitPattern: count << 32 | next)
                        next += count
                    }
                }
                var rows = [Int32](repeating: 0, count: Int(next))
                rows.withUnsafeMutableBufferPointer { rows in
                    for r in 0..<n where !missing[r] {
                        let e = table + Self.offset(words[r &* stride], lo)
                        let info = UInt64(bitPattern: e.pointee)
                        guard info >> 32 > 1 else { continue }
                        rows[Int(info & 0xFFFF_FFFF)] = Int32(truncatingIfNeeded: r)
                        e.pointee = Int64(bitPattern: info &+ 1)
                    }
                }
                keyRows = rows
            }
        }
        let entered = build.anyMissing ? build.missing.reduce(0) { $0 + ($1 ? 0 : 1) } : n
        return JoinTable(dense: storage, base: lo, rows: keyRows, isEmpty: entered == 0)
    }

    /// A build key's place: exact, as every build key lies within `lo ... lo + span`.
    @inline(__always)
    private static func offset(_ k: Int64, _ lo: Int64) -> Int {
        Int(truncatingIfNeeded: UInt64(bitPattern: k) &- UInt64(bitPattern: lo))
    }

    /// `lookup` for the dense form; returns the number of pairs.
    func lookupDense(_ probe: KeyRows, _ table: UnsafePointer<Int64>, _ base: Int64, _ size: Int,
                     into infos: inout [Int64]) -> Int {
        let n = probe.count, stride = probe.width
        let limit = UInt64(size)
        var pairs = 0
        probe.words.withUnsafeBufferPointer { words in
            probe.missing.withUnsafeBufferPointer { missing in
                infos.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n where !missing[i] {
                        let k = words[i &* stride]
                        // Unsigned difference: exact for k >= base, whatever the magnitudes.
                        let d = UInt64(bitPattern: k) &- UInt64(bitPattern: base)
                        guard k >= base, d < limit else { continue }
                        let info = table[Int(truncatingIfNeeded: d)]
                        out[i] = info
                        pairs &+= Int(truncatingIfNeeded: UInt64(bitPattern: info) >> 32)
                    }
                }
            }
        }
        return pairs
    }
}
