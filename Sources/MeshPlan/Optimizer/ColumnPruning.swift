import MeshCore

/// Drops columns nobody reads, so sources send only what the query needs. Works top-down
/// with the set of output columns each parent requires and renumbers expressions on the way
/// back up.
public struct ColumnPruning: OptimizerRule {
    public let name = "column_pruning"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        let all = Set(plan.fields.indices)
        let (out, _) = prune(plan, all)
        return (out, out.fields.count != plan.fields.count || countScanColumns(out) != countScanColumns(plan))
    }

    func countScanColumns(_ p: LogicalPlan) -> Int {
        if case .scan(let s) = p { return s.fields.count }
        return p.children.reduce(0) { $0 + countScanColumns($1) }
    }

    /// Returns the pruned plan and, for each old output index that survived, its new index.
    func prune(_ plan: LogicalPlan, _ requiredIn: Set<Int>) -> (LogicalPlan, [Int: Int]) {
        var required = requiredIn
        // Never make a node zero columns wide: sources cannot SELECT nothing.
        if required.isEmpty, !plan.fields.isEmpty { required = [0] }
        let identity = { (n: Int) in Dictionary(uniqueKeysWithValues: (0..<n).map { ($0, $0) }) }

        switch plan {
        case .scan(var s):
            let keep = s.fields.indices.filter { required.contains($0) }
            if keep.count == s.fields.count { return (plan, identity(keep.count)) }
            s.fields = keep.map { s.fields[$0] }
            s.remoteColumns = keep.map { s.remoteColumns[$0] }
            return (.scan(s), Dictionary(uniqueKeysWithValues: keep.enumerated().map { ($1, $0) }))

        case .singleRow, .remote:
            return (plan, identity(plan.fields.count))

        case .filter(let child, let pred):
            let (c, map) = prune(child, required.union(pred.referencedColumns))
            let p = pred.remapped { map[$0]! }
            // The filter's output is its child's output: same mapping.
            return (.filter(c, p), map)

        case .project(let child, let exprs, let fields):
            let keep = exprs.indices.filter { required.contains($0) }
            let needed = keep.reduce(into: Set<Int>()) { $0.formUnion(exprs[$1].referencedColumns) }
            let (c, map) = prune(child, needed)
            let newExprs = keep.map { exprs[$0].remapped { map[$0]! } }
            return (.project(c, newExprs, keep.map { fields[$0] }),
                    Dictionary(uniqueKeysWithValues: keep.enumerated().map { ($1, $0) }))

        case .join(let l, let r, let kind, let cond):
            let lc = l.fields.count
            var needed = required
            if let cond { needed.formUnion(cond.referencedColumns) }
            let (lp, lmap) = prune(l, Set(needed.filter { $0 < lc }))
            let (rp, rmap) = prune(r, Set(needed.filter { $0 >= lc }.map { $0 - lc }))
            let newLC = lp.fields.count
            func remap(_ i: Int) -> Int { i < lc ? lmap[i]! : newLC + rmap[i - lc]! }
            var map: [Int: Int] = [:]
            for (o, n) in lmap { map[o] = n }
            for (o, n) in rmap { map[o + lc] = newLC + n }
            return (.join(lp, rp, kind, cond.map { $0.remapped(remap) }), map)

        case .aggregate(let child, let groups, let aggs, let fields):
            var needed = Set<Int>()
            for g in groups { needed.formUnion(g.referencedColumns) }
            for a in aggs {
                for x in a.arguments { needed.formUnion(x.referencedColumns) }
                if let f = a.filter { needed.formUnion(f.referencedColumns) }
            }
            let (c, map) = prune(child, needed)
            let g2 = groups.map { $0.remapped { map[$0]! } }
            let a2 = aggs.map { a -> AggregateCall in
                var a = a
                a.arguments = a.arguments.map { $0.remapped { map[$0]! } }
                a.filter = a.filter.map { $0.remapped { map[$0]! } }
                return a
            }
            return (.aggregate(c, groups: g2, aggregates: a2, fields), identity(fields.count))

        case .sort(let child, let keys):
            var needed = required
            for k in keys { needed.formUnion(k.expr.referencedColumns) }
            let (c, map) = prune(child, needed)
            let k2 = keys.map { SortKey(expr: $0.expr.remapped { map[$0]! }, descending: $0.descending, nullsFirst: $0.nullsFirst) }
            return (.sort(c, k2), map)

        case .limit(let child, let limit, let offset):
            let (c, map) = prune(child, required)
            return (.limit(c, limit: limit, offset: offset), map)

        case .distinct(let child):
            // Every column takes part in DISTINCT.
            let (c, map) = prune(child, Set(child.fields.indices))
            return (.distinct(c), map)

        case .unionAll(let children, let fields):
            let pruned = children.map { prune($0, Set($0.fields.indices)).0 }
            return (.unionAll(pruned, fields), identity(fields.count))
        }
    }
}
