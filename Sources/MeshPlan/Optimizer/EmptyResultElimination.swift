/// A subtree that can have no rows (a filter or join condition that is constant FALSE or
/// NULL, and what is built on it: an inner join with such a side, an outer join whose
/// preserved side it is, a grouping of it) goes under `LIMIT 0`, which reads nothing of it.
/// PostgreSQL plans such a subtree as a one-time filter and answers at once; run as written,
/// `FROM a CROSS JOIN b RIGHT JOIN c ON … WHERE 'n' = 'zz'` built the 2.5 million pairs of
/// `a × b` to throw them away. The subtree stays in the plan (its scans are still what the
/// query reads, for audit and lineage), and a source gets the `LIMIT 0` where it goes down.
public struct EmptyResultElimination: OptimizerRule {
    public let name = "eliminate_empty_results"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan, rewrite)
    }

    /// From the top: the largest subtrees that are empty each go under one `LIMIT 0`.
    func rewrite(_ plan: LogicalPlan) -> LogicalPlan {
        if Self.readsNothing(plan) { return plan }
        if Self.isEmpty(plan) { return .limit(plan, limit: 0, offset: 0) }
        return plan.withChildren(plan.children.map(rewrite))
    }

    static func readsNothing(_ plan: LogicalPlan) -> Bool {
        if case .limit(_, 0?, _) = plan { return true }
        return false
    }

    /// Whether the plan has no rows whatever its tables hold.
    static func isEmpty(_ plan: LogicalPlan) -> Bool {
        switch plan {
        case .scan, .singleRow, .remote, .sharedScan:
            return false
        case .values(let v):
            return v.rows.isEmpty
        case .shared(_, let body):
            return isEmpty(body)
        case .limit(let c, let limit, _):
            return limit == 0 || isEmpty(c)
        case .filter(let c, let pred):
            return isNeverTrue(pred) || isEmpty(c)
        case .project(let c, _, _), .sort(let c, _), .distinct(let c), .window(let c, _, _), .guarded(let c, _):
            return isEmpty(c)
        case .aggregate(let c, let groups, _, _):
            // Without GROUP BY, an aggregate of no rows is one row.
            return !groups.isEmpty && isEmpty(c)
        case .unionAll(let cs, _):
            return cs.allSatisfy(isEmpty)
        case .join(let l, let r, let kind, let cond):
            let never = cond.map(isNeverTrue) ?? false
            switch kind {
            case .inner, .cross, .semi: return never || isEmpty(l) || isEmpty(r)
            case .left, .anti, .nullAwareAnti, .mark: return isEmpty(l)
            case .right: return isEmpty(r)
            case .full: return isEmpty(l) && isEmpty(r)
            }
        }
    }

    static func isNeverTrue(_ e: BoundExpr) -> Bool {
        switch e.kind {
        case .literal(.bool(false)), .literal(.null): true
        default: false
        }
    }
}
