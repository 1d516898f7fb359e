import MeshCore

/// Moves filters as close to the scans as they can go: through projections, into the side
/// of a join they belong to, and turns WHERE equalities across a comma join into join keys.
/// Filters never move across a limit, into the nullable side of an outer join, or across an
/// aggregate unless they only read its group keys.
public struct PredicatePushdown: OptimizerRule {
    public let name = "predicate_pushdown"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { push($0, []) }
    }

    /// Pushes `pending` conjuncts (over `plan`'s output columns) into `plan`.
    func push(_ plan: LogicalPlan, _ pending: [BoundExpr]) -> LogicalPlan {
        switch plan {
        case .filter(let child, let pred):
            // The filter's own conditions first: a policy filter stays ahead of what arrives
            // from above in the WHERE a source gets (sources mostly keep the written order).
            return push(child, pred.conjuncts + pending)

        case .project(let child, let exprs, let columns):
            // A conjunct passes a projection by substituting the projected expressions.
            let defs = Dictionary(uniqueKeysWithValues: zip(columns.ids, exprs))
            return .project(push(child, pending.map { $0.substituting(defs) }), exprs, columns)

        case .join(let l, let r, let kindAsWritten, let cond):
            let leftIDs = l.columns.idSet, rightIDs = r.columns.idSet
            // A condition above an outer join that is never true when the padded side's
            // columns are NULL removes the padded rows again: the join is an inner one (or
            // one-sided, from FULL). Decorrelated scalar subqueries rely on this.
            var kind = kindAsWritten
            let rejectsRightNulls = pending.contains { $0.rejectsNulls(of: rightIDs) }
            let rejectsLeftNulls = pending.contains { $0.rejectsNulls(of: leftIDs) }
            switch kind {
            case .left where rejectsRightNulls: kind = .inner
            case .right where rejectsLeftNulls: kind = .inner
            case .full where rejectsLeftNulls && rejectsRightNulls: kind = .inner
            // Rows whose right side is padded are gone: only the right side stays preserved.
            case .full where rejectsRightNulls: kind = .right
            case .full where rejectsLeftNulls: kind = .left
            default: break
            }
            var leftDown: [BoundExpr] = [], rightDown: [BoundExpr] = [], joinConds: [BoundExpr] = [], keep: [BoundExpr] = []
            func side(_ c: BoundExpr) -> (left: Bool, right: Bool) {
                let cols = c.referencedColumns
                guard !cols.isEmpty else { return (false, false) }
                return (cols.isSubset(of: leftIDs), cols.isSubset(of: rightIDs))
            }
            for c in pending {
                let (onlyLeft, onlyRight) = side(c)
                switch kind {
                case .inner, .cross:
                    if onlyLeft { leftDown.append(c) } else if onlyRight { rightDown.append(c) } else {
                        joinConds.append(c)
                        // An OR over both sides still implies a filter on each side alone
                        // (TPC-H q07's nation pairs); the OR itself stays as the condition.
                        // Derived only from conditions arriving from above, so a later pass
                        // does not derive the same filter again.
                        if let l = c.impliedDisjunction(over: leftIDs) { leftDown.append(l) }
                        if let r = c.impliedDisjunction(over: rightIDs) { rightDown.append(r) }
                    }
                case .left:
                    if onlyLeft { leftDown.append(c) } else { keep.append(c) }
                case .right:
                    if onlyRight { rightDown.append(c) } else { keep.append(c) }
                case .full:
                    keep.append(c)
                case .semi, .anti, .nullAwareAnti, .mark:
                    // Each left row's fate depends on that row alone: filter it first.
                    if onlyLeft { leftDown.append(c) } else { keep.append(c) }
                }
            }
            // The join's own condition: a conjunct over one side filters that side when the
            // side is not the preserved one of an outer join.
            var ownConds: [BoundExpr] = []
            for c in cond?.conjuncts ?? [] {
                let (onlyLeft, onlyRight) = side(c)
                if onlyLeft, kind == .inner || kind == .right || kind == .semi { leftDown.append(c) }
                else if onlyRight, kind != .right, kind != .full, kind != .cross, kind != .nullAwareAnti { rightDown.append(c) }
                else { ownConds.append(c) }
            }
            let allConds = ownConds + joinConds
            let newKind: PlanJoinKind = (kind == .cross && !allConds.isEmpty) ? .inner : kind
            let joined = LogicalPlan.join(push(l, leftDown), push(r, rightDown), newKind, BoundExpr.conjunction(allConds))
            return wrap(joined, keep)

        case .sort(let child, let keys):
            return .sort(push(child, pending), keys)

        case .distinct(let child):
            return .distinct(push(child, pending))

        case .guarded(let child, let guardInfo):
            // Only what cannot leak goes below a product's policy filter and masks; the rest
            // runs on the rows and values the policy lets through.
            var down: [BoundExpr] = [], keep: [BoundExpr] = []
            for c in pending {
                if c.isLeakproof, c.referencedColumns.isDisjoint(with: guardInfo.unsafeColumns) { down.append(c) } else { keep.append(c) }
            }
            return wrap(.guarded(push(child, down), guardInfo), keep)

        case .aggregate(let child, let groups, let aggs, let columns):
            // Conjuncts on group columns only can go below the aggregate.
            let groupDefs = Dictionary(uniqueKeysWithValues: zip(Array(columns.prefix(groups.count)).ids, groups))
            let groupIDs = Set(groupDefs.keys)
            var down: [BoundExpr] = [], keep: [BoundExpr] = []
            for c in pending {
                let cols = c.referencedColumns
                if !cols.isEmpty, cols.isSubset(of: groupIDs) { down.append(c.substituting(groupDefs)) } else { keep.append(c) }
            }
            return wrap(.aggregate(push(child, down), groups: groups, aggregates: aggs, columns), keep)

        case .limit(let child, let limit, let offset):
            return wrap(.limit(push(child, []), limit: limit, offset: offset), pending)

        case .window(let child, let calls, let columns):
            // A filter changes which rows a window sees, except one on columns every call
            // partitions by: it removes whole partitions.
            let plainKeys = calls.map { call in
                Set(call.partitionBy.compactMap { e -> ColumnID? in if case .column(let id) = e.kind { return id } else { return nil } })
            }
            let shared = plainKeys.reduce(nil) { (acc: Set<ColumnID>?, s) in acc.map { $0.intersection(s) } ?? s } ?? []
            var down: [BoundExpr] = [], keep: [BoundExpr] = []
            for c in pending {
                let cols = c.referencedColumns
                if !cols.isEmpty, cols.isSubset(of: shared) { down.append(c) } else { keep.append(c) }
            }
            return wrap(.window(push(child, down), calls, columns), keep)

        case .unionAll(let children, let columns):
            // Each input gets the conjuncts over its own columns, matched by position.
            return .unionAll(children.map { child in
                let defs = Dictionary(uniqueKeysWithValues: zip(columns.ids, child.columns.map(\.ref)))
                return push(child, pending.map { $0.substituting(defs) })
            }, columns)

        case .scan, .singleRow, .values, .remote, .sharedScan:
            return wrap(plan, pending)

        case .shared(let defs, let body):
            // A definition serves every reference: nothing one of them asks moves into it.
            return .shared(defs.map { d in var d = d; d.plan = push(d.plan, []); return d }, push(body, pending))
        }
    }

    func wrap(_ plan: LogicalPlan, _ conds: [BoundExpr]) -> LogicalPlan {
        guard let c = BoundExpr.conjunction(conds) else { return plan }
        return .filter(plan, c)
    }
}
