import MeshCore
typealias MeshCoreColumn = Column

/// An open-addressing hash table from fixed-width tuples of 64-bit key codes to dense ids
/// (0, 1, 2, … in insertion order). GROUP BY uses the id as the group number; the hash join
/// uses it to find the chain of build rows with that key.
struct KeyTable {
    /// Key words per entry: the codes, plus one word of NULL flags.
    let width: Int
    private(set) var keys: [Int64] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(keyColumns: Int, capacity: Int = 1024) {
        width = keyColumns + 1
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
    }

    @inline(__always)
    static func hash(_ words: UnsafeBufferPointer<Int64>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for w in words {
            h = (h ^ UInt64(bitPattern: w)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return h
    }

    /// The id of the key, inserting it when new.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeBufferPointer<Int64>) -> Int32 {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h, equal(Int(id), key) { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(count)
        slots[slot] = id
        hashes.append(h)
        keys.append(contentsOf: key)
        count += 1
        if count * 2 > slots.count { grow() }
        return id
    }

    /// The id of the key, or -1.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<Int64>) -> Int32 {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return -1 }
            if hashes[Int(id)] == h, equal(Int(id), key) { return id }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private func equal(_ id: Int, _ key: UnsafeBufferPointer<Int64>) -> Bool {
        let base = id * width
        for k in 0..<width where keys[base + k] != key[k] { return false }
        return true
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        for id in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }
}

/// Encodes the key columns of a batch row by row into `KeyTable` tuples.
struct KeyRows {
    let width: Int
    var words: [Int64]
    /// Rows whose key has a NULL (or a value unknown to the build side).
    var missing: [Bool]

    init(columns: [MeshCoreColumn], encoders: [KeyEncoder], insert: Bool, rowCount: Int) {
        width = columns.count + 1
        words = [Int64](repeating: 0, count: rowCount * width)
        missing = [Bool](repeating: false, count: rowCount)
        var codes: [Int64] = []
        var miss: [Bool] = []
        for (k, col) in columns.enumerated() {
            encoders[k].encode(col, insert: insert, into: &codes, missing: &miss)
            for r in 0..<rowCount {
                words[r * width + k] = codes[r]
                if miss[r] {
                    missing[r] = true
                    words[r * width + columns.count] |= 1 << Int64(k)
                }
            }
        }
    }
}
