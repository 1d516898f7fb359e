import MeshCore
import MeshPlan

/// ORDER BY … LIMIT n: keeps only the best `n` rows seen so far (re-sorting its buffer
/// whenever it holds twice that many), so memory is bounded by the limit, not the input.
/// Ties keep input order, as a full sort would.
final class TopNOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    let keys: [SortKey]
    let count: Int
    private let keyExprs: [CompiledExpression]
    private let budget: MemoryBudget?
    private var result: Batch?
    private var position = 0
    var fields: [Field] { child.fields }
    var children: [any PhysicalOperator] { [child] }

    init(_ child: any PhysicalOperator, keys: [SortKey], count: Int, budget: MemoryBudget? = nil) throws {
        self.child = child
        self.keys = keys
        self.count = count
        self.budget = budget
        self.keyExprs = try keys.map { try ExpressionCompiler.compile($0.expr) }
    }

    func next() async throws -> Batch? {
        if result == nil { result = try await run() }
        return produced(nextSlice(of: result!, from: &position))
    }

    private func run() async throws -> Batch {
        var kept = Batch(columns: child.fields.map { ColumnBuilder(type: $0.type).finish() }, rowCount: 0)
        var pending: [Batch] = []
        var pendingRows = 0
        var bounded = false
        func compact() throws {
            kept = try SortOperator.sort(concatBatches([kept] + pending, fields: child.fields), keys: keys,
                                         keyExprs: keyExprs, limit: count)
            pending = []
            pendingRows = 0
        }
        var checkpoint = Checkpoint()
        while let b = try await child.next() {
            try await checkpoint.pass()
            guard b.rowCount > 0, count > 0 else { continue }
            // Counted as it comes until the first compaction; from then on the buffer holds
            // at most the kept rows and as many again, already counted.
            if !bounded { try budget?.reserve(2 * b.estimatedBytes, for: "top-N") }
            pending.append(b)
            pendingRows += b.rowCount
            if pendingRows >= max(count, Batch.preferredSize) {
                try compact()
                bounded = true
            }
        }
        try compact()
        return kept
    }

    func close() { child.close() }
}
