import MeshCore
typealias MeshCoreColumn = Column

/// The hash of a tuple of key words. The final mix makes both the high bits (`JoinTable` groups)
/// and the low bits (`KeyTable` slots) depend on every bit of every word.
enum KeyHash {
    @inline(__always)
    static func hash(_ key: UnsafePointer<Int64>, _ width: Int) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for k in 0..<width {
            h = (h ^ UInt64(bitPattern: key[k])) &* 0x9E37_79B9_7F4A_7C15
            h ^= h &>> 32
        }
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h &>> 29)
    }

    @inline(__always)
    static func equal(_ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ width: Int) -> Bool {
        for k in 0..<width where a[k] != b[k] { return false }
        return true
    }
}

/// An open-addressing hash table from fixed-width tuples of 64-bit key codes to dense ids
/// (0, 1, 2, … in insertion order). GROUP BY uses the id as the group number.
///
/// A slot is one word, the high 32 bits of the key's hash next to its id, followed by the key
/// itself, so a lookup reads one place and compares the key only when those bits agree.
/// Lookups go a batch at a time over raw pointers; the table grows between runs of rows,
/// never inside one.
struct KeyTable {
    /// Key words per entry: the codes, plus one word of NULL flags.
    let width: Int
    /// Words per slot: the tag-and-id word, then the key.
    private let slotWidth: Int
    /// Per slot: 0 = empty, else `hash & tagMask | (id + 1)`; then `width` key words.
    private var slots: [Int64]
    private var mask: Int
    /// Ids the table holds before it grows: a quarter of the slots while the table is small
    /// (cache-resident, so sparse costs little and saves collisions), then half.
    private var limit: Int
    private(set) var count = 0
    /// One key column starts in the dense form (see `DenseKeyIDs`), and leaves it for good
    /// when its codes spread too far.
    private var dense: DenseKeyIDs?

    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

    private static func limit(_ slots: Int) -> Int { slots <= 1 << 16 ? slots / 4 : slots / 2 }

    init(keyColumns: Int, capacity: Int = 1024) {
        width = keyColumns + 1
        slotWidth = width + 1
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slots = [Int64](repeating: 0, count: cap * slotWidth)
        mask = cap - 1
        limit = Self.limit(cap)
        if keyColumns == 1 { dense = DenseKeyIDs() }
    }

    /// The id of every row's key, inserting keys not seen before; new ids count up from
    /// `count` in order of first appearance.
    mutating func findOrInsert(_ rows: KeyRows, ids: inout [Int32]) {
        precondition(rows.width == width, "KeyTable: key width mismatch")
        let n = rows.count
        if ids.count != n { ids = [Int32](repeating: 0, count: n) }
        guard n > 0 else { return }
        if dense != nil {
            var next = count
            let done = rows.words.withUnsafeBufferPointer { words in
                ids.withUnsafeMutableBufferPointer { out in
                    dense!.findOrInsert(words.baseAddress!, rows: n, count: &next, into: out.baseAddress!)
                }
            }
            count = next
            if done { return }
            leaveDense()
        }
        var start = 0
        rows.words.withUnsafeBufferPointer { words in
            ids.withUnsafeMutableBufferPointer { out in
                while start < n {
                    if count == limit { grow() }
                    // Each row adds at most one id, so this run cannot outgrow the table.
                    let end = min(n, start + (limit - count))
                    insertRun(words.baseAddress!, start..<end, out.baseAddress!)
                    start = end
                }
            }
        }
    }

