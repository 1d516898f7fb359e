import Synchronization

/// The build side of a hash join, loaded once and then only probed.
///
/// An open-addressing table of the distinct build keys, keys stored in the slots, slots in
/// groups of four that share one 64-byte cache line (for one key column): a probe usually
/// reads one line and checks its four slots without branching on each. A slot is `width` key
/// words and an info word: the number of build rows with that key (high 32 bits; 0 = empty)
/// and either the one build row (count 1) or the end of the key's rows in `rows` (count > 1),
/// where the rows of one key lie together in build order. Groups fill front to back and
/// nothing is deleted, so a group with an empty slot ends every search that reaches it.
///
/// Loads and probes go a chunk of rows at a time: home groups first (arithmetic only), then
/// short loops that read each row's home group and, when that is full, the next group (see
/// `touch`), then the branchy work on lines now cached. The chunk is small enough for its lines
/// and pages to stay cached meanwhile.
///
/// Rows with a NULL key (`KeyRows.missing`) are never entered and never probed: NULL matches
/// nothing.
struct JoinTable {
    /// Key words per slot: the key columns (the NULL-flag word of `KeyRows` is zero for every
    /// row that takes part).
    let width: Int
    private let slotWidth: Int
    private let groupCount: Int
    private let storage: GroupStorage?
    /// Dense form (`JoinTable+Dense.swift`): the smallest key, and `storage` holds one info word
    /// per key value from there instead of groups.
    let denseBase: Int64?
    private(set) var rows: [Int32] = []
    private(set) var isEmpty = true

    static let slotsPerGroup = 4
    private static let chunk = 256

    /// A table without rows.
    init() {
        width = 0
        slotWidth = 1
        groupCount = 0
        storage = nil
        denseBase = nil
    }

    /// The dense form: see `JoinTable+Dense.swift`.
    init(dense storage: GroupStorage, base: Int64, rows: [Int32], isEmpty: Bool) {
        width = 1
        slotWidth = 2
        groupCount = storage.count
        self.storage = storage
        denseBase = base
        self.rows = rows
        self.isEmpty = isEmpty
    }

    /// The table for a build side: dense when the keys allow it, else hashed.
    static func build(_ build: KeyRows, keyColumns: Int) -> JoinTable {
        if keyColumns == 1, let dense = dense(build) { return dense }
        return JoinTable(build, keyColumns: keyColumns)
    }

    init(_ build: KeyRows, keyColumns: Int) {
        precondition(build.count < Int(Int32.max), "hash join: build side too large")
        let n = build.count
        let w = keyColumns, sw = keyColumns + 1, stride = build.width, gw = Self.slotsPerGroup * sw
        // At most half full: 96% of keys sit in their home group and nearly all others in the
        // next one, the two lines `touch` reads. (Fuller tables send a few percent of probes
        // further, each a cache miss nobody prefetched.)
        let groups = max(4, (n * 2 + Self.slotsPerGroup - 1) / Self.slotsPerGroup)
        let storage = GroupStorage(words: groups * gw)
        width = w
        slotWidth = sw
        groupCount = groups
        self.storage = storage
        denseBase = nil
        var entered = 0
        var duplicates = false
        var keyRows: [Int32] = []
        let table = storage.base
        let home = UnsafeMutablePointer<Int>.allocate(capacity: Self.chunk)
        let scratch = UnsafeMutablePointer<Int64>.allocate(capacity: Self.chunk)
        defer { home.deallocate(); scratch.deallocate() }
        build.words.withUnsafeBufferPointer { wordBuffer in
            build.missing.withUnsafeBufferPointer { missing in
                let words = wordBuffer.baseAddress!
                var start = 0
                while start < n {
                    let m = min(n - start, Self.chunk)
                    Self.homeGroups(words + start &* stride, stride: stride, width: w, count: m, groups: groups,
                                    into: home)
                    Self.touch(table, home, m, gw, sw, w, groups, scratch: scratch)
                    if w == 1 {
                        entered &+= Self.enterOneWord(table, words, stride, start, m, home, missing.baseAddress!,
                                                      groups, &duplicates)
                    } else {
                        for j in 0..<m where !missing[start &+ j] {
                            let r = start &+ j
                            let key = words + r &* stride
                            var g = home[j]
                            while true {
                                let p = table + g &* gw
                                var t = 0
                                var placed = false
                                while t < Self.slotsPerGroup {
                                    let e = p + t &* sw
                                    if e[w] == 0 {
                                        for q in 0..<w { e[q] = key[q] }
                                        e[w] = Int64(bitPattern: 1 << 32 | UInt64(r))
                                        placed = true
                                        break
                                    }
                                    if KeyHash.equal(e, key, w) {
                                        e[w] &+= 1 << 32
                                        duplicates = true
                                        placed = true
                                        break
                                    }
                                    t &+= 1
                                }
                                if placed { break }
                                g = g &+ 1 == groups ? 0 : g &+ 1
                            }
                            entered &+= 1
                        }
                    }
                    start += m
                }
                guard duplicates else { return }
                // Keys with several rows: give each a range of `rows`; the info word's low half
                // walks from the range's start to its end as the rows are placed.
                var next: UInt64 = 0
                for s in 0..<(groups * Self.slotsPerGroup) {
                    let at = s &* sw &+ w
                    let count = UInt64(bitPattern: table[at]) >> 32
                    if count > 1 {
                        table[at] = Int64(bitPattern: count << 32 | next)
                        next += count
                    }
                }
                // Rows go in build order; finding each row's slot again costs a pass over the
                // table, paid only when some key has several rows.
                var rows = [Int32](repeating: 0, count: Int(next))
                rows.withUnsafeMutableBufferPointer { rows in
                    for r in 0..<n where !missing[r] {
                        let key = words + r &* stride
                        let e = Self.find(table, key, w, sw, groups, Self.homeGroup(KeyHash.hash(key, w), groups))!
                        let info = UInt64(bitPattern: e[w])
                        guard info >> 32 > 1 else { continue }
                        rows[Int(info & 0xFFFF_FFFF)] = Int32(truncatingIfNeeded: r)
                        e[w] = Int64(bitPattern: info &+ 1)
                    }
                }
                keyRows = rows
            }
        }
        self.rows = keyRows
        self.isEmpty = entered == 0
    }

