import MeshCore

/// Moves filters as close to the scans as they can go: through projections, into the side
/// of a join they belong to, and turns WHERE equalities across a comma join into join keys.
/// Filters never move across an aggregate, a limit, or into the nullable side of an outer join.
public struct PredicatePushdown: OptimizerRule {
    public let name = "predicate_pushdown"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        var changed = false
        let out = push(plan, [], &changed)
        return (out, changed)
    }

    /// Pushes `pending` conjuncts (over `plan`'s output) into `plan`.
    func push(_ plan: LogicalPlan, _ pending: [BoundExpr], _ changed: inout Bool) -> LogicalPlan {
        switch plan {
        case .filter(let child, let pred):
            changed = changed || !isScan(child)
            return push(child, pending + pred.conjuncts, &changed)

        case .project(let child, let exprs, let fields):
            // A conjunct passes a projection by substituting the projected expressions.
            var down: [BoundExpr] = []
            var keep: [BoundExpr] = []
            for c in pending {
                let substituted = c.rewritten { e in
                    if case .column(let i) = e.kind { return exprs[i] }
                    return e
                }
                if substituted.containsAggregate { keep.append(c) } else { down.append(substituted) }
            }
            if !down.isEmpty { changed = true }
            return wrap(.project(push(child, down, &changed), exprs, fields), keep)

        case .join(let l, let r, let kind, let cond):
            let leftCount = l.fields.count
            var leftDown: [BoundExpr] = [], rightDown: [BoundExpr] = [], joinConds: [BoundExpr] = [], keep: [BoundExpr] = []
            var kind = kind
            for c in pending {
                let cols = c.referencedColumns
                let onlyLeft = cols.allSatisfy { $0 < leftCount }
                let onlyRight = cols.allSatisfy { $0 >= leftCount }
                switch kind {
                case .inner, .cross:
                    if onlyLeft && !cols.isEmpty { leftDown.append(c) }
                    else if onlyRight && !cols.isEmpty { rightDown.append(c.remapped { $0 - leftCount }) }
                    else { joinConds.append(c) }
                case .left:
                    if onlyLeft && !cols.isEmpty { leftDown.append(c) } else { keep.append(c) }
                case .right:
                    if onlyRight && !cols.isEmpty { rightDown.append(c.remapped { $0 - leftCount }) } else { keep.append(c) }
                case .full:
                    keep.append(c)
                }
            }
            // An inner join's own condition splits the same way.
            var ownConds: [BoundExpr] = []
            if let cond {
                for c in cond.conjuncts {
                    let cols = c.referencedColumns
                    if kind == .inner, !cols.isEmpty, cols.allSatisfy({ $0 < leftCount }) { leftDown.append(c) }
                    else if kind == .inner, !cols.isEmpty, cols.allSatisfy({ $0 >= leftCount }) { rightDown.append(c.remapped { $0 - leftCount }) }
                    else if kind == .left, !cols.isEmpty, cols.allSatisfy({ $0 >= leftCount }) { rightDown.append(c.remapped { $0 - leftCount }) }
                    else if kind == .right, !cols.isEmpty, cols.allSatisfy({ $0 < leftCount }) { leftDown.append(c) }
                    else { ownConds.append(c) }
                }
            }
            if !joinConds.isEmpty { changed = true; if kind == .cross { kind = .inner } }
            if !leftDown.isEmpty || !rightDown.isEmpty { changed = true }
            let allConds = ownConds + joinConds
            let newKind: PlanJoinKind = (kind == .cross && !allConds.isEmpty) ? .inner : kind
            let joined = LogicalPlan.join(push(l, leftDown, &changed), push(r, rightDown, &changed), newKind,
                                          BoundExpr.conjunction(allConds))
            return wrap(joined, keep)

        case .sort(let child, let keys):
            return .sort(push(child, pending, &changed), keys)

        case .distinct(let child):
            return .distinct(push(child, pending, &changed))

        case .aggregate(let child, let groups, let aggs, let fields):
            // Conjuncts on group columns only can go below the aggregate.
            var down: [BoundExpr] = [], keep: [BoundExpr] = []
            for c in pending {
                let cols = c.referencedColumns
                if !cols.isEmpty, cols.allSatisfy({ $0 < groups.count }) {
                    down.append(c.rewritten { e in
                        if case .column(let i) = e.kind { return groups[i] }
                        return e
                    })
                } else { keep.append(c) }
            }
            if !down.isEmpty { changed = true }
            return wrap(.aggregate(push(child, down, &changed), groups: groups, aggregates: aggs, fields), keep)

        case .limit(let child, let limit, let offset):
            return wrap(.limit(push(child, [], &changed), limit: limit, offset: offset), pending)

        case .unionAll(let children, let fields):
            return .unionAll(children.map { push($0, pending, &changed) }, fields)

        case .scan, .singleRow, .remote:
            return wrap(plan, pending)
        }
    }

    func wrap(_ plan: LogicalPlan, _ conds: [BoundExpr]) -> LogicalPlan {
        guard let c = BoundExpr.conjunction(conds) else { return plan }
        return .filter(plan, c)
    }

    func isScan(_ p: LogicalPlan) -> Bool {
        if case .scan = p { return true }
        return false
    }
}
