import MeshCore
import MeshPlan

/// Window functions, sort-based: reads its input, and for each call orders the rows by its
/// PARTITION BY and ORDER BY keys, then walks each partition once. Output: the input rows
/// (in the order of the last call's sort) with one column per call.
final class WindowOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    let calls: [WindowCall]
    let fields: [Field]
    var children: [any PhysicalOperator] { [child] }
    private let budget: MemoryBudget?
    private var result: Batch?
    private var position = 0

    /// - Parameter calls: over the input's batch positions (`BoundExpr.slot`).
    init(_ child: any PhysicalOperator, calls: [WindowCall], fields: [Field], budget: MemoryBudget? = nil) {
        self.child = child
        self.calls = calls
        self.fields = fields
        self.budget = budget
    }

    func next() async throws -> Batch? {
        if result == nil { result = try await run() }
        return produced(nextSlice(of: result!, from: &position))
    }

    func close() { child.close() }

    private func run() async throws -> Batch {
        var all = try await drain(child, budget: budget, for: "window")
        var outputs: [Column] = []
        for call in calls {
            // Sort by (partition, order); the earlier calls' outputs travel along.
            let keys = call.partitionBy.map { SortKey(expr: $0, descending: false, nullsFirst: false) } + call.orderBy
            let order = try SortOperator.order(all, keys: keys, keyExprs: try keys.map { try ExpressionCompiler.compile($0.expr) })
            all = all.gather(order)
            outputs = outputs.map { $0.gather(order) }
            let partition = try call.partitionBy.map { try ExpressionCompiler.compile($0)(all) }
            let ordering = try call.orderBy.map { try ExpressionCompiler.compile($0.expr)(all) }
            outputs.append(try Self.evaluate(call, all, partitionKeys: partition, orderKeys: ordering))
        }
        return Batch(columns: all.columns + outputs, rowCount: all.rowCount)
    }

    static func evaluate(_ call: WindowCall, _ b: Batch, partitionKeys: [Column], orderKeys: [Column]) throws -> Column {
        let n = b.rowCount
        var builder = ColumnBuilder(type: call.resultType, capacity: n)
        let partitionCmps = partitionKeys.map { SortOperator.comparator($0, descending: false, nullsFirst: false) }
        let orderCmps = orderKeys.map { SortOperator.comparator($0, descending: false, nullsFirst: false) }
        func samePartition(_ x: Int, _ y: Int) -> Bool { partitionCmps.allSatisfy { $0(x, y) == 0 } }
        func peers(_ x: Int, _ y: Int) -> Bool { orderCmps.allSatisfy { $0(x, y) == 0 } }
        let args = try call.arguments.map { try ExpressionCompiler.compile($0)(b) }
        var start = 0
        while start < n {
            var end = start + 1
            while end < n, samePartition(start, end) { end += 1 }
            switch call.function {
            case .rowNumber:
                for i in start..<end { builder.append(.int(Int64(i - start + 1))) }
            case .rank, .denseRank:
                var rank = 1, dense = 1
                for i in start..<end {
                    if i > start, !peers(i - 1, i) { rank = i - start + 1; dense += 1 }
                    builder.append(.int(Int64(call.function == .rank ? rank : dense)))
                }
            case .lag(let offset), .lead(let offset):
                let step = { if case .lag = call.function { return -offset } else { return offset } }()
                for i in start..<end {
                    let j = i + step
                    if j >= start, j < end { builder.append(args[0].value(at: j)) }
                    else { builder.append(args.count > 1 ? args[1].value(at: i) : .null) }
                }
            case .aggregate(let f):
                let acc = Accumulators.make(AggregateCall(function: f, arguments: Array(call.arguments.prefix(1)),
                                                          resultType: call.resultType))
                let values = args.first
                if orderKeys.isEmpty {
                    // The frame is the whole partition.
                    try acc.update(groups: [Int32](repeating: 0, count: end - start), groupCount: 1,
                                   values: values?.gather(Array(start..<end)), mask: nil)
                    let v = try acc.finish(groupCount: 1).value(at: 0)
                    for _ in start..<end { builder.append(v) }
                } else {
                    // Running over peer groups: each row sees its peers too.
                    var g = start
                    while g < end {
                        var h = g + 1
                        while h < end, peers(g, h) { h += 1 }
                        try acc.update(groups: [Int32](repeating: 0, count: h - g), groupCount: 1,
                                       values: values?.gather(Array(g..<h)), mask: nil)
                        let v = try acc.finish(groupCount: 1).value(at: 0)
                        for _ in g..<h { builder.append(v) }
                        g = h
                    }
                }
            }
            start = end
        }
        return builder.finish()
    }
}
