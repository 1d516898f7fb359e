import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Zeroed, 64-byte aligned words for `JoinTable`'s groups: a group never straddles two cache
/// lines. Written only while the table is built, read-only afterwards.
///
/// Large tables (4 MiB and up) live in their own mappings, on Linux marked for transparent
/// huge pages: probes land on random lines all over the table, and a fresh mapping of 4 KiB
/// pages costs a page fault per page (on a VM over 2 µs each: 20 ms for the table of a
/// million keys). A freed mapping goes back to `TableMemory`, so the next join in the process
/// only has to clear it.
final class GroupStorage {
    let base: UnsafeMutablePointer<Int64>
    let count: Int
    private let block: TableMemory.Block?

    init(words: Int) {
        count = max(1, words)
        let bytes = count * 8
        if bytes >= TableMemory.threshold, let block = TableMemory.shared.take(bytes: bytes) {
            self.block = block
            base = block.start.bindMemory(to: Int64.self, capacity: count)
            return
        }
        block = nil
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        base = raw.initializeMemory(as: Int64.self, repeating: 0, count: count)
    }

    deinit {
        if let block { TableMemory.shared.give(block) } else { base.deallocate() }
    }
}

/// Large zeroed blocks for hash tables, and a small cache of freed ones.
///
/// The kernel zeroes every page it hands out; on the VMs this runs on that costs several
/// times what `memset` of memory already mapped costs, so up to `keptBlocks` freed blocks
/// (at most `keptBytes` in all) are kept and cleared again on reuse, as malloc does for
/// smaller blocks.
final class TableMemory: Sendable {
    static let shared = TableMemory()
    /// Blocks this large or larger are mapped; smaller ones come from malloc.
    static let threshold = 4 << 20
    static let keptBlocks = 2
    static let keptBytes = 256 << 20
    private static let hugePage = 2 << 20

    /// One mapping: `start` is huge-page aligned, `usable` bytes from there are ours.
    struct Block: @unchecked Sendable {
        // @unchecked: the pointers are owned by exactly one table or by the cache at a time.
        let mapping: UnsafeMutableRawPointer
        let length: Int
        let start: UnsafeMutableRawPointer
        let usable: Int
    }

    private let kept = Mutex<[Block]>([])

    /// A zeroed block of at least `bytes`, or nil when no mapping can be made.
    func take(bytes: Int) -> Block? {
        // Best fit among the kept blocks, if one is not wastefully large.
        let reused: Block? = kept.withLock { blocks in
            var best: Int?
            for (i, b) in blocks.enumerated() where b.usable >= bytes && b.usable <= 4 * bytes {
                if best == nil || b.usable < blocks[best!].usable { best = i }
            }
            return best.map { blocks.remove(at: $0) }
        }
        if let reused {
            reused.start.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            return reused
        }
        return Self.map(bytes: bytes)
    }

    /// Keeps a block for reuse, or unmaps it.
    func give(_ block: Block) {
        let evicted: [Block] = kept.withLock { blocks in
            blocks.append(block)
            var evicted: [Block] = []
            // Drop the oldest beyond the limits.
            while blocks.count > Self.keptBlocks || blocks.reduce(0, { $0 + $1.length }) > Self.keptBytes {
                evicted.append(blocks.removeFirst())
            }
            return evicted
        }
        for b in evicted { Self.unmap(b) }
    }

    /// A fresh anonymous mapping (zero-filled by the kernel), over-allocated by one huge page
    /// so the block can start on a huge-page boundary.
    private static func map(bytes: Int) -> Block? {
        #if os(Linux)
        let length = bytes + hugePage
        guard let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        let address = (UInt(bitPattern: raw) + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
        let start = UnsafeMutableRawPointer(bitPattern: address)!
        _ = madvise(start, bytes, MADV_HUGEPAGE)   // advice only: without it, 4 KiB pages
        return Block(mapping: raw, length: length, start: start, usable: length - (Int(address) - Int(bitPattern: raw)))
        #else
        return nil
        #endif
    }

    private static func unmap(_ block: Block) {
        #if os(Linux)
        munmap(block.mapping, block.length)
        #endif
    }
}
