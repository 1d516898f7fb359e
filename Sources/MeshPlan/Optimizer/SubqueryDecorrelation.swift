import MeshCore
import MeshSQL

/// Turns every subquery into a join, so no plan evaluates a subquery once per outer row
/// (the approach of DuckDB's and DataFusion's decorrelators):
/// - a WHERE/HAVING conjunct `EXISTS` / `x IN` becomes a semi join, `NOT EXISTS` an anti join,
///   `x NOT IN` a null-aware anti join (uncorrelated) or an anti join whose condition counts a
///   NULL comparison as a match (correlated), which is what makes NOT IN false or NULL;
/// - EXISTS / IN anywhere else in an expression becomes a mark join, whose boolean column
///   takes the subquery's place;
/// - a scalar subquery becomes a join with its one row (uncorrelated) or, correlated, a left
///   join with its value computed per correlation key (grouped by the correlated columns).
///   A subquery that is not a plain aggregate is wrapped in the `single` aggregate, which
///   gives NULL for no rows and PostgreSQL's error for more than one.
/// The correlation conditions are pulled out of the subquery's filters and inner joins and
/// become the join's condition; below an aggregate, equality correlations become group keys.
public struct SubqueryDecorrelation: OptimizerRule {
    public let name = "decorrelate_subqueries"
    public init() {}

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        var changed = false
        let out = try decorrelate(plan, &changed)
        return (out, changed)
    }

    func decorrelate(_ plan: LogicalPlan, _ changed: inout Bool) throws -> LogicalPlan {
        try plan.transformUp { node in
            switch node {
            case .filter(let input, let pred) where pred.containsSubquery:
                changed = true
                return try rewriteFilter(input, pred)
            case .join(let l, let r, let kind, let cond?) where cond.containsSubquery:
                changed = true
                return try rewriteJoinCondition(l, r, kind, cond)
            case .project(let input, let exprs, let columns) where exprs.contains(where: \.containsSubquery):
                changed = true
                var current = input
                let out = try exprs.map { try replaceNested($0, &current) }
                return .project(current, out, columns)
            default:
                if let e = node.expressions.first(where: \.containsSubquery) {
                    throw MeshError(.notSupported, "subqueries are supported in WHERE, HAVING and the select list, not here",
                                    at: Self.subqueryLocation(e))
                }
                return node
            }
        }
    }

    // MARK: - Where the subquery stands

    func rewriteFilter(_ input: LogicalPlan, _ pred: BoundExpr) throws -> LogicalPlan {
        var current = input
        var rest: [BoundExpr] = []
        for c in pred.conjuncts.map(Self.oneRowForms) {
            if let q = Self.wholeConjunct(c) {
                current = try filterJoin(current, q, at: c.location)
            } else if c.containsSubquery {
                rest.append(try replaceNested(c, &current))
            } else {
                rest.append(c)
            }
        }
        let filtered = LogicalPlan.filtered(current, rest)
        // Mark and scalar joins add columns; the filter's output stays its input's.
        if current.columns.ids == input.columns.ids { return filtered }
        return .project(filtered, input.columns.map(\.ref), input.columns)
    }

    /// `[NOT] EXISTS` or `x [NOT] IN` standing as a whole conjunct of a filter.
    static func wholeConjunct(_ e: BoundExpr) -> BoundSubquery? {
        switch e.kind {
        case .subquery(let q) where q.kind != .scalar:
            return q
        case .not(let inner):
            guard case .subquery(var q) = inner.kind, q.kind != .scalar else { return nil }
            q.negated.toggle()
            return q
        default:
            return nil
        }
    }

    /// A filtering subquery as a semi or anti join.
    func filterJoin(_ input: LogicalPlan, _ q: BoundSubquery, at loc: SourceLocation?) throws -> LogicalPlan {
        let p = try prepare(q, input: input, at: loc)
        switch q.kind {
        case .exists:
            return .join(input, p.plan, q.negated ? .anti : .semi, BoundExpr.conjunction(p.correlation))
        case .in:
            let x = q.operand!, y = p.value!
            let eq = Self.compare(q.comparison, x, y)
            if !q.negated { return .join(input, p.plan, .semi, BoundExpr.conjunction([eq] + p.correlation)) }
            if p.correlation.isEmpty, !x.referencedColumns.isEmpty, q.comparison == .equal {
                return .join(input, p.plan, .nullAwareAnti, eq)
            }
            // x = y being NULL counts as a match too: then NOT IN is not true.
            let matchOrUnknown = Self.or(eq, Self.or(Self.isNull(x), Self.isNull(y)))
            return .join(input, p.plan, .anti, BoundExpr.conjunction(p.correlation + [matchOrUnknown]))
        case .scalar:
            throw MeshError(.internalError, "a scalar subquery is not a filter")
        }
    }

    /// A subquery that always yields exactly one row (an aggregate without GROUP BY): EXISTS
    /// is simply true, and `x IN (q)` is `x = (q)`, which gets NULL right when no inner row
    /// matches (a semi or anti join on group keys would not).
    static func oneRowForms(_ e: BoundExpr) -> BoundExpr {
        e.rewritten { node in
            guard case .subquery(let q) = node.kind, q.kind != .scalar, exactlyOneRow(q.plan) else { return node }
            if q.kind == .exists { return .literal(.bool(!q.negated), .boolean) }
            var scalar = q
            scalar.kind = .scalar
            scalar.operand = nil
            let value = BoundExpr(.subquery(scalar), type: q.plan.columns[0].type, at: node.location)
            let op = q.negated ? q.comparison.negated : q.comparison
            return BoundExpr(.comparison(op, q.operand!, value), type: .boolean, at: node.location)
        }
    }

    /// Replaces each subquery inside `e` by a column that a join onto `current` provides.
    func replaceNested(_ e: BoundExpr, _ current: inout LogicalPlan) throws -> BoundExpr {
        try Self.oneRowForms(e).rewritten { node in
            guard case .subquery(let q) = node.kind else { return node }
            switch q.kind {
            case .scalar: return try scalarJoin(q, &current, at: node.location)
            case .exists, .in: return try markJoin(q, &current, at: node.location)
            }
        }
    }

    /// EXISTS / IN as a value: a mark join's boolean column.
    func markJoin(_ q: BoundSubquery, _ current: inout LogicalPlan, at loc: SourceLocation?) throws -> BoundExpr {
        let p = try prepare(q, input: current, at: loc)
        let mark = PlanColumn.fresh("mark", .boolean)
        var value: BoundExpr
        switch q.kind {
        case .exists:
            current = .join(current, p.plan, .mark(mark, nullAware: false), BoundExpr.conjunction(p.correlation))
            value = mark.ref
        case .in:
            let x = q.operand!, y = p.value!
            let eq = Self.compare(q.comparison, x, y)
            if p.correlation.isEmpty, !x.referencedColumns.isEmpty, q.comparison == .equal {
                current = .join(current, p.plan, .mark(mark, nullAware: true), eq)
                value = mark.ref
            } else {
                // TRUE on a match; otherwise NULL when some comparison was NULL; else FALSE.
                // Two mark joins, the second over a copy of the subquery with ids of its own.
                let (copy, ids) = p.plan.withFreshColumnIDs()
                func renamed(_ e: BoundExpr) -> BoundExpr { e.renamingColumns(ids) }
                let unknown = PlanColumn.fresh("unknown", .boolean)
                current = .join(current, p.plan, .mark(mark, nullAware: false), BoundExpr.conjunction([eq] + p.correlation))
                let nullCmp = Self.or(Self.isNull(x), Self.isNull(renamed(y)))
                current = .join(current, copy, .mark(unknown, nullAware: false),
                                BoundExpr.conjunction(p.correlation.map(renamed) + [nullCmp]))
                value = BoundExpr(.caseWhen([BoundWhen(condition: mark.ref, result: .literal(.bool(true), .boolean)),
                                             BoundWhen(condition: unknown.ref, result: .literal(.null, .boolean))],
                                            otherwise: .literal(.bool(false), .boolean)), type: .boolean, at: loc)
            }
        case .scalar:
            throw MeshError(.internalError, "a scalar subquery is not a mark join")
        }
        return q.negated ? BoundExpr(.not(value), type: .boolean, at: loc) : value
    }

    /// A scalar subquery as a column: joined as one row (uncorrelated) or per correlation key.
    func scalarJoin(_ q: BoundSubquery, _ current: inout LogicalPlan, at loc: SourceLocation?) throws -> BoundExpr {
        var inner = q
        var ignored = false
        inner.plan = try decorrelate(q.plan, &ignored)
        let valueColumn = inner.plan.columns[0]
        // Over no rows, a count is 0 and not NULL: remember what the value is then.
        let emptyValue = Self.valueOverNoRows(inner.plan)
        if !Self.exactlyOneRow(inner.plan) {
            let single = PlanColumn.fresh(valueColumn.name, valueColumn.type)
            inner.plan = .aggregate(inner.plan, groups: [],
                                    aggregates: [AggregateCall(function: .single, arguments: [valueColumn.ref],
                                                               resultType: valueColumn.type)], [single])
        }
        let p = try prepare(inner, input: current, at: loc, decorrelated: true)
        var value = p.value!
        value.location = loc
        if p.correlation.isEmpty {
            current = .join(current, p.plan, .cross, nil)
            return value
        }
        guard let emptyValue else {
            current = .join(current, p.plan, .left, BoundExpr.conjunction(p.correlation))
            return value
        }
        // A left join leaves NULL where no inner row matched; a `matched` column tells those
        // rows apart from a NULL value, so they can get the value over no rows instead.
        let matched = PlanColumn.fresh("matched", .boolean)
        let withMark = LogicalPlan.project(p.plan, p.plan.columns.map(\.ref) + [.literal(.bool(true), .boolean)],
                                           p.plan.columns + [matched])
        current = .join(current, withMark, .left, BoundExpr.conjunction(p.correlation))
        return BoundExpr(.caseWhen([BoundWhen(condition: BoundExpr(.isNull(matched.ref, negated: true), type: .boolean),
                                              result: value)], otherwise: emptyValue), type: value.type, at: loc)
    }

    // MARK: - Pulling the correlation out

    struct Prepared {
        /// The subquery with its correlated conditions taken out.
        var plan: LogicalPlan
        /// Conditions over outer and subquery columns: the join condition.
        var correlation: [BoundExpr]
        /// The subquery's (first) output column.
        var value: BoundExpr?
    }

    func prepare(_ q: BoundSubquery, input: LogicalPlan, at loc: SourceLocation?, decorrelated: Bool = false) throws -> Prepared {
        var ignored = false
        let inner = decorrelated ? q.plan : try decorrelate(q.plan, &ignored)
        let value = inner.columns.first.map(\.ref)
        let outer = q.outerReferences
        if outer.isEmpty {
            // An uncorrelated EXISTS asks one question of every row: is there a row at all? One
            // row answers it, so the subquery stops there (at the source, where it goes down).
            let plan = q.kind == .exists ? LogicalPlan.limit(inner, limit: 1, offset: 0) : inner
            return Prepared(plan: plan, correlation: [], value: value)
        }
        guard outer.isSubset(of: input.columns.idSet) else {
            throw MeshError(.notSupported, "a subquery that refers to a query more than one level out is not supported", at: loc)
        }
        if Self.correlatedAggregateBuriedUnder(inner, outer: outer) {
            throw MeshError(.notSupported,
                            "a correlated subquery with HAVING or an aggregate over an aggregate without GROUP BY is not supported",
                            at: loc)
        }
        let (pulled, correlation) = try pullUp(inner, outer: outer, input: input, at: loc)
        guard pulled.freeColumns.isDisjoint(with: outer) else {
            throw MeshError(.notSupported, "a correlated subquery may use outer columns only in its WHERE conditions", at: loc)
        }
        return Prepared(plan: pulled, correlation: correlation, value: value)
    }

    /// Takes the conditions that read outer columns out of `plan`, making the subquery columns
    /// they read visible in its output.
    func pullUp(_ plan: LogicalPlan, outer: Set<ColumnID>, input: LogicalPlan,
                at loc: SourceLocation?) throws -> (LogicalPlan, [BoundExpr]) {
        func pullUp(_ plan: LogicalPlan, outer: Set<ColumnID>, at loc: SourceLocation?) throws -> (LogicalPlan, [BoundExpr]) {
            try self.pullUp(plan, outer: outer, input: input, at: loc)
        }
        func correlated(_ e: BoundExpr) -> Bool { !e.referencedColumns.isDisjoint(with: outer) }
        func notSupported(_ what: String) -> MeshError {
            MeshError(.notSupported, "a correlated subquery with \(what) is not supported", at: loc)
        }
        switch plan {
        case .scan, .singleRow, .values, .remote, .sharedScan:
            return (plan, [])

        case .shared:
            // Only ever a statement's root, never inside a subquery.
            throw notSupported("a shared subplan")

        case .filter(let child, let pred):
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            let parts = pred.conjuncts
            return (.filtered(c, parts.filter { !correlated($0) }), up + parts.filter(correlated))

        case .join(let l, let r, let kind, let cond):
            switch kind {
            case .inner, .cross:
                let (lp, lu) = try pullUp(l, outer: outer, at: loc)
                let (rp, ru) = try pullUp(r, outer: outer, at: loc)
                let parts = cond?.conjuncts ?? []
                let local = parts.filter { !correlated($0) }
                return (.join(lp, rp, local.isEmpty ? .cross : .inner, BoundExpr.conjunction(local)),
                        lu + ru + parts.filter(correlated))
            case .left, .semi, .anti, .nullAwareAnti, .mark:
                // Only the preserved (left) side may hold correlated filters.
                guard r.freeColumns.isDisjoint(with: outer), !(cond.map(correlated) ?? false) else {
                    throw notSupported("outer columns inside an outer join")
                }
                let (lp, lu) = try pullUp(l, outer: outer, at: loc)
                return (.join(lp, r, kind, cond), lu)
            case .right, .full:
                guard plan.freeColumns.isDisjoint(with: outer) else { throw notSupported("outer columns inside an outer join") }
                return (plan, [])
            }

        case .project(let child, var exprs, let columns):
            var (c, up) = try pullUp(child, outer: outer, at: loc)
            let outerRead = Set(exprs.flatMap(\.referencedColumns)).intersection(outer)
            if !outerRead.isEmpty, !exprs.contains(where: \.containsSubquery) {
                // Outer columns in the select list (`SELECT f(o.x, i) … WHERE i <= g(o.x)`):
                // the part below is joined with the distinct outer values it reads and computes
                // its rows for each of them; the outer columns are then matched by value.
                let ids = outerRead.union(Set(up.flatMap(\.referencedColumns)).intersection(outer)).sorted()
                let (joined, keys, conditions) = Self.joinedWithOuterValues(c, up, outer: outer, input: input, outerColumns: ids)
                guard keys.count == ids.count else { throw notSupported("outer columns in its select list") }
                let toDomain = Dictionary(uniqueKeysWithValues: zip(ids, keys.map(\.ref)))
                exprs = exprs.map { $0.substituting(toDomain) }
                (c, up) = (joined, conditions)
            }
            if up.isEmpty { return (.project(c, exprs, columns), []) }
            // Pass the subquery columns the pulled conditions read through the projection.
            let available = c.columns
            var passExprs: [BoundExpr] = [], passColumns: [PlanColumn] = []
            let have = columns.idSet
            for id in Set(up.flatMap(\.referencedColumns)).subtracting(outer).sorted() where !have.contains(id) {
                guard let col = available.first(where: { $0.id == id }) else {
                    throw MeshError(.internalError, "correlated column \(id) is not visible in the subquery")
                }
                passExprs.append(col.ref)
                passColumns.append(col)
            }
            return (.project(c, exprs + passExprs, columns + passColumns), up)

        case .aggregate(let child, let groups, let aggs, let columns):
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            if up.isEmpty { return (.aggregate(c, groups: groups, aggregates: aggs, columns), []) }
            // Each equality `inner = outer` becomes a group key: the aggregate then computes
            // the value for every outer key at once.
            var newGroups: [BoundExpr] = [], newColumns: [PlanColumn] = [], conditions: [BoundExpr] = []
            let innerIDs = c.columns.idSet
            let groupColumns = Array(columns.prefix(groups.count)), aggColumns = Array(columns.dropFirst(groups.count))
            if !up.allSatisfy({ Self.splitEquality($0, outer: outer, inner: innerIDs) != nil }) {
                // Other conditions (`inner.x > outer.y`): join the distinct outer values in
                // below the aggregate and group by them too.
                let (joined, keys, _) = Self.joinedWithOuterValues(c, up, outer: outer, input: input)
                for d in keys {
                    let key = PlanColumn.fresh("key", d.type)
                    newGroups.append(d.ref)
                    newColumns.append(key)
                }
                let outerIDs = Set(up.flatMap(\.referencedColumns)).intersection(outer).sorted()
                for (o, key) in zip(outerIDs, newColumns) {
                    let outerType = input.columns.first { $0.id == o }?.type ?? key.type
                    // NULL outer values have their own domain group: match it.
                    conditions += Binder.nullMatchingKeys(key.ref, BoundExpr(.column(o), type: outerType))
                }
                return (.aggregate(joined, groups: groups + newGroups, aggregates: aggs, groupColumns + newColumns + aggColumns),
                        conditions)
            }
            for e in up {
                guard case .comparison(.equal, let a, let b) = e.kind else { throw notSupported("a condition other than = under an aggregate") }
                let (innerSide, outerSide): (BoundExpr, BoundExpr)
                if a.referencedColumns.isSubset(of: outer), !b.referencedColumns.isEmpty, b.referencedColumns.isSubset(of: innerIDs) {
                    (innerSide, outerSide) = (b, a)
                } else if b.referencedColumns.isSubset(of: outer), !a.referencedColumns.isEmpty, a.referencedColumns.isSubset(of: innerIDs) {
                    (innerSide, outerSide) = (a, b)
                } else {
                    throw notSupported("a condition mixing outer and inner columns on one side under an aggregate")
                }
                let column: PlanColumn
                if let i = newGroups.firstIndex(of: innerSide) {
                    column = newColumns[i]
                } else {
                    column = .fresh("key", innerSide.type)
                    newGroups.append(innerSide)
                    newColumns.append(column)
                }
                conditions.append(BoundExpr(.comparison(.equal, column.ref, outerSide), type: .boolean, at: e.location))
            }
            return (.aggregate(c, groups: groups + newGroups, aggregates: aggs, groupColumns + newColumns + aggColumns),
                    conditions)

        case .sort(let child, let keys):
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            return (.sort(c, keys), up)

        case .distinct(let child):
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            return (.distinct(c), up)

        case .guarded(let child, let guardInfo):
            // Correlated conditions move up, above the guard: later, never earlier.
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            return (.guarded(c, guardInfo), up)

        case .limit(let child, let limit, let offset):
            guard !plan.freeColumns.isDisjoint(with: outer) else { return (plan, []) }
            let (c, up) = try pullUp(child, outer: outer, at: loc)
            if up.isEmpty { return (.limit(c, limit: limit, offset: offset), []) }
            return limitPerOuterValue(c, up, limit: limit, offset: offset, outer: outer, input: input)

        case .unionAll(let children, let columns):
            guard !plan.freeColumns.isDisjoint(with: outer) else { return (plan, []) }
            let branches = try children.map { try pullUp($0, outer: outer, at: loc) }
            return unionPerOuterValue(branches, columns, outer: outer, input: input)

        case .window:
            guard plan.freeColumns.isDisjoint(with: outer) else { throw notSupported("window functions") }
            return (plan, [])
        }
    }

    // MARK: - Helpers

    /// `inner = outer` (either way round), split; nil for any other condition.
    static func splitEquality(_ e: BoundExpr, outer: Set<ColumnID>, inner: Set<ColumnID>) -> (inner: BoundExpr, outer: BoundExpr)? {
        guard case .comparison(.equal, let a, let b) = e.kind else { return nil }
        let ra = a.referencedColumns, rb = b.referencedColumns
        if ra.isSubset(of: outer), !rb.isEmpty, rb.isSubset(of: inner) { return (b, a) }
        if rb.isSubset(of: outer), !ra.isEmpty, ra.isSubset(of: inner) { return (a, b) }
        return nil
    }

    /// The distinct values of some of `input`'s columns, from a copy of `input` with ids of
    /// its own; returns the copy's column for each original id.
    ///
    /// Where `input` is itself part of a correlated subquery, its conditions on the columns of
    /// a query further out are left out of the copy: the domain then holds more values than
    /// the outer rows have, which match no outer row and change nothing, and it reads nothing
    /// from outside (which would keep the subquery around it from being decorrelated).
    static func domain(of input: LogicalPlan, _ ids: Set<ColumnID>) -> (LogicalPlan, [ColumnID: PlanColumn]) {
        let free = input.freeColumns
        let source = free.isEmpty ? input : input.removingConditions(reading: free)
        let (copy, map) = source.withFreshColumnIDs()
        var exprs: [BoundExpr] = [], cols: [PlanColumn] = [], valueOf: [ColumnID: PlanColumn] = [:]
        for c in input.columns where ids.contains(c.id) {
            let d = PlanColumn.fresh(c.name, c.type)
            exprs.append(BoundExpr(.column(map[c.id] ?? c.id), type: c.type))
            cols.append(d)
            valueOf[c.id] = d
        }
        return (.distinct(.project(copy, exprs, cols)), valueOf)
    }

    /// A plan that always yields exactly one row: an aggregate without GROUP BY, possibly
    /// projected or sorted.
    static func exactlyOneRow(_ plan: LogicalPlan) -> Bool {
        switch plan {
        case .aggregate(_, let groups, _, _): groups.isEmpty
        case .project(let c, _, _), .sort(let c, _): exactlyOneRow(c)
        case .singleRow: true
        default: false
        }
    }

    /// For `SELECT f(count(…), …) FROM …` (a projected aggregate without GROUP BY): the value
    /// over no rows when it is not NULL (a count is 0 there), else nil.
    static func valueOverNoRows(_ plan: LogicalPlan) -> BoundExpr? {
        var node = plan
        if case .sort(let c, _) = node { node = c }
        guard case .project(var inner, let exprs, _) = node, let expr = exprs.first else { return nil }
        if case .sort(let c, _) = inner { inner = c }
        guard case .aggregate(_, let groups, let aggs, let columns) = inner, groups.isEmpty else { return nil }
        var map: [ColumnID: BoundExpr] = [:]
        for (a, c) in zip(aggs, columns) {
            map[c.id] = a.function == .count || a.function == .countStar ? .literal(.int(0), c.type) : .literal(.null, c.type)
        }
        // `coalesce(sum(x), 0)` is 0 there, `sum(x) + 1` NULL: the expression says which.
        let value = expr.substituting(map)
        if case .literal(.null) = value.kind { return nil }
        return value
    }

    /// Whether a global aggregate (no GROUP BY) of the subquery, one that reads the outer
    /// query, has anything but projections and sorts above it. Decorrelating it groups it by
    /// the outer keys, so outer rows without inner rows would lose its one row over nothing,
    /// which a HAVING, an outer aggregate or EXISTS above would have seen.
    static func correlatedAggregateBuriedUnder(_ plan: LogicalPlan, outer: Set<ColumnID>, top: Bool = true) -> Bool {
        switch plan {
        case .aggregate(let c, let groups, _, _):
            if groups.isEmpty, !top, !plan.freeColumns.isDisjoint(with: outer) { return true }
            return correlatedAggregateBuriedUnder(c, outer: outer, top: false)
        case .project(let c, _, _), .sort(let c, _):
            return correlatedAggregateBuriedUnder(c, outer: outer, top: top)
        default:
            return plan.children.contains { correlatedAggregateBuriedUnder($0, outer: outer, top: false) }
        }
    }

    static func equal(_ a: BoundExpr, _ b: BoundExpr) -> BoundExpr { compare(.equal, a, b) }

    static func compare(_ op: ComparisonOperator, _ a: BoundExpr, _ b: BoundExpr) -> BoundExpr {
        BoundExpr(.comparison(op, a, b), type: .boolean, at: a.location)
    }

    static func or(_ a: BoundExpr, _ b: BoundExpr) -> BoundExpr { BoundExpr(.or(a, b), type: .boolean) }

    static func isNull(_ e: BoundExpr) -> BoundExpr { BoundExpr(.isNull(e, negated: false), type: .boolean) }

    static func subqueryLocation(_ e: BoundExpr) -> SourceLocation? {
        if case .subquery = e.kind { return e.location }
        for c in e.children { if let l = subqueryLocation(c) { return l } }
        return e.location
    }
}
