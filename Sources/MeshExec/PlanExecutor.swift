import ConnectorKit
import MeshCore
import MeshPlan

/// Builds the operator tree for an optimized plan. Remote fragments start running on their
/// connectors as soon as the tree is built, so independent sources are read concurrently.
///
/// The logical plan refers to columns by id; operators read batch positions. Each node's
/// batches hold its columns in `LogicalPlan.columns` order, so an expression is laid out
/// against its input's columns (`BoundExpr.slotted`) just before it is compiled.
public struct PlanExecutor {
    /// Connector instances by connector id.
    let connectors: [String: any Connector]
    /// What the query's hash tables, sorts and aggregates may hold.
    let budget: MemoryBudget

    /// Told how each remote query ended.
    let observer: (any SourceObserver)?

    /// For EXPLAIN ANALYZE: each operator measures its time.
    let analyze: Bool

    /// Identical remote fragments of the plan, run once for all their readers.
    let sharedScans = SharedRemoteScans()
    /// The plan's shared definitions, each run once for all its references.
    let sharedPlans = SharedSubplans()

    public init(connectors: [String: any Connector], budget: MemoryBudget = MemoryBudget(), observer: (any SourceObserver)? = nil,
                analyze: Bool = false) {
        self.connectors = connectors
        self.budget = budget
        self.observer = observer
        self.analyze = analyze
    }

    /// - Parameter deferred: remote fragments in this subtree wait for their first read
    ///   instead of starting now: it is (under) the probe side of a join, whose dynamic filter
    ///   may still narrow them, through projections, filters and aggregates.
    public func build(_ plan: LogicalPlan, deferred: Bool = false) throws -> any PhysicalOperator {
        // The first call is for the root: count the plan's fragments.
        if !sharedScans.prepared { sharedScans.prepare(plan) }
        let op = try makeOperator(plan, deferred: deferred)
        return analyze ? AnalyzedOperator(op) : op
    }

    func makeOperator(_ plan: LogicalPlan, deferred: Bool) throws -> any PhysicalOperator {
        switch plan {
        case .remote(let fragment):
            guard let c = connectors[fragment.connectorID] else {
                throw MeshError(.connection, "connector \"\(fragment.connectorName)\" is not available")
            }
            let readers = sharedScans.readers(of: fragment)
            if readers > 1 {
                let shared = sharedScans.result(for: fragment) {
                    SharedResult(RemoteScanOperator(fragment, connector: c, observer: observer), readers: readers, budget: budget)
                }
                return SharedReadOperator(shared, fields: fragment.fields)
            }
            return RemoteScanOperator(fragment, connector: c, deferred: deferred, observer: observer)
        case .scan(let s):
            throw MeshError(.internalError, "scan of \(s.productName) was not turned into a remote query")
        case .singleRow:
            return SingleRowOperator()
        case .values(let v):
            let fields = v.columns.fields
            var builders = fields.map { ColumnBuilder(type: $0.type, capacity: v.rows.count) }
            for row in v.rows {
                for i in builders.indices { builders[i].append(row[i]) }
            }
            let batch = Batch(columns: builders.map { $0.finish() }, rowCount: v.rows.count)
            return BatchSourceOperator(fields: fields, batches: v.rows.isEmpty ? [] : [batch])
        case .shared(let defs, let body):
            // Each definition before what reads it (a later one, the query).
            let readers = plan.sharedReferenceCounts
            var ops: [any PhysicalOperator] = []
            for d in defs {
                let op = try build(d.plan)
                sharedPlans.add(d.id, SharedResult(op, readers: max(1, readers[d.id] ?? 0), budget: budget), columns: d.plan.columns.ids)
                ops.append(op)
            }
            return SharedPlansOperator(body: try build(body, deferred: deferred), definitions: ops)
        case .sharedScan(let s):
            return try sharedPlans.reader(s)
        case .filter(let c, let p):
            return try FilterOperator(try build(c, deferred: deferred), try p.slotted(c.columns.layout))
        case .project(let c, let exprs, let columns):
            let layout = c.columns.layout
            return try ProjectOperator(try build(c, deferred: deferred), try exprs.map { try $0.slotted(layout) }, columns.fields)
        case .join(let l, let r, let kind, let cond):
            let layout = (l.columns + r.columns).layout
            // The probe (left) side of an inner, semi or right join starts after the build
            // side is in, narrowed to its keys (its unmatched rows are dropped anyway), or as
            // soon as the build side has more keys than a filter carries.
            let probeWaits = kind == .inner || kind == .semi || kind == .cross || kind == .right
            return try HashJoinOperator(left: try build(l, deferred: deferred || probeWaits), right: try build(r), kind: kind,
                                        condition: try cond?.slotted(layout), fields: plan.fields, budget: budget)
        case .aggregate(let c, let groups, let aggs, let columns):
            let layout = c.columns.layout
            let slottedAggs = try aggs.map { a -> AggregateCall in
                var a = a
                a.arguments = try a.arguments.map { try $0.slotted(layout) }
                a.filter = try a.filter?.slotted(layout)
                return a
            }
            return try HashAggregateOperator(try build(c, deferred: deferred), groups: try groups.map { try $0.slotted(layout) },
                                             aggregates: slottedAggs, fields: columns.fields, budget: budget)
        case .guarded(let c, _):
            return GuardOperator(try build(c, deferred: deferred))
        case .distinct(let c):
            let fields = c.fields
            let groups = fields.enumerated().map { BoundExpr.slot($0.offset, $0.element.type) }
            return try HashAggregateOperator(try build(c, deferred: deferred), groups: groups, aggregates: [], fields: fields, budget: budget)
        case .sort(let c, let keys):
            let layout = c.columns.layout
            let slotted = try keys.map { SortKey(expr: try $0.expr.slotted(layout), descending: $0.descending, nullsFirst: $0.nullsFirst) }
            return try SortOperator(try build(c, deferred: deferred), keys: slotted, budget: budget)
        case .limit(.sort(let c, let keys), let limit?, let offset) where limit <= Int.max - offset:
            // ORDER BY + LIMIT: only the first offset + limit rows are ever kept.
            let layout = c.columns.layout
            let slotted = try keys.map { SortKey(expr: try $0.expr.slotted(layout), descending: $0.descending, nullsFirst: $0.nullsFirst) }
            let top = try TopNOperator(try build(c, deferred: deferred), keys: slotted, count: limit + offset, budget: budget)
            return LimitOperator(analyze ? AnalyzedOperator(top) : top, limit: limit, offset: offset)
        case .limit(let c, let limit, let offset):
            return LimitOperator(try build(c), limit: limit, offset: offset)
        case .window(let c, let calls, let columns):
            let layout = c.columns.layout
            let slotted = try calls.map { try $0.mapping { try $0.slotted(layout) } }
            return WindowOperator(try build(c), calls: slotted, fields: c.fields + columns.fields, budget: budget)
        case .unionAll(let cs, let columns):
            return UnionAllOperator(try cs.map { try build($0) }, fields: columns.fields)
        }
    }
}
