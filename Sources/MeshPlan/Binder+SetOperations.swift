import MeshCore
import MeshSQL

extension Binder {
    /// `UNION`, `INTERSECT`, `EXCEPT`: both inputs are brought to common column types, matched
    /// by position. INTERSECT and EXCEPT compare rows as DISTINCT does (NULL equals NULL) and
    /// become a semi or anti join of the distinct left rows with the right rows, on keys that
    /// make NULLs match: `(a IS NULL) = (b IS NULL) AND COALESCE(a, k) = COALESCE(b, k)`.
    mutating func bindSetOperation(_ op: SetOperator, all: Bool, _ l: QueryBody, _ r: QueryBody) throws -> LogicalPlan {
        let left = try bindBody(l)
        let right = try bindBody(r)
        let loc = Self.firstLocation(r)
        let lf = left.fields, rf = right.fields
        guard lf.count == rf.count else {
            throw MeshError(.syntax, "each \(op.rawValue) query must have the same number of columns", at: loc)
        }
        var types: [DataType] = []
        for (a, b) in zip(lf, rf) {
            guard let t = TypeRules.common(a.type, b.type) else {
                throw MeshError(.typeMismatch, "\(op.rawValue) types \(a.type) and \(b.type) cannot be matched", at: loc)
            }
            types.append(t)
        }
        func conform(_ p: LogicalPlan) -> LogicalPlan {
            let pc = p.columns
            if zip(pc, types).allSatisfy({ $0.type == $1 }) { return p }
            let exprs = pc.enumerated().map { i, c in Self.coerce(c.ref, to: types[i]) }
            return .project(p, exprs, zip(pc, types).map { PlanColumn.fresh($0.name, $1) })
        }
        let (a, b) = (conform(left), conform(right))
        let columns = zip(lf, types).map { PlanColumn.fresh($0.name, $1) }
        switch op {
        case .union:
            let union = LogicalPlan.unionAll([a, b], columns)
            return all ? union : .distinct(union)
        case .intersect, .except:
            let kind: PlanJoinKind = op == .intersect ? .semi : .anti
            var keys = zip(a.columns, b.columns).flatMap { Self.nullMatchingKeys($0.ref, $1.ref) }
            if !all {
                let joined = LogicalPlan.join(.distinct(a), b, kind, BoundExpr.conjunction(keys))
                return .project(joined, a.columns.map(\.ref), columns)
            }
            // ALL counts duplicates: the n-th copy of a row on the left matches the n-th copy
            // on the right, so number the copies of each row on both sides and join on that too.
            let (na, ra) = Self.numberedCopies(a), (nb, rb) = Self.numberedCopies(b)
            keys.append(BoundExpr(.comparison(.equal, ra.ref, rb.ref), type: .boolean))
            let joined = LogicalPlan.join(na, nb, kind, BoundExpr.conjunction(keys))
            return .project(joined, a.columns.map(\.ref), columns)
        }
    }

    /// `plan` with `row_number() OVER (PARTITION BY every column)`: 1, 2, … for the copies of
    /// each distinct row (NULLs alike).
    static func numberedCopies(_ plan: LogicalPlan) -> (LogicalPlan, PlanColumn) {
        let n = PlanColumn.fresh("copy", .bigint, nullable: false)
        let call = WindowCall(function: .rowNumber, arguments: [], partitionBy: plan.columns.map(\.ref), orderBy: [],
                              resultType: .bigint)
        return (.window(plan, [call], [n]), n)
    }

    /// Equalities under which NULL matches NULL, made of plain `=` so a hash join can use them.
    static func nullMatchingKeys(_ a: BoundExpr, _ b: BoundExpr) -> [BoundExpr] {
        let isNull = { (e: BoundExpr) in BoundExpr(.isNull(e, negated: false), type: .boolean) }
        let filler = BoundExpr.literal(Self.filler(a.type), a.type)
        let coalesce = { (e: BoundExpr) in BoundExpr(.function("coalesce", [e, filler]), type: e.type) }
        return [BoundExpr(.comparison(.equal, isNull(a), isNull(b)), type: .boolean),
                BoundExpr(.comparison(.equal, coalesce(a), coalesce(b)), type: .boolean)]
    }

    /// Any non-NULL value of a type (which one does not matter: the IS NULL key tells NULLs apart).
    static func filler(_ type: DataType) -> Value {
        switch type.physical {
        case .int: .int(0)
        case .double: .double(0)
        case .decimal: .decimal(0, scale: type.decimalScale)
        case .string: .string("")
        case .date: .date(0)
        case .timestamp: .timestamp(0)
        case .bool: .bool(false)
        case .bytes: .bytes([])
        }
    }

    /// Where a query body starts, for errors about it.
    static func firstLocation(_ body: QueryBody) -> SourceLocation? {
        switch body {
        case .select(let s): s.location
        case .nested(let q): firstLocation(q.body)
        case .setOperation(_, _, let l, _): firstLocation(l)
        }
    }
}
