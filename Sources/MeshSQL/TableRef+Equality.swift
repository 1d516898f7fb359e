/// `TableRef`'s cases carry locations; synthesised equality would compare them, against the
/// AST's rule that locations are not part of equality (so parse → print → parse compares equal).
/// These witnesses replace the synthesised ones.
extension TableRef {
    public static func == (a: TableRef, b: TableRef) -> Bool {
        switch (a, b) {
        case (.table(let n1, let a1), .table(let n2, let a2)):
            n1 == n2 && a1 == a2
        case (.derived(let q1, let a1, let c1, _), .derived(let q2, let a2, let c2, _)):
            q1 == q2 && a1 == a2 && c1 == c2
        case (.join(let l1, let k1, let r1, let c1, _), .join(let l2, let k2, let r2, let c2, _)):
            l1 == l2 && k1 == k2 && r1 == r2 && c1 == c2
        default:
            false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .table(let n, let alias):
            h.combine(0); h.combine(n); h.combine(alias)
        case .derived(let q, let alias, let columns, _):
            h.combine(1); h.combine(q); h.combine(alias); h.combine(columns)
        case .join(let l, let k, let r, let c, _):
            h.combine(2); h.combine(l); h.combine(k); h.combine(r); h.combine(c)
        }
    }
}
