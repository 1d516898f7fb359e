import MeshCore
@testable import MeshExec
import MeshPlan
import Testing

/// ORDER BY + LIMIT through the bounded top-N operator gives exactly the first rows of a full
/// sort, ties in input order, NULLs placed as asked, for limits below, around and above the
/// input size.
@Suite struct TopNTests {
    @Test(arguments: [0, 1, 7, 100, 4_096, 5_000, 20_000])
    func matchesAFullSort(limit: Int) async throws {
        var rng = HashOperatorTests.Rng(state: UInt64(limit) &+ 11)
        let rows = HashOperatorTests.randomRows(9_000, domain: 50, nulls: 10, &rng)
        let fields = HashOperatorTests.fields("")
        let keys = [
            SortKey(expr: .slot(0, .bigint), descending: true, nullsFirst: false),
            SortKey(expr: .slot(1, .text), descending: false, nullsFirst: true),
        ]
        var r1 = rng, r2 = rng
        let sorted = try await HashOperatorTests.run(
            try SortOperator(BatchSourceOperator(fields: fields, batches: HashOperatorTests.batches(rows, &r1, maxSize: 3000)), keys: keys))
        let top = try await HashOperatorTests.run(
            try TopNOperator(BatchSourceOperator(fields: fields, batches: HashOperatorTests.batches(rows, &r2, maxSize: 3000)),
                             keys: keys, count: limit))
        #expect(top == Array(sorted.prefix(limit)))
    }
}
