import MeshCore

/// An anti join (NOT EXISTS) whose outer side turned out small, run the other way round: the
/// outer rows are hashed, the subquery's rows stream past them marking the ones they match,
/// and the outer rows never matched are the answer, in their order. TPC-H q22 keeps 19 k
/// customers that have no order among 1.5 M: hashing the orders cost a 1.5 M-entry table and
/// held the customers back until it was built; this way the customers are ready first and the
/// orders only look keys up. Equality keys only (no other condition), not NOT IN.
struct OuterBuiltAntiJoin {
    let outerKeys: [CompiledExpression]
    let innerKeys: [CompiledExpression]
    let budget: MemoryBudget?

    /// Outer rows up to which the outer side is hashed: past it, the usual direction.
    static let maxOuterRows = 65_536

    /// The rows of `outer` that no row of `inner` matches.
    func run(outer: Batch, inner: any PhysicalOperator) async throws -> Batch {
        let n = outer.rowCount
        guard n > 0 else {
            inner.close()
            return outer
        }
        try budget?.reserve(n * (8 * (outerKeys.count + 1) + 16) * 2, for: "hash join table")
        let encoders = outerKeys.map { _ in KeyEncoder() }
        let keyCols = try outerKeys.map { try $0(outer) }
        let table = JoinTable.build(KeyRows.forJoin(columns: keyCols, encoders: encoders, insert: true, rowCount: n),
                                    keyColumns: outerKeys.count)
        var matched = [Bool](repeating: false, count: n)
        var unmatched = n
        var checkpoint = Checkpoint()
        while unmatched > 0, let b = try await inner.next() {
            try await checkpoint.pass()
            guard b.rowCount > 0 else { continue }
            let keys = try innerKeys.map { try $0(b) }
            let matches = table.lookup(KeyRows.forJoin(columns: keys, encoders: encoders, insert: false,
                                                       rowCount: b.rowCount))
            unmatched -= matches.markMatchedBuildRows(&matched)
        }
        // Every outer row matched: the rest of the subquery cannot change the answer.
        if unmatched == 0 { inner.close() }
        return outer.filter(matched.map { !$0 })
    }
}
