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