    private mutating func insertRun(_ words: UnsafePointer<Int64>, _ range: Range<Int>, _ out: UnsafeMutablePointer<Int32>) {
        let mask = self.mask
        var count = self.count
        slots.withUnsafeMutableBufferPointer { slotBuffer in
            let table = slotBuffer.baseAddress!
            // Inlined twice: with the width a constant (one key column, the usual GROUP BY)
            // the hash and the comparison unroll.
            @inline(__always) func run(_ w: Int) {
                let sw = w &+ 1
                for r in range {
                    let key = words + r &* w
                    let h = KeyHash.hash(key, w)
                    let tag = h & Self.tagMask
                    var slot = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let e = table + slot &* sw
                        let head = UInt64(bitPattern: e[0])
                        if head == 0 {
                            e[0] = Int64(bitPattern: tag | UInt64(count &+ 1))
                            for q in 0..<w { e[1 &+ q] = key[q] }
                            out[r] = Int32(truncatingIfNeeded: count)
                            count &+= 1
                            break
                        }
                        if head & Self.tagMask == tag, KeyHash.equal(e + 1, key, w) {
                            out[r] = Int32(truncatingIfNeeded: Int(truncatingIfNeeded: head & 0xFFFF_FFFF) &- 1)
                            break
                        }
                        slot = (slot &+ 1) & mask
                    }
                }
            }
            if width == 2 { run(2) } else { run(width) }
        }
        self.count = count
    }

    /// Moves every group of the dense form into the slots, under the id it has.
    private mutating func leaveDense() {
        guard let d = dense else { return }
        dense = nil
        while limit <= count { grow() }
        let mask = self.mask, sw = slotWidth
        var key: [Int64] = [0, 0]
        slots.withUnsafeMutableBufferPointer { slotBuffer in
            let table = slotBuffer.baseAddress!
            key.withUnsafeMutableBufferPointer { k in
                let kp = k.baseAddress!
                d.forEachGroup { code, id in
                    kp[0] = code ?? 0
                    kp[1] = code == nil ? 1 : 0
                    let h = KeyHash.hash(kp, 2)
                    var slot = Int(truncatingIfNeeded: h) & mask
                    while table[slot &* sw] != 0 { slot = (slot &+ 1) & mask }
                    let e = table + slot &* sw
                    e[0] = Int64(bitPattern: h & Self.tagMask | UInt64(id &+ 1))
                    e[1] = kp[0]
                    e[2] = kp[1]
                }
            }
        }
    }

    private mutating func grow() {
        let oldCap = mask + 1, cap = oldCap * 2
        precondition(cap / 2 < Int(Int32.max), "KeyTable: too many distinct keys")
        let w = width, sw = slotWidth, newMask = cap - 1
        var grown = [Int64](repeating: 0, count: cap * sw)
        slots.withUnsafeBufferPointer { old in
            grown.withUnsafeMutableBufferPointer { new in
                for s in 0..<oldCap where old[s &* sw] != 0 {
                    let e = old.baseAddress! + s &* sw
                    var slot = Int(truncatingIfNeeded: KeyHash.hash(e + 1, w)) & newMask
                    while new[slot &* sw] != 0 { slot = (slot &+ 1) & newMask }
                    (new.baseAddress! + slot &* sw).update(from: e, count: sw)
                }
            }
        }
        slots = grown
        mask = newMask
        limit = Self.limit(cap)
    }
}

/// The key columns of a batch encoded row by row: per row the column codes, then one word
/// of NULL flags (bit k: column k is NULL), `width` words in all — except in the join form of
/// a single NULL-free integer key (see `forJoin`), which is the column itself, one word a row.
struct KeyRows {
    let width: Int
    let count: Int
    var words: [Int64]
    /// Rows whose key has a NULL (or a value unknown to the build side).
    var missing: [Bool]
    var anyMissing: Bool

    private init(width: Int, count: Int, words: [Int64], missing: [Bool], anyMissing: Bool) {
        self.width = width
        self.count = count
        self.words = words
        self.missing = missing
        self.anyMissing = anyMissing
    }

    /// Keys for `JoinTable`, which reads only the codes: one NULL-free integer column (the
    /// common join key) is taken as it is, without copying; anything else is encoded as usual.
    /// The codes are the same either way, so the two sides of a join may differ in form.
    static func forJoin(columns: [MeshCoreColumn], encoders: [KeyEncoder], insert: Bool, rowCount: Int) -> KeyRows {
        if columns.count == 1, !columns[0].validity.hasNulls, columns[0].count == rowCount {
            switch columns[0].storage {
            case .int(let a), .timestamp(let a):
                return KeyRows(width: 1, count: rowCount, words: a,
                               missing: [Bool](repeating: false, count: rowCount), anyMissing: false)
            default:
                break
            }
        }
        return KeyRows(columns: columns, encoders: encoders, insert: insert, rowCount: rowCount)
    }

    init(columns: [MeshCoreColumn], encoders: [KeyEncoder], insert: Bool, rowCount: Int) {
        let w = columns.count + 1
        var words = [Int64](repeating: 0, count: rowCount * w)
        var missing = [Bool](repeating: false, count: rowCount)
        var any = false
        if columns.count == 1 {
            // One column: its missing rows are the rows' missing rows.
            words.withUnsafeMutableBufferPointer { wp in
                missing.withUnsafeMutableBufferPointer { mp in
                    any = encoders[0].encode(columns[0], insert: insert, into: wp.baseAddress!, stride: w,
                                             missing: mp.baseAddress!)
                    if any { for r in 0..<rowCount where mp[r] { wp[r * w + 1] = 1 } }
                }
            }
        } else {
            var colMissing = [Bool](repeating: false, count: rowCount)
            for (k, col) in columns.enumerated() {
                words.withUnsafeMutableBufferPointer { wp in
                    colMissing.withUnsafeMutableBufferPointer { cm in
                        guard encoders[k].encode(col, insert: insert, into: wp.baseAddress! + k, stride: w,
                                                 missing: cm.baseAddress!) else { return }
                        any = true
                        missing.withUnsafeMutableBufferPointer { mp in
                            for r in 0..<rowCount where cm[r] {
                                mp[r] = true
                                wp[r * w + w - 1] |= 1 << Int64(k)
                                cm[r] = false
                            }
                        }
                    }
                }
            }
        }
        self.width = w
        self.count = rowCount
        self.words = words
        self.missing = missing
        self.anyMissing = any
    }
}
