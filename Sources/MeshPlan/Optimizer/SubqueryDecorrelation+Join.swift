import MeshCore

extension SubqueryDecorrelation {
    /// A join whose ON clause holds subqueries. A conjunct whose subqueries read one side only
    /// (or neither) is computed on that side, as mark or scalar joins that add a column to
    /// each of its rows and take no row away, so it works for every kind of join; the ON
    /// clause then reads the column. A conjunct reading both sides of an inner join becomes a
    /// filter above it, which means the same there; of a LEFT or RIGHT join, see
    /// `readingBothSides`. (PostgreSQL takes one reading both sides of a FULL JOIN too; that
    /// one is refused.)
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
            } else if kind == .left {
                kept += try readingBothSides(c, preserved: l, extending: &right)
            } else if kind == .right {
                kept += try readingBothSides(c, preserved: r, extending: &left)
            } else {
                throw MeshError(.notSupported,
                                "a subquery in a FULL JOIN's ON clause may read the columns of one side of the join only",
                                at: Self.subqueryLocation(c))
            }
        }
        var out = LogicalPlan.join(left, right, kind, BoundExpr.conjunction(kept))
        // (`kept` reads the columns a conjunct added to a side; the projection below drops them.)
        if let filter = BoundExpr.conjunction(above) { out = try rewriteFilter(out, filter) }
        let columns = LogicalPlan.joinColumns(l.columns, r.columns, kind)
        if out.columns.ids == columns.ids { return out }
        return .project(out, columns.map(\.ref), columns)
    }

    /// An outer join's ON conjunct whose subqueries read both sides: computed on the side the
    /// join extends with NULLs, paired with every value of the preserved side's columns it
    /// reads (`joinedWithOuterValues`), and matched on those values in the ON clause. Each row
    /// of that side then stands once for every such value, and meets the preserved rows of
    /// that value only, so matches are as before; its copies that match nothing are dropped,
    /// as its rows that match nothing are. (The pairing costs rows × distinct values, as
    /// evaluating the subquery per pair would.)
    /// - Returns: the conditions that replace `c` in the ON clause.
    func readingBothSides(_ c: BoundExpr, preserved: LogicalPlan, extending side: inout LogicalPlan) throws -> [BoundExpr] {
        let read = c.referencedColumns.intersection(preserved.columns.idSet).sorted()
        let (paired, keys, matching) = Self.joinedWithOuterValues(side, [], outer: Set(read), input: preserved,
                                                                   outerColumns: read)
        side = paired
        let onKeys = Dictionary(uniqueKeysWithValues: zip(read, keys.map(\.ref)))
        return [try replaceNested(c.substitutingDeep(onKeys), &side)] + matching
    }
}
