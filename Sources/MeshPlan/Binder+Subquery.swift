import MeshCore
import MeshSQL

extension Binder {
    /// A column name: in the query's own FROM first, then in the enclosing queries' (a
    /// correlated reference, which decorrelation later turns into a join condition).
    func resolveColumn(_ parts: [String], scope: Scope, at loc: SourceLocation) throws -> BoundExpr {
        do {
            let (i, _) = try scope.resolve(parts, at: loc)
            return scope.reference(i, at: loc)
        } catch let error as MeshError where error.code == .undefinedColumn || error.code == .undefinedTable {
            for outer in outerScopes {
                do {
                    let (i, _) = try outer.resolve(parts, at: loc)
                    return outer.reference(i, at: loc)
                } catch let e as MeshError where e.code == .undefinedColumn || e.code == .undefinedTable {
                    continue
                }
            }
            throw error
        }
    }

    /// Binds a subquery with this query's scope visible to it; returns its plan and the outer
    /// columns it reads.
    func bindSubqueryPlan(_ query: Query, scope: Scope) throws -> (LogicalPlan, Set<ColumnID>) {
        var inner = self
        inner.outerScopes = [scope] + outerScopes
        let plan = try inner.bindQuery(query)
        return (plan, plan.freeColumns)
    }

    func bindExists(_ query: Query, negated: Bool, scope: Scope, at loc: SourceLocation) throws -> BoundExpr {
        let (plan, outer) = try bindSubqueryPlan(query, scope: scope)
        let q = BoundSubquery(kind: .exists, negated: negated, operand: nil, plan: plan, outerReferences: outer)
        return BoundExpr(.subquery(q), type: .boolean, at: loc)
    }

    /// `x [NOT] IN (q)`, or with `comparison`, `x op ANY (q)` (negated: `NOT x op ANY (q)`);
    /// `written` is the operator as the query wrote it, for a type error.
    func bindInSubquery(_ operand: BoundExpr, _ query: Query, negated: Bool, comparison: ComparisonOperator = .equal,
                        written: String = "=", scope: Scope, at loc: SourceLocation) throws -> BoundExpr {
        var (plan, outer) = try bindSubqueryPlan(query, scope: scope)
        let columns = plan.columns
        guard columns.count == 1 else {
            throw MeshError(.syntax, "subquery has too many columns", at: loc)
        }
        // Both sides compare in one type; the subquery's column is cast inside it.
        let (x, y) = try unify(operand, columns[0].ref, op: written, at: loc)
        if y.type != columns[0].type {
            plan = .project(plan, [y], [.fresh(columns[0].name, y.type)])
        }
        var q = BoundSubquery(kind: .in, negated: negated, operand: x, plan: plan, outerReferences: outer)
        q.comparison = comparison
        return BoundExpr(.subquery(q), type: .boolean, at: loc)
    }

    func bindScalarSubquery(_ query: Query, scope: Scope, at loc: SourceLocation) throws -> BoundExpr {
        let (plan, outer) = try bindSubqueryPlan(query, scope: scope)
        let columns = plan.columns
        guard columns.count == 1 else {
            throw MeshError(.syntax, "subquery must return only one column", at: loc)
        }
        let q = BoundSubquery(kind: .scalar, negated: false, operand: nil, plan: plan, outerReferences: outer)
        return BoundExpr(.subquery(q), type: columns[0].type, at: loc)
    }
}
