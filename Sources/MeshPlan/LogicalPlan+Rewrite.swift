extension LogicalPlan {
    /// The same node over new children (in `children` order).
    public func withChildren(_ cs: [LogicalPlan]) -> LogicalPlan {
        switch self {
        case .scan, .singleRow, .values, .remote, .sharedScan: self
        case .filter(_, let p): .filter(cs[0], p)
        case .project(_, let es, let cols): .project(cs[0], es, cols)
        case .join(_, _, let k, let c): .join(cs[0], cs[1], k, c)
        case .aggregate(_, let g, let a, let cols): .aggregate(cs[0], groups: g, aggregates: a, cols)
        case .sort(_, let k): .sort(cs[0], k)
        case .limit(_, let l, let o): .limit(cs[0], limit: l, offset: o)
        case .distinct: .distinct(cs[0])
        case .guarded(_, let g): .guarded(cs[0], g)
        case .unionAll(_, let cols): .unionAll(cs, cols)
        case .window(_, let calls, let cols): .window(cs[0], calls, cols)
        case .shared(let defs, _):
            .shared(zip(defs, cs).map { d, p in var d = d; d.plan = p; return d }, cs[defs.count])
        }
    }

    /// Rebuilds the plan bottom-up; `transform` sees each node after its children.
    public func transformUp(_ transform: (LogicalPlan) throws -> LogicalPlan) rethrows -> LogicalPlan {
        let cs = try children.map { try $0.transformUp(transform) }
        return try transform(cs.isEmpty ? self : withChildren(cs))
    }

    /// `plan` filtered by the conjuncts, or `plan` itself when there are none.
    public static func filtered(_ plan: LogicalPlan, _ conjuncts: [BoundExpr]) -> LogicalPlan {
        guard let c = BoundExpr.conjunction(conjuncts) else { return plan }
        return .filter(plan, c)
    }
}

extension LogicalPlan {
    /// A copy of this plan whose every defined column has a new id (references inside follow),
    /// for using one subplan twice in a tree. Returns the old → new mapping too.
    public func withFreshColumnIDs() -> (LogicalPlan, [ColumnID: ColumnID]) {
        var map: [ColumnID: ColumnID] = [:]
        for id in definedColumns { map[id] = .fresh() }
        return (renamingDefinedColumns(map), map)
    }

    /// This plan with the columns it defines renamed by `map` (references inside follow;
    /// with `deep`, those of subqueries still in expressions too).
    public func renamingDefinedColumns(_ map: [ColumnID: ColumnID], deep: Bool = false) -> LogicalPlan {
        func renamed(_ cs: [PlanColumn]) -> [PlanColumn] { cs.map { var c = $0; c.id = map[c.id] ?? c.id; return c } }
        let references = mappingExpressions { deep ? $0.renamingColumnsDeep(map) : $0.renamingColumns(map) }
        let out = references.transformUp { node -> LogicalPlan in
            switch node {
            case .scan(var s):
                s.columnIDs = s.columnIDs.map { map[$0] ?? $0 }
                return .scan(s)
            case .values(var v):
                v.columns = renamed(v.columns)
                return .values(v)
            case .project(let c, let es, let cs): return .project(c, es, renamed(cs))
            case .join(let l, let r, .mark(var m, let nullAware), let cond):
                m.id = map[m.id] ?? m.id
                return .join(l, r, .mark(m, nullAware: nullAware), cond)
            case .aggregate(let c, let gs, let aggs, let cs): return .aggregate(c, groups: gs, aggregates: aggs, renamed(cs))
            case .unionAll(let cs, let cols): return .unionAll(cs, renamed(cols))
            case .window(let c, let calls, let cols): return .window(c, calls, renamed(cols))
            case .remote(var r):
                r.columns = renamed(r.columns)
                return .remote(r)
            case .guarded(let c, var g):
                g.unsafeColumns = Set(g.unsafeColumns.map { map[$0] ?? $0 })
                return .guarded(c, g)
            case .sharedScan(var s):
                s.columns = renamed(s.columns)
                s.sourceIDs = s.sourceIDs.map { map[$0] ?? $0 }
                return .sharedScan(s)
            case .filter, .join, .sort, .singleRow, .limit, .distinct, .shared: return node
            }
        }
        return out
    }
}