    /// `init`'s loop for one key word, where a group is four (key, info) pairs in one line and
    /// all four are checked at once. Returns the number of rows entered.
    @inline(__always)
    private static func enterOneWord(_ table: UnsafeMutablePointer<Int64>, _ words: UnsafePointer<Int64>, _ stride: Int,
                                     _ start: Int, _ m: Int, _ home: UnsafePointer<Int>,
                                     _ missing: UnsafePointer<Bool>, _ groups: Int, _ duplicates: inout Bool) -> Int {
        var entered = 0
        for j in 0..<m where !missing[start &+ j] {
            let r = start &+ j
            let k = words[r &* stride]
            var g = home[j]
            while true {
                let p = table + g &* 8
                let i0 = p[1], i1 = p[3], i2 = p[5], i3 = p[7]
                let hits = (p[0] == k ? 1 : 0) & (i0 != 0 ? 1 : 0)
                    | (p[2] == k ? 2 : 0) & (i1 != 0 ? 2 : 0)
                    | (p[4] == k ? 4 : 0) & (i2 != 0 ? 4 : 0)
                    | (p[6] == k ? 8 : 0) & (i3 != 0 ? 8 : 0)
                if hits != 0 {
                    p[2 &* hits.trailingZeroBitCount &+ 1] &+= 1 << 32
                    duplicates = true
                    break
                }
                let empty = (i0 == 0 ? 1 : 0) | (i1 == 0 ? 2 : 0) | (i2 == 0 ? 4 : 0) | (i3 == 0 ? 8 : 0)
                if empty != 0 {
                    let t = empty.trailingZeroBitCount
                    p[2 &* t] = k
                    p[2 &* t &+ 1] = Int64(bitPattern: 1 << 32 | UInt64(r))
                    break
                }
                g = g &+ 1 == groups ? 0 : g &+ 1
            }
            entered &+= 1
        }
        return entered
    }

    /// A hash's group: the high bits scaled to the group count (no power of two needed).
    @inline(__always)
    static func homeGroup(_ h: UInt64, _ groups: Int) -> Int {
        Int(truncatingIfNeeded: ((h &>> 32) &* UInt64(truncatingIfNeeded: groups)) &>> 32)
    }

    @inline(__always)
    private static func homeGroups(_ words: UnsafePointer<Int64>, stride: Int, width: Int, count: Int, groups: Int,
                                   into out: UnsafeMutablePointer<Int>) {
        if width == 1 {
            for i in 0..<count { out[i] = homeGroup(KeyHash.hash(words + i &* stride, 1), groups) }
        } else {
            for i in 0..<count { out[i] = homeGroup(KeyHash.hash(words + i &* stride, width), groups) }
        }
    }

