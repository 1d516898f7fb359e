import MeshCore
@testable import MeshExec
import Testing

/// `KeyTable` gives each key an id in order of first appearance, in its dense form (one key
/// column of narrow range), in its hashed form, and across the move from one to the other.
@Suite struct KeyTableTests {
    /// Ids for `batches` of one nullable integer key (nil: NULL) from a fresh table.
    static func ids(_ batches: [[Int64?]]) -> [Int32] {
        var table = KeyTable(keyColumns: 1)
        let encoders = [KeyEncoder()]
        var all: [Int32] = []
        for keys in batches {
            var b = ColumnBuilder(type: .bigint, capacity: keys.count)
            for k in keys { if let k { b.appendInt(k) } else { b.appendNull() } }
            let rows = KeyRows(columns: [b.finish()], encoders: encoders, insert: true, rowCount: keys.count)
            var ids: [Int32] = []
            table.findOrInsert(rows, ids: &ids)
            all += ids
            #expect(table.count == Set(all).count)
        }
        return all
    }

    /// What the ids must be: 0, 1, 2, … by first appearance, NULL one key like any other.
    static func reference(_ batches: [[Int64?]]) -> [Int32] {
        var seen: [Int64?: Int32] = [:]
        return batches.joined().map { k in
            if let id = seen[k] { return id }
            let id = Int32(seen.count)
            seen[k] = id
            return id
        }
    }

    @Test func narrowKeysStayDense() {
        var rng = HashOperatorTests.Rng(state: 11)
        let batches = (0..<20).map { _ in
            (0..<500).map { _ -> Int64? in rng.below(50) == 0 ? nil : Int64(rng.below(3000)) - 1000 }
        }
        #expect(Self.ids(batches) == Self.reference(batches))
    }

    @Test func rangeThatWidensBatchByBatch() {
        // Each batch reaches further up and down: the array grows both ways.
        let batches: [[Int64?]] = (0..<30).map { b in
            let w = Int64(b) * 5000
            return [w, -w, nil, w / 2, 7, -w - 1, w + 1]
        }
        #expect(Self.ids(batches) == Self.reference(batches))
    }

    @Test(arguments: [DenseKeyIDs.maxSpan - 1, DenseKeyIDs.maxSpan, DenseKeyIDs.maxSpan * 4, Int64.max])
    func keysThatSpreadTooFarMoveToTheHashedTable(far: Int64) {
        // Dense first, then a code past the widest range: every group keeps its id.
        var rng = HashOperatorTests.Rng(state: UInt64(truncatingIfNeeded: far))
        var batches: [[Int64?]] = (0..<10).map { _ in (0..<400).map { _ in rng.below(30) == 0 ? nil : Int64(rng.below(2000)) } }
        batches.append([far, 5, nil, far, Int64.min])
        batches += (0..<10).map { _ in (0..<400).map { _ in Int64(rng.below(4000)) } + [far] }
        #expect(Self.ids(batches) == Self.reference(batches))
    }

    @Test func extremeCodesInOneBatch() {
        let batches: [[Int64?]] = [[Int64.max, Int64.min, 0, Int64.max, nil], [Int64.min, 1, nil]]
        #expect(Self.ids(batches) == Self.reference(batches))
    }
}
