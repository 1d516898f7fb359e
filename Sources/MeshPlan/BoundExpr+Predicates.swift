import MeshCore

extension BoundExpr {
    /// Whether this condition is never true when any column of `ids` it reads is NULL (it is
    /// then NULL or false): true for comparisons, LIKE, IN and IS NOT NULL over expressions
    /// that turn NULL into NULL, and for an AND with such a part. Conservative: false
    /// whenever unsure (OR, CASE, COALESCE, IS NULL, IS DISTINCT FROM).
    public func rejectsNulls(of ids: Set<ColumnID>) -> Bool {
        switch kind {
        case .and(let a, let b): return a.rejectsNulls(of: ids) || b.rejectsNulls(of: ids)
        default: return yieldsNullOnNull(of: ids, predicate: true)
        }
    }

    /// Whether the value is NULL whenever a column of `ids` it depends on strictly is NULL.
    func yieldsNullOnNull(of ids: Set<ColumnID>, predicate: Bool = false) -> Bool {
        switch kind {
        case .column(let id): return ids.contains(id)
        case .negate(let x), .cast(let x), .not(let x): return x.yieldsNullOnNull(of: ids)
        case .arithmetic(_, let a, let b), .comparison(_, let a, let b), .concat(let a, let b):
            return a.yieldsNullOnNull(of: ids) || b.yieldsNullOnNull(of: ids)
        case .like(let x, let p, _, _, _): return x.yieldsNullOnNull(of: ids) || p.yieldsNullOnNull(of: ids)
        case .inList(let x, _, _): return x.yieldsNullOnNull(of: ids)
        case .isNull(let x, let negated): return predicate && negated && x.yieldsNullOnNull(of: ids)
        default: return false
        }
    }
}

extension BoundExpr {
    /// Splits an OR tree into its branches, left to right. Without recursion and in linear
    /// time: a query's OR chain can be tens of thousands of terms deep.
    public var disjuncts: [BoundExpr] {
        guard case .or = kind else { return [self] }
        var out: [BoundExpr] = []
        var stack: [BoundExpr] = [self]
        while let e = stack.popLast() {
            if case .or(let a, let b) = e.kind {
                stack.append(b)
                stack.append(a)
            } else {
                out.append(e)
            }
        }
        return out
    }

    public static func disjunction(_ parts: [BoundExpr]) -> BoundExpr? {
        chain(parts) { .or($0, $1) }
    }

    /// What an OR implies about the columns in `ids` alone: the OR, over the branches, of
    /// each branch's conjuncts that read only those columns; nil when some branch has none
    /// (then nothing is implied). `(n1 = 'FR' AND n2 = 'DE') OR (n1 = 'DE' AND n2 = 'FR')`
    /// implies `n1 = 'FR' OR n1 = 'DE'` for n1's columns.
    public func impliedDisjunction(over ids: Set<ColumnID>) -> BoundExpr? {
        let branches = disjuncts
        guard branches.count > 1 else { return nil }
        var parts: [BoundExpr] = []
        for b in branches {
            let local = b.conjuncts.filter { !$0.referencedColumns.isEmpty && $0.referencedColumns.isSubset(of: ids) }
            guard let c = BoundExpr.conjunction(local) else { return nil }
            parts.append(c)
        }
        return BoundExpr.disjunction(parts)
    }

    /// Whether some conjunct equates an expression of one side of a join with one of the
    /// other: a hash join key (`equalitySides`, by which the executor splits it too).
    public func hasEqualityKey(between left: Set<ColumnID>, and right: Set<ColumnID>) -> Bool {
        conjuncts.contains { $0.equalitySides(left: left, right: right) != nil }
    }

    /// Levels of the tree: 1 for a leaf.
    public var height: Int {
        1 + (children.map(\.height).max() ?? 0)
    }
}