    /// Reads each row's home group (its last slot's info word: non-zero when the group is full)
    /// and, for a full group, the next group, where the search goes on. Two short loops whose
    /// loads do not depend on each other, so the processor keeps dozens of cache misses in
    /// flight; the branchy loop after them then finds its lines cached. The loaded values only
    /// go to `touchSink`, which keeps the compiler from dropping the loads.
    @inline(__always)
    private static func touch(_ table: UnsafePointer<Int64>, _ home: UnsafePointer<Int>, _ m: Int, _ gw: Int,
                              _ sw: Int, _ w: Int, _ groups: Int, scratch: UnsafeMutablePointer<Int64>) {
        let last = (slotsPerGroup - 1) &* sw &+ w
        for j in 0..<m { scratch[j] = table[home[j] &* gw &+ last] }
        var x: Int64 = 0
        for j in 0..<m {
            let g = home[j]
            let next = g &+ 1 == groups ? 0 : g &+ 1
            x ^= table[(scratch[j] != 0 ? next : g) &* gw &+ last]
        }
        touchSink.store(x, ordering: .relaxed)
    }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private static func find(_ table: UnsafeMutablePointer<Int64>, _ key: UnsafePointer<Int64>, _ w: Int, _ sw: Int,
                             _ groups: Int, _ home: Int) -> UnsafeMutablePointer<Int64>? {
        var g = home
        let gw = slotsPerGroup * sw
        while true {
            let p = table + g &* gw
            for t in 0..<slotsPerGroup {
                let e = p + t &* sw
                if e[w] == 0 { return nil }
                if KeyHash.equal(e, key, w) { return e }
            }
            g = g &+ 1 == groups ? 0 : g &+ 1
        }
    }

    /// Looks every probe row up: its key's info word (row count and row, or end of rows), 0
    /// when nothing matches. The pairs come from `ProbeMatches.expand`, a bounded number at a
    /// time: a key shared by a million build rows, probed by a batch of rows that all carry it,
    /// means billions of pairs, which must not be listed at once.
    func lookup(_ probe: KeyRows) -> ProbeMatches {
        let n = probe.count
        var infos = [Int64](repeating: 0, count: n)
        guard n > 0, !isEmpty, let storage else { return ProbeMatches(infos: infos, rows: rows, pairs: 0) }
        if let denseBase {
            let pairs = lookupDense(probe, storage.base, denseBase, storage.count, into: &infos)
            return ProbeMatches(infos: infos, rows: rows, pairs: pairs)
        }
        let stride = probe.width, w = width, sw = slotWidth, groups = groupCount, gw = Self.slotsPerGroup * sw
        let table = storage.base
        let home = UnsafeMutablePointer<Int>.allocate(capacity: Self.chunk)
        let scratch = UnsafeMutablePointer<Int64>.allocate(capacity: Self.chunk)
        defer { home.deallocate(); scratch.deallocate() }
        var pairs = 0
        probe.words.withUnsafeBufferPointer { wordBuffer in
            probe.missing.withUnsafeBufferPointer { missing in
                infos.withUnsafeMutableBufferPointer { out in
                    let words = wordBuffer.baseAddress!
                    var start = 0
                    while start < n {
                        let m = min(n - start, Self.chunk)
                        Self.homeGroups(words + start &* stride, stride: stride, width: w, count: m, groups: groups,
                                        into: home)
                        Self.touch(table, home, m, gw, sw, w, groups, scratch: scratch)
                        if w == 1 {
                            // One key word: slots are (key, info) pairs, a group is one line.
                            for j in 0..<m where !missing[start &+ j] {
                                let i = start &+ j
                                let k = words[i &* stride]
                                var g = home[j]
                                while true {
                                    let p = table + g &* 8
                                    // All four slots at once, without a branch per slot.
                                    let i0 = p[1], i1 = p[3], i2 = p[5], i3 = p[7]
                                    let hits = (p[0] == k ? 1 : 0) & (i0 != 0 ? 1 : 0)
                                        | (p[2] == k ? 2 : 0) & (i1 != 0 ? 2 : 0)
                                        | (p[4] == k ? 4 : 0) & (i2 != 0 ? 4 : 0)
                                        | (p[6] == k ? 8 : 0) & (i3 != 0 ? 8 : 0)
                                    if hits != 0 {
                                        let info = p[2 &* hits.trailingZeroBitCount &+ 1]
                                        out[i] = info
                                        pairs &+= Int(truncatingIfNeeded: UInt64(bitPattern: info) >> 32)
                                        break
                                    }
                                    if i3 == 0 { break }   // group not full: the key is nowhere
                                    g = g &+ 1 == groups ? 0 : g &+ 1
                                }
                            }
                        } else {
                            for j in 0..<m where !missing[start &+ j] {
                                let i = start &+ j
                                if let e = Self.find(table, words + i &* stride, w, sw, groups, home[j]) {
                                    out[i] = e[w]
                                    pairs &+= Int(truncatingIfNeeded: UInt64(bitPattern: e[w]) >> 32)
                                }
                            }
                        }
                        start += m
                    }
                }
            }
        }
        return ProbeMatches(infos: infos, rows: rows, pairs: pairs)
    }
}

