import MeshCore
import MeshPlan

/// One row, no columns: the input of `SELECT 1`.
final class SingleRowOperator: OperatorBase, PhysicalOperator {
    let fields: [Field] = []
    private var done = false
    var children: [any PhysicalOperator] { [] }
    func next() async throws -> Batch? {
        if done { return nil }
        done = true
        return produced(Batch.empty(rows: 1))
    }
    func close() {}
}

final class FilterOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    let predicate: @Sendable (Batch) throws -> [Bool]
    var fields: [Field] { child.fields }
    var children: [any PhysicalOperator] { [child] }

    init(_ child: any PhysicalOperator, _ predicate: BoundExpr) throws {
        self.child = child
        self.predicate = try ExpressionCompiler.compilePredicate(predicate)
    }

    func next() async throws -> Batch? {
        var checkpoint = Checkpoint()
        while let b = try await child.next() {
            try await checkpoint.pass()
            if b.rowCount == 0 { continue }
            let mask = try predicate(b)
            let out = b.filter(mask)
            if out.rowCount > 0 { return produced(out) }
        }
        return nil
    }
    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        child.pushDynamicFilter(column: column, keys: keys)
    }
    func startEarly() { child.startEarly() }
    func prepare() async throws { try await child.prepare() }

    func close() { child.close() }
}

final class ProjectOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    let exprs: [CompiledExpression]
    let fields: [Field]
    var children: [any PhysicalOperator] { [child] }

    private let inputSlots: [Int?]

    init(_ child: any PhysicalOperator, _ exprs: [BoundExpr], _ fields: [Field]) throws {
        self.child = child
        self.exprs = try exprs.map(ExpressionCompiler.compile)
        self.fields = fields
        self.inputSlots = passThroughSlots(exprs)
    }

    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        guard column < inputSlots.count, let j = inputSlots[column] else { return false }
        return child.pushDynamicFilter(column: j, keys: keys)
    }
    func startEarly() { child.startEarly() }
    func prepare() async throws { try await child.prepare() }

    /// The rows of an input batch not projected yet: a batch whose computed text would be
    /// too large at once (`OversizedOutput`) is taken in slices of `sliceRows` rows.
    private var pending: Batch?
    private var sliceRows = Int.max

    func next() async throws -> Batch? {
        let b: Batch
        if let p = pending {
            b = p
            pending = nil
        } else {
            guard let c = try await child.next() else { return nil }
            b = c
        }
        var rows = min(b.rowCount, sliceRows)
        while true {
            let slice = rows == b.rowCount ? b : b.slice(0..<rows)
            do {
                let cols = try OversizedOutput.$sliceable.withValue(true) { try exprs.map { try $0(slice) } }
                if rows < b.rowCount { pending = b.slice(rows..<b.rowCount) }
                return produced(Batch(columns: cols, rowCount: rows))
            } catch let e as OversizedOutput where e.rowsThatFit < rows {
                rows = max(1, e.rowsThatFit)
                sliceRows = rows
            }
        }
    }
    func close() { child.close() }
}

final class LimitOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    private var toSkip: Int
    private var remaining: Int?
    var fields: [Field] { child.fields }
    var children: [any PhysicalOperator] { [child] }

    init(_ child: any PhysicalOperator, limit: Int?, offset: Int) {
        self.child = child
        self.toSkip = offset
        self.remaining = limit
    }

    func next() async throws -> Batch? {
        while true {
            if let r = remaining, r <= 0 {
                // Enough rows: stop the sources instead of reading them to the end.
                child.close()
                return nil
            }
            guard var b = try await child.next() else { return nil }
            if toSkip > 0 {
                if b.rowCount <= toSkip { toSkip -= b.rowCount; continue }
                b = b.slice(toSkip..<b.rowCount)
                toSkip = 0
            }
            if let r = remaining {
                if b.rowCount > r { b = b.slice(0..<r) }
                remaining = r - b.rowCount
            }
            return produced(b)
        }
    }
    func close() { child.close() }
}

final class UnionAllOperator: OperatorBase, PhysicalOperator {
    let inputs: [any PhysicalOperator]
    let fields: [Field]
    private var current = 0
    var children: [any PhysicalOperator] { inputs }

    init(_ inputs: [any PhysicalOperator], fields: [Field]) {
        self.inputs = inputs
        self.fields = fields
    }

    func next() async throws -> Batch? {
        while current < inputs.count {
            if let b = try await inputs[current].next() {
                var out = b
                for j in out.columns.indices where out.columns[j].type != fields[j].type
                    && out.columns[j].type.physical == fields[j].type.physical {
                    out.columns[j].type = fields[j].type
                }
                return produced(out)
            }
            current += 1
        }
        return nil
    }
    func close() { inputs.forEach { $0.close() } }
}

/// A product's policy guard at run time: passes its input through unchanged. The barrier
/// itself is the plan's order (filter and masks below, the query's expressions above); the
/// node is kept so that EXPLAIN ANALYZE lines up with the plan and can hide the counts of
/// what the policy removed.
final class GuardOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    var fields: [Field] { child.fields }
    var children: [any PhysicalOperator] { [child] }

    init(_ child: any PhysicalOperator) {
        self.child = child
    }

    func next() async throws -> Batch? { produced(try await child.next()) }
    func close() { child.close() }
    // A dynamic filter is an equality on one output column: leakproof, so it may go below.
    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool { child.pushDynamicFilter(column: column, keys: keys) }
    func startEarly() { child.startEarly() }
}
