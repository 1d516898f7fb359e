/// A CTE or view read in several places of a statement, bound once (see `LogicalPlan.shared`).
public struct SharedDefinition: Sendable, Hashable {
    /// Unique within the statement; references name it.
    public var id: Int
    /// `cte c1` or `view mesh.product`, for EXPLAIN.
    public var name: String
    public var plan: LogicalPlan

    public init(id: Int, name: String, plan: LogicalPlan) {
        self.id = id
        self.name = name
        self.plan = plan
    }
}

/// One place a shared definition is read: its own column ids (two references of one CTE are
/// two relations to the query), each standing for the definition's output column of the same
/// index in `sourceIDs`.
public struct SharedReference: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var columns: [PlanColumn]
    /// The definition's output column each of `columns` reads.
    public var sourceIDs: [ColumnID]

    public init(id: Int, name: String, columns: [PlanColumn], sourceIDs: [ColumnID]) {
        self.id = id
        self.name = name
        self.columns = columns
        self.sourceIDs = sourceIDs
    }
}

extension LogicalPlan {
    /// This plan with `replace` applied to each shared reference, also inside the plans of
    /// subqueries still in expressions; a reference `replace` returns nil for stays.
    public func replacingSharedScans(_ replace: (SharedReference) -> LogicalPlan?) -> LogicalPlan {
        func inExpression(_ e: BoundExpr) -> BoundExpr {
            e.rewritten { x in
                guard case .subquery(var q) = x.kind else { return x }
                q.plan = q.plan.replacingSharedScans(replace)
                var c = x
                c.kind = .subquery(q)
                return c
            }
        }
        return mappingExpressions(inExpression).transformUp { node in
            guard case .sharedScan(let s) = node else { return node }
            return replace(s) ?? node
        }
    }

    /// The number of references to each shared definition, subqueries' included.
    public var sharedReferenceCounts: [Int: Int] {
        var out: [Int: Int] = [:]
        func inExpression(_ e: BoundExpr) {
            if case .subquery(let q) = e.kind { q.plan.sharedReferenceCounts.forEach { out[$0.key, default: 0] += $0.value } }
            e.children.forEach(inExpression)
        }
        visit { node in
            if case .sharedScan(let s) = node { out[s.id, default: 0] += 1 }
            node.expressions.forEach(inExpression)
        }
        return out
    }
}
