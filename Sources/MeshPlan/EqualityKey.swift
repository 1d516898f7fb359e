/// The one rule by which an equality `a = b` between two inputs becomes a key: a hash join's
/// build and probe keys, a semi join's `IN`, a null-aware anti join's `NOT IN`, the pairs join
/// ordering and eager grouping follow. Each side must read at least one column, and only
/// columns of its own input; whichever way round it was written, the sides come back as
/// (left, right).
extension BoundExpr {
    /// The sides of this equality when one reads only columns `isLeft` takes and the other
    /// only columns `isRight` takes; nil for any other expression.
    public func equalitySides<Reference>(_ references: (BoundExpr) -> Set<Reference>,
                                         left isLeft: (Set<Reference>) -> Bool,
                                         right isRight: (Set<Reference>) -> Bool) -> (left: BoundExpr, right: BoundExpr)? {
        guard case .comparison(.equal, let a, let b) = kind else { return nil }
        let ra = references(a), rb = references(b)
        guard !ra.isEmpty, !rb.isEmpty else { return nil }
        if isLeft(ra), isRight(rb) { return (a, b) }
        if isLeft(rb), isRight(ra) { return (b, a) }
        return nil
    }

    /// The sides of this equality between an expression over `left` and one over `right`.
    public func equalitySides(left: Set<ColumnID>, right: Set<ColumnID>) -> (left: BoundExpr, right: BoundExpr)? {
        equalitySides(\.referencedColumns, left: { $0.isSubset(of: left) }, right: { $0.isSubset(of: right) })
    }

    /// `x = y` of two plain columns, as (x, y); nil for any other expression.
    public var columnEquality: (ColumnID, ColumnID)? {
        guard case .comparison(.equal, let a, let b) = kind, case .column(let x) = a.kind, case .column(let y) = b.kind else {
            return nil
        }
        return (x, y)
    }
}
