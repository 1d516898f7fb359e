import MeshSQL

/// A CTE in scope: its definition, a key unique in the statement, and what its own query
/// may read: the CTEs defined before it, and the columns of the queries around the one that
/// defines it (none at the top of a statement).
struct CTEBinding {
    var cte: CommonTableExpression
    var key: Int
    var scope: [String: CTEBinding]
    var outerScopes: [Scope]
}

/// The CTEs and views of one statement, each bound once: the first reference binds it, the
/// others read that plan (`LogicalPlan.sharedScan`). A CTE that reads the one before it twice,
/// thirty levels deep, was bound 2^30 times, growing the server by 50 MB a second; now each
/// level once. `finish` puts each definition back where it is read only once (nothing to
/// share, and the optimizer sees through it) and keeps the rest as `LogicalPlan.shared`.
final class SharedBindings: @unchecked Sendable {
    struct Entry {
        var id: Int
        var name: String
        var plan: LogicalPlan
        /// Cheaper to bind and run again for each reference than to share: a product's rows
        /// filtered or projected (a source can still narrow them for each reference, and
        /// join them with others there).
        var rebinds: Bool
    }

    private var entries: [String: Entry] = [:]
    private var keys = 0

    /// A key for one CTE definition met by the binder.
    func newKey() -> Int {
        keys += 1
        return keys
    }

    func entry(_ key: String) -> Entry? { entries[key] }

    func add(_ key: String, name: String, plan: LogicalPlan) -> Entry {
        let e = Entry(id: entries.count, name: name, plan: plan, rebinds: plan.isCheapToBindAgain)
        entries[key] = e
        return e
    }

    /// The statement's plan: `body` with each definition read once put in its place, under a
    /// `.shared` node holding those read more often (none: `body` as it is).
    func finish(_ body: LogicalPlan) -> LogicalPlan {
        guard !entries.isEmpty else { return body }
        let ordered = entries.values.sorted { $0.id < $1.id }
        var counts = body.sharedReferenceCounts
        for e in ordered { counts.merge(e.plan.sharedReferenceCounts, uniquingKeysWith: +) }
        var inline: [Int: LogicalPlan] = [:]
        var renamed: [Int: [ColumnID: ColumnID]] = [:]
        func resolve(_ r: SharedReference) -> LogicalPlan? {
            if let plan = inline[r.id] {
                if r.columns.ids == r.sourceIDs { return plan }
                return .project(plan, zip(r.sourceIDs, r.columns).map { BoundExpr(.column($0), type: $1.type) }, r.columns)
            }
            guard let map = renamed[r.id] else { return nil }
            var moved = r
            moved.sourceIDs = r.sourceIDs.map { map[$0] ?? $0 }
            return .sharedScan(moved)
        }
        var definitions: [SharedDefinition] = []
        // Each reads only those before it: in id order, each is final before it is read.
        for e in ordered {
            let plan = e.plan.replacingSharedScans(resolve)
            switch counts[e.id] ?? 0 {
            case 0: continue
            case 1: inline[e.id] = plan
            default:
                // The first reference kept the definition's column ids; the definition takes
                // new ones, so that no column is defined twice in the plan.
                var map: [ColumnID: ColumnID] = [:]
                for id in plan.columns.ids { map[id] = .fresh() }
                renamed[e.id] = map
                definitions.append(SharedDefinition(id: e.id, name: e.name, plan: plan.renamingDefinedColumns(map, deep: true)))
            }
        }
        let out = body.replacingSharedScans(resolve)
        return definitions.isEmpty ? out : .shared(definitions, out)
    }
}

extension Binder {
    /// The plan of a CTE or view referenced here: `bind` makes it the first time; after that
    /// a reference to the same plan with columns of its own, unless it is cheaper to bind it
    /// again (or it may read the outer query's columns: not `shareable`).
    func sharedPlan(key: String, name: String, shareable: Bool, _ bind: () throws -> LogicalPlan) throws -> LogicalPlan {
        guard shareable else { return try bind() }
        if let e = shared.entry(key) {
            if e.rebinds { return try bind() }
            let columns = e.plan.columns.map { PlanColumn(id: .fresh(), name: $0.name, type: $0.type, nullable: $0.nullable) }
            return .sharedScan(SharedReference(id: e.id, name: e.name, columns: columns, sourceIDs: e.plan.columns.ids))
        }
        let plan = try bind()
        let e = shared.add(key, name: name, plan: plan)
        return .sharedScan(SharedReference(id: e.id, name: name, columns: plan.columns, sourceIDs: plan.columns.ids))
    }
}

extension LogicalPlan {
    /// Rows of one product (or of a shared definition), filtered, projected, guarded or
    /// limited, with no subquery: what a reference may bind again rather than share.
    var isCheapToBindAgain: Bool {
        var cheap = true
        visit { node in
            switch node {
            case .scan, .singleRow, .values, .filter, .project, .guarded, .limit, .sharedScan: break
            default: cheap = false
            }
            for e in node.expressions where e.containsSubquery { cheap = false }
        }
        return cheap
    }
}
