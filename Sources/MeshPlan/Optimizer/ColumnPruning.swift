import MeshCore

/// Drops columns nobody reads, so sources send only what the query needs. Works top-down
/// with the set of column ids each parent requires; references are by id, so nothing above
/// a pruned node needs renumbering.
public struct ColumnPruning: OptimizerRule {
    public let name = "column_pruning"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { prune($0, $0.columns.idSet) }
    }

    /// The plan with only the `required` output columns (and what computing them needs).
    /// A node never becomes zero columns wide: sources cannot SELECT nothing.
    func prune(_ plan: LogicalPlan, _ requiredIn: Set<ColumnID>) -> LogicalPlan {
        let outputs = plan.columns
        var required = requiredIn.intersection(outputs.idSet)
        if required.isEmpty, let first = outputs.first { required = [first.id] }

        switch plan {
        case .scan(var s):
            let keep = s.columnIDs.indices.filter { required.contains(s.columnIDs[$0]) }
            if keep.count == s.fields.count { return plan }
            s.fields = keep.map { s.fields[$0] }
            s.remoteColumns = keep.map { s.remoteColumns[$0] }
            if !s.nativeTypes.isEmpty { s.nativeTypes = keep.map { s.nativeTypes[$0] } }
            s.columnIDs = keep.map { s.columnIDs[$0] }
            return .scan(s)

        case .singleRow, .remote:
            return plan

        case .values(let v):
            let keep = v.columns.indices.filter { required.contains(v.columns[$0].id) }
            return keep.count == v.columns.count ? plan : .values(v.keeping(keep))

        case .sharedScan(var s):
            // A reference reads the definition's columns by id: it may keep fewer.
            let keep = s.columns.indices.filter { required.contains(s.columns[$0].id) }
            if keep.count == s.columns.count { return plan }
            s.columns = keep.map { s.columns[$0] }
            s.sourceIDs = keep.map { s.sourceIDs[$0] }
            return .sharedScan(s)

        case .shared(let defs, let body):
            // Each definition keeps every column: its readers may read any.
            return .shared(defs.map { d in var d = d; d.plan = prune(d.plan, d.plan.columns.idSet); return d }, prune(body, required))

        case .filter(let child, let pred):
            return .filter(prune(child, required.union(pred.referencedColumns)), pred)

        case .project(let child, let exprs, let columns):
            let keep = columns.indices.filter { required.contains(columns[$0].id) }
            let needed = keep.reduce(into: Set<ColumnID>()) { $0.formUnion(exprs[$1].referencedColumns) }
            return .project(prune(child, needed), keep.map { exprs[$0] }, keep.map { columns[$0] })

        case .join(let l, let r, let kind, let cond):
            let needed = required.union(cond?.referencedColumns ?? [])
            // A semi, anti or mark join needs only the right columns its condition reads; with
            // none (an uncorrelated EXISTS) the right side still keeps one column for its rows.
            return .join(prune(l, needed), prune(r, kind.outputsRight ? needed : cond?.referencedColumns ?? []), kind, cond)

        case .aggregate(let child, let groups, let aggs, let columns):
            // Every group key stays (it defines the groups); unread aggregates go.
            let aggColumns = Array(columns.dropFirst(groups.count))
            var keep = aggs.indices.filter { required.contains(aggColumns[$0].id) }
            if groups.isEmpty, keep.isEmpty, !aggs.isEmpty { keep = [0] }
            let kept = keep.map { aggs[$0] }
            var needed = Set<ColumnID>()
            for g in groups { needed.formUnion(g.referencedColumns) }
            for a in kept {
                for x in a.arguments { needed.formUnion(x.referencedColumns) }
                if let f = a.filter { needed.formUnion(f.referencedColumns) }
            }
            return .aggregate(prune(child, needed), groups: groups, aggregates: kept,
                              Array(columns.prefix(groups.count)) + keep.map { aggColumns[$0] })

        case .sort(let child, let keys):
            let needed = keys.reduce(into: required) { $0.formUnion($1.expr.referencedColumns) }
            return .sort(prune(child, needed), keys)

        case .limit(let child, let limit, let offset):
            return .limit(prune(child, required), limit: limit, offset: offset)

        case .guarded(let child, let guardInfo):
            return .guarded(prune(child, required), guardInfo)

        case .distinct(let child):
            // Every column takes part in DISTINCT.
            return .distinct(prune(child, child.columns.idSet))

        case .unionAll(let children, let columns):
            return .unionAll(children.map { prune($0, $0.columns.idSet) }, columns)

        case .window(let child, let calls, let columns):
            // Unread window columns go; the input keeps what the rest read.
            let keep = calls.indices.filter { required.contains(columns[$0].id) }
            var needed = required.intersection(child.columns.idSet)
            for i in keep { for e in calls[i].expressions { needed.formUnion(e.referencedColumns) } }
            let child2 = prune(child, needed)
            if keep.isEmpty { return child2 }
            return .window(child2, keep.map { calls[$0] }, keep.map { columns[$0] })
        }
    }
}
