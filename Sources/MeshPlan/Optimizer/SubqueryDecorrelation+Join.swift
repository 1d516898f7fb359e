import MeshCore

extension SubqueryDecorrelation {
    /// A join whose ON clause holds subqueries. A conjunct whose subqueries read one side only
    /// (or neither) is computed on that side, as mark or scalar joins that add a column to
    /// each of its rows and take no row away, so it works for every kind of join; the ON
    /// clause then reads the column. A conjunct reading both sides of an inner join becomes a
    /// filter above it, which means the same there. (PostgreSQL takes one reading both sides
    /// of an outer join too; that one is refused.)
    func rewriteJoinCondition(_ l: LogicalPlan, _ r: LogicalPlan, _ kind: PlanJoinKind,
                              _ cond: BoundExpr) throws -> LogicalPlan {
        var left = l, right = r
        var kept: [BoundExpr] = [], above: [BoundExpr] = []
        let leftIDs = l.columns.idSet, rightIDs = r.columns.idSet
        for c in cond.conjuncts {
            guard c.containsSubquery else {
                kept.append(c)
                continue
            }
            let refs = c.referencedColumns
            if refs.isDisjoint(with: leftIDs) {
                kept.append(try replaceNested(c, &right))
            } else if refs.isDisjoint(with: rightIDs) {
                kept.append(try replaceNested(c, &left))
            } else if kind == .inner || kind == .cross {
                above.append(c)
            } else {
                throw MeshError(.notSupported,
                                "a subquery in an outer join's ON clause may read the columns of one side of the join only",
                                at: Self.subqueryLocation(c))
            }
        }
        var out = LogicalPlan.join(left, right, kind, BoundExpr.conjunction(kept))
        if let filter = BoundExpr.conjunction(above) { out = try rewriteFilter(out, filter) }
        let columns = LogicalPlan.joinColumns(l.columns, r.columns, kind)
        if out.columns.ids == columns.ids { return out }
        return .project(out, columns.map(\.ref), columns)
    }
}