extension LogicalPlan {
    /// Applies `f` to every expression of every node (conditions, projections, keys,
    /// aggregate arguments), leaving the plan's shape and columns alone.
    public func mappingExpressions(_ f: (BoundExpr) -> BoundExpr) -> LogicalPlan {
        transformUp { node in
            switch node {
            case .filter(let c, let p): return .filter(c, f(p))
            case .project(let c, let es, let cs): return .project(c, es.map(f), cs)
            case .join(let l, let r, let k, let cond): return .join(l, r, k, cond.map(f))
            case .aggregate(let c, let gs, let aggs, let cs):
                let a2 = aggs.map { a -> AggregateCall in
                    var a = a
                    a.arguments = a.arguments.map(f)
                    a.filter = a.filter.map(f)
                    return a
                }
                return .aggregate(c, groups: gs.map(f), aggregates: a2, cs)
            case .sort(let c, let keys):
                return .sort(c, keys.map { SortKey(expr: f($0.expr), descending: $0.descending, nullsFirst: $0.nullsFirst) })
            case .window(let c, let calls, let cols): return .window(c, calls.map { $0.mapping(f) }, cols)
            default: return node
            }
        }
    }
}

extension BoundExpr {
    /// The same expression reading other columns of the same types (a copied subplan's).
    public func renamingColumns(_ map: [ColumnID: ColumnID]) -> BoundExpr {
        rewritten { x in
            guard case .column(let id) = x.kind, let n = map[id] else { return x }
            var c = x
            c.kind = .column(n)
            return c
        }
    }

    /// `renamingColumns`, also inside the plans of subqueries (their outer references).
    public func renamingColumnsDeep(_ map: [ColumnID: ColumnID]) -> BoundExpr {
        rewritten { x in
            switch x.kind {
            case .column(let id):
                guard let n = map[id] else { return x }
                var c = x
                c.kind = .column(n)
                return c
            case .subquery(var q):
                guard !q.outerReferences.isDisjoint(with: map.keys) else { return x }
                q.plan = q.plan.mappingExpressions { $0.renamingColumnsDeep(map) }
                q.outerReferences = Set(q.outerReferences.map { map[$0] ?? $0 })
                var c = x
                c.kind = .subquery(q)
                return c
            default:
                return x
            }
        }
    }

    /// `substituting`, also inside the plans of subqueries (whose outer references follow).
    public func substitutingDeep(_ map: [ColumnID: BoundExpr]) -> BoundExpr {
        if map.isEmpty { return self }
        return rewritten { e in
            switch e.kind {
            case .column(let id):
                guard var r = map[id] else { return e }
                r.location = e.location ?? r.location
                return r
            case .subquery(var q):
                let touched = q.outerReferences.intersection(map.keys)
                guard !touched.isEmpty else { return e }
                q.plan = q.plan.mappingExpressions { $0.substitutingDeep(map) }
                q.outerReferences.subtract(touched)
                for id in touched { q.outerReferences.formUnion(map[id]!.referencedColumns) }
                var c = e
                c.kind = .subquery(q)
                return c
            default:
                return e
            }
        }
    }
}

extension LogicalPlan {
    /// The plan without the filter and inner-join conditions that read any of `columns`: a
    /// superset of its rows that no longer reads them.
    public func removingConditions(reading columns: Set<ColumnID>) -> LogicalPlan {
        func keeps(_ e: BoundExpr) -> Bool { e.referencedColumns.isDisjoint(with: columns) }
        return transformUp { node in
            switch node {
            case .filter(let child, let pred):
                return .filtered(child, pred.conjuncts.filter(keeps))
            case .join(let l, let r, .inner, let cond?):
                let kept = cond.conjuncts.filter(keeps)
                return .join(l, r, kept.isEmpty ? .cross : .inner, BoundExpr.conjunction(kept))
            default:
                return node
            }
        }
    }
}
