import MeshCore
import MeshPlan

/// GROUP BY with aggregates (and DISTINCT, as a GROUP BY without aggregates). Group keys are
/// encoded to 64-bit codes and looked up in one `KeyTable`; aggregates keep typed per-group
/// state. Output: group columns, then aggregate columns, in order of first appearance.
public final class HashAggregateOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    public let fields: [Field]
    public var children: [any PhysicalOperator] { [child] }

    private let groupExprs: [CompiledExpression]
    private let groupTypes: [DataType]
    private let argExprs: [CompiledExpression?]
    /// Arguments after the first (string_agg's separator and ORDER BY keys).
    private let extraExprs: [[CompiledExpression]]
    private let filters: [(@Sendable (Batch) throws -> [Bool])?]
    private let calls: [AggregateCall]
    private var output: [Batch]?

    /// - Parameters:
    ///   - groups: group expressions over the child's output; none for a global aggregate.
    ///   - fields: the output, as `LogicalPlan.aggregate(…).fields` gives it.
    private let budget: MemoryBudget?

    public init(_ child: any PhysicalOperator, groups: [BoundExpr], aggregates: [AggregateCall],
                fields: [Field], budget: MemoryBudget? = nil) throws {
        self.child = child
        self.budget = budget
        self.fields = fields
        self.groupExprs = try groups.map(ExpressionCompiler.compile)
        self.groupTypes = groups.map(\.type)
        self.argExprs = try aggregates.map { try $0.arguments.first.map(ExpressionCompiler.compile) }
        self.extraExprs = try aggregates.map { try $0.arguments.dropFirst().map(ExpressionCompiler.compile) }
        self.filters = try aggregates.map { try $0.filter.map(ExpressionCompiler.compilePredicate) }
        self.calls = aggregates
        self.groupSlots = passThroughSlots(groups)
    }

    /// A filter on a group column is one on the rows that form the group.
    private let groupSlots: [Int?]

    public func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        guard output == nil, column < groupSlots.count, let j = groupSlots[column] else { return false }
        return child.pushDynamicFilter(column: j, keys: keys)
    }
    public func startEarly() { child.startEarly() }
    /// Groups the whole input, which is what the first `next` would do first.
    public func prepare() async throws {
        if output == nil { output = try await run() }
    }

    public func next() async throws -> Batch? {
        if output == nil { output = try await run() }
        guard !output!.isEmpty else { return nil }
        return produced(output!.removeFirst())
    }

    private func run() async throws -> [Batch] {
        let accs = calls.map(Accumulators.make)
        let encoders = groupExprs.map { _ in KeyEncoder() }
        var table = KeyTable(keyColumns: groupExprs.count)
        // First row of each group, kept as key columns to emit at the end.
        var keyBuilders = groupTypes.map { ColumnBuilder(type: $0) }
        var groupCount = groupExprs.isEmpty ? 1 : 0
        var groupIDs: [Int32] = []

        var checkpoint = Checkpoint()
        while let b = try await child.next() {
            try await checkpoint.pass()
            if b.rowCount == 0 { continue }
            let n = b.rowCount
            if groupExprs.isEmpty {
                groupIDs = [Int32](repeating: 0, count: n)
            } else {
                let keyCols = try groupExprs.map { try $0(b) }
                let rows = KeyRows(columns: keyCols, encoders: encoders, insert: true, rowCount: n)
                table.findOrInsert(rows, ids: &groupIDs)
                // New ids appear in increasing order; the first row with each is its group's key.
                var newRows: [Int] = []
                groupIDs.withUnsafeBufferPointer { ids in
                    for r in 0..<n where Int(ids[r]) == groupCount {
                        newRows.append(r)
                        groupCount += 1
                    }
                }
                if !newRows.isEmpty {
                    var keys: [Column] = []
                    for k in keyCols.indices {
                        let c = keyCols[k].gather(newRows)
                        keys.append(c)
                        keyBuilders[k].append(contentsOf: c)
                    }
                    // The new groups' keys (kept, and in the table) and their aggregate states.
                    try budget?.reserve(2 * keys.reduce(0) { $0 + $1.estimatedBytes } + newRows.count * (24 + 24 * accs.count),
                                        for: "aggregate")
                }
            }
            for (k, acc) in accs.enumerated() {
                let values = try argExprs[k].map { try $0(b) }
                let mask = try filters[k].map { try $0(b) }
                let extra = try extraExprs[k].map { try $0(b) }
                // DISTINCT and string_agg keep (a share of) every row they see.
                if calls[k].distinct || calls[k].function == .stringAgg {
                    try budget?.reserve(2 * ((values?.estimatedBytes ?? 0) + extra.reduce(0) { $0 + $1.estimatedBytes }),
                                        for: "aggregate")
                }
                try acc.update(groups: groupIDs, groupCount: groupCount, values: values, extra: extra, mask: mask)
            }
        }
        let keyCols = keyBuilders.map { $0.finish() }
        let aggCols = try accs.map { try $0.finish(groupCount: groupCount) }
        let all = Batch(columns: keyCols + aggCols, rowCount: groupCount)
        var out: [Batch] = []
        var start = 0
        while start < groupCount {
            let end = min(groupCount, start + Batch.preferredSize)
            out.append(start == 0 && end == groupCount ? all : all.slice(start..<end))
            start = end
        }
        return out
    }

    public func close() { child.close() }
}
