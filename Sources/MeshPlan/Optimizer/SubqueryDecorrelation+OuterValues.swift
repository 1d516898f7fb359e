import MeshCore

extension SubqueryDecorrelation {
    /// A part of a correlated subquery joined with the distinct values of outer columns: each
    /// row of `plan` once for every outer value it belongs to. For what cannot take the outer
    /// values as group keys (a LIMIT per outer row, a union of branches each correlated, a
    /// condition other than = under an aggregate). `up` are the conditions pulled out of
    /// `plan`; `outerColumns` the outer columns to take (by default those `up` reads).
    /// - Returns: the join; for each outer column, in order, the domain column holding its
    ///   value; and the conditions that match those columns with the outer ones (a NULL outer
    ///   value has a domain row of its own, and matches it).
    static func joinedWithOuterValues(_ plan: LogicalPlan, _ up: [BoundExpr], outer: Set<ColumnID>, input: LogicalPlan,
                                      outerColumns: [ColumnID]? = nil)
        -> (plan: LogicalPlan, keys: [PlanColumn], conditions: [BoundExpr]) {
        let ids = outerColumns ?? Set(up.flatMap(\.referencedColumns)).intersection(outer).sorted()
        let (domain, valueOf) = Self.domain(of: input, Set(ids))
        let toDomain = valueOf.mapValues(\.ref)
        let on = BoundExpr.conjunction(up.map { $0.substituting(toDomain) })
        let joined = LogicalPlan.join(plan, domain, on == nil ? .cross : .inner, on)
        var keys: [PlanColumn] = [], conditions: [BoundExpr] = []
        for o in ids {
            guard let d = valueOf[o] else { continue }
            keys.append(d)
            let outerType = input.columns.first { $0.id == o }?.type ?? d.type
            conditions += Binder.nullMatchingKeys(d.ref, BoundExpr(.column(o), type: outerType))
        }
        return (joined, keys, conditions)
    }

    /// `LIMIT / OFFSET` over a correlated part: its rows for every outer value at once,
    /// numbered per outer value in the subquery's order (`row_number() OVER (PARTITION BY
    /// outer values ORDER BY …)`), and those the LIMIT and OFFSET keep. `child` is the part
    /// under the limit with its correlated conditions `up` pulled out.
    func limitPerOuterValue(_ child: LogicalPlan, _ up: [BoundExpr], limit: Int?, offset: Int, outer: Set<ColumnID>,
                            input: LogicalPlan) -> (LogicalPlan, [BoundExpr]) {
        var base = child, order: [SortKey] = []
        if case .sort(let c, let keys) = child {
            base = c
            order = keys
        }
        let (joined, keys, conditions) = Self.joinedWithOuterValues(base, up, outer: outer, input: input)
        let number = PlanColumn.fresh("row_number", .bigint)
        let call = WindowCall(function: .rowNumber, arguments: [], partitionBy: keys.map(\.ref), orderBy: order,
                              resultType: .bigint)
        let windowed = LogicalPlan.window(joined, [call], [number])
        func compare(_ op: ComparisonOperator, _ n: Int) -> BoundExpr {
            BoundExpr(.comparison(op, number.ref, .literal(.int(Int64(n)), .bigint)), type: .boolean)
        }
        var kept = [compare(.greater, offset)]
        if let limit { kept.append(compare(.lessOrEqual, offset + limit)) }
        let columns = child.columns + keys
        return (.project(.filtered(windowed, kept), columns.map(\.ref), columns), conditions)
    }

    /// UNION ALL of branches some of which are correlated: each branch joined with the outer
    /// values (a branch that does not compare one pairs its rows with all of them) and passing
    /// them on, so that the union's rows carry the outer values they belong to.
    func unionPerOuterValue(_ branches: [(LogicalPlan, [BoundExpr])], _ columns: [PlanColumn], outer: Set<ColumnID>,
                            input: LogicalPlan) -> (LogicalPlan, [BoundExpr]) {
        let ids = Set(branches.flatMap { $0.1.flatMap(\.referencedColumns) }).intersection(outer).sorted()
        var children: [LogicalPlan] = []
        for (plan, up) in branches {
            let (joined, keys, _) = Self.joinedWithOuterValues(plan, up, outer: outer, input: input, outerColumns: ids)
            // (A branch passes on the columns its pulled conditions read after its own.)
            let passed = Array(plan.columns.prefix(columns.count)) + keys
            children.append(.project(joined, passed.map(\.ref), passed))
        }
        var unionKeys: [PlanColumn] = [], conditions: [BoundExpr] = []
        for o in ids {
            guard let column = input.columns.first(where: { $0.id == o }) else { continue }
            let key = PlanColumn.fresh(column.name, column.type)
            unionKeys.append(key)
            conditions += Binder.nullMatchingKeys(key.ref, column.ref)
        }
        return (.unionAll(children, columns + unionKeys), conditions)
    }
}