/// What one probe batch matched in a `JoinTable`: per probe row the info word of its key (the
/// number of build rows in the high half; the one row, or the end of the key's rows in `rows`,
/// in the low half; 0 for no match), and the number of pairs in all.
struct ProbeMatches {
    let infos: [Int64]
    /// The table's rows of keys with several rows.
    let rows: [Int32]
    let pairs: Int

    /// Where listing the pairs has got to: a probe row, and how many of its pairs were listed.
    struct Cursor {
        var row = 0
        var skip = 0
    }

    /// Whether each probe row matched.
    var matched: [Bool] { infos.map { $0 != 0 } }

    func isDone(_ cursor: Cursor) -> Bool { cursor.row >= infos.count }

    /// Appends the next pairs from `cursor`, at most `maxPairs` of them: probe rows in order
    /// and, per probe row, build rows in build order.
    func expand(from cursor: inout Cursor, maxPairs: Int, probeRows: inout [Int], buildRows: inout [Int]) {
        let n = infos.count
        var out = PairBuffer(capacity: min(maxPairs, pairs))
        defer {
            probeRows.append(contentsOf: UnsafeBufferPointer(start: out.probe, count: out.count))
            buildRows.append(contentsOf: UnsafeBufferPointer(start: out.build, count: out.count))
            out.deallocate()
        }
        var i = cursor.row, skip = cursor.skip
        infos.withUnsafeBufferPointer { infos in
            rows.withUnsafeBufferPointer { rows in
                while i < n, out.count < maxPairs {
                    let info = UInt64(bitPattern: infos[i])
                    let count = Int(truncatingIfNeeded: info >> 32)
                    let low = Int(truncatingIfNeeded: info & 0xFFFF_FFFF)
                    // `out` has room for every pair up to `maxPairs`: no check per pair.
                    if count == 1 {
                        out.appendReserved(i, low)
                    } else if count > 1 {
                        let take = min(count &- skip, maxPairs &- out.count)
                        let first = low &- count &+ skip
                        for k in first..<(first &+ take) { out.appendReserved(i, Int(rows[k])) }
                        if take < count &- skip {
                            skip &+= take
                            break
                        }
                    }
                    skip = 0
                    i &+= 1
                }
            }
        }
        cursor = Cursor(row: i, skip: skip)
    }

    /// Marks the build rows some probe row matched; returns how many were not marked before.
    /// The rows of one key are marked together, so a key whose first row is marked is skipped:
    /// a batch of probe rows sharing one key costs a row each, not a row per pair.
    func markMatchedBuildRows(_ marked: inout [Bool]) -> Int {
        var newly = 0
        infos.withUnsafeBufferPointer { infos in
            rows.withUnsafeBufferPointer { rows in
                marked.withUnsafeMutableBufferPointer { m in
                    for info in infos where info != 0 {
                        let u = UInt64(bitPattern: info)
                        let count = Int(truncatingIfNeeded: u >> 32)
                        let low = Int(truncatingIfNeeded: u & 0xFFFF_FFFF)
                        if count == 1 {
                            if !m[low] { m[low] = true; newly &+= 1 }
                        } else if !m[Int(rows[low &- count])] {
                            for k in (low &- count)..<low { m[Int(rows[k])] = true }
                            newly &+= count
                        }
                    }
                }
            }
        }
        return newly
    }
}

/// (probe row, build row) pairs in two raw buffers: a checked append per pair costs about as
/// much as the lookup that found it.
struct PairBuffer {
    private(set) var probe: UnsafeMutablePointer<Int>
    private(set) var build: UnsafeMutablePointer<Int>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        probe = .allocate(capacity: self.capacity)
        build = .allocate(capacity: self.capacity)
    }

    /// Room for `extra` more pairs, so that `appendReserved` needs no check.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: max(capacity * 2, count + extra)) }
    }

    @inline(__always)
    mutating func appendReserved(_ p: Int, _ b: Int) {
        probe[count] = p
        build[count] = b
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ p: Int, _ b: Int) {
        if count == capacity { grow(to: capacity * 2) }
        appendReserved(p, b)
    }

    private mutating func grow(to newCapacity: Int) {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        let b = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        p.moveInitialize(from: probe, count: count)
        b.moveInitialize(from: build, count: count)
        probe.deallocate()
        build.deallocate()
        probe = p
        build = b
        capacity = newCapacity
    }

    func deallocate() {
        probe.deallocate()
        build.deallocate()
    }
}

/// Where `JoinTable.touch` drops what it read.
private let touchSink = Atomic<Int64>(0)
