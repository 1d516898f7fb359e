/// A mesh's SQL name appears in the text of views (`sales.orders`, `sales.orders.id`) and of
/// policies (`GRANT SELECT ON sales.*`, `MASK sales.orders.email …`). When the mesh takes a new
/// name they are rewritten to it, so that what applies to its products, and what reads them,
/// follows the mesh rather than its old name.
public enum MeshRenaming {
    /// The query `sql` with every reference to a product of mesh `old` naming `new` instead:
    /// only those names' first parts change (an alias or CTE that happens to be called `old`
    /// does not), and the text's formatting and comments stay. Nil when it names none, or
    /// does not parse.
    public static func query(_ sql: String, from old: String, to new: String) -> String? {
        guard let query = try? Parser.parseQuery(sql), let tokens = try? Lexer.tokenize(sql) else { return nil }
        let references = MeshReferences(mesh: old)
        references.visit(query)
        let offsets = references.offsets
        guard !offsets.isEmpty else { return nil }
        var out = sql
        // Back to front, so that earlier ranges stay valid.
        for token in tokens.reversed() where offsets.contains(token.location.offset) {
            out.replaceSubrange(token.range, with: SQLPrinter.identifier(new))
        }
        return out
    }

    /// The policy statement naming `new` where it named mesh `old`; nil when it did not.
    public static func policy(_ p: PolicyStatement, from old: String, to new: String) -> PolicyStatement? {
        func renamed(_ n: QualifiedName) -> QualifiedName? {
            guard n.parts.count >= 2, n.parts[0] == old else { return nil }
            return QualifiedName([new] + n.parts.dropFirst(), at: n.location)
        }
        func renamed(_ t: PolicyTarget) -> PolicyTarget? {
            switch t {
            case .product(let n): renamed(n).map(PolicyTarget.product)
            case .allProducts(let m, let at): m == old ? .allProducts(mesh: new, at: at) : nil
            }
        }
        switch p {
        case .grant(let t, let to): return renamed(t).map { .grant($0, to: to) }
        case .deny(let t, let columns, let to): return renamed(t).map { .deny($0, columns: columns, to: to) }
        case .mask(let column, let using, let to): return renamed(column).map { .mask(column: $0, using: using, for: to) }
        case .filter(let n, let using, let to): return renamed(n).map { .filter($0, using: using, for: to) }
        case .maskTagged: return nil
        }
    }
}

/// Collects where a query names mesh `mesh`: the offset of the first part of each
/// `mesh.product` in a FROM clause and of each `mesh.product.column`, through subqueries, CTEs
/// and window clauses.
private final class MeshReferences {
    let mesh: String
    var offsets = Set<Int>()

    init(mesh: String) { self.mesh = mesh }

    func visit(_ q: Query) {
        q.with.forEach { visit($0.query) }
        visit(q.body)
        q.orderBy.forEach { visit($0.expr) }
        [q.limit, q.offset].compactMap { $0 }.forEach(visit)
    }

    func visit(_ body: QueryBody) {
        switch body {
        case .select(let s):
            for item in s.items {
                switch item {
                case .expr(let e, _): visit(e)
                case .qualifiedWildcard(let parts, let at):
                    if parts.count >= 2, parts[0] == mesh { offsets.insert(at.offset) }
                case .wildcard: break
                }
            }
            s.from.forEach(visit)
            ([s.whereClause, s.having].compactMap { $0 } + s.groupBy).forEach(visit)
        case .setOperation(_, _, let l, let r):
            visit(l)
            visit(r)
        case .nested(let q):
            visit(q)
        }
    }

    func visit(_ t: TableRef) {
        switch t {
        case .table(let name, _):
            if name.parts.count >= 2, name.parts[0] == mesh { offsets.insert(name.location.offset) }
        case .derived(let q, _, _, _):
            visit(q)
        case .join(let l, _, let r, let condition, _):
            visit(l)
            visit(r)
            if case .on(let e) = condition { visit(e) }
        }
    }

    func visit(_ e: Expr) {
        switch e.kind {
        case .column(let parts) where parts.count == 3 && parts[0] == mesh:
            offsets.insert(e.location.offset)
        case .inSubquery(_, let q, _), .quantified(_, _, let q, _), .exists(let q, _), .subquery(let q):
            visit(q)
        case .function(let f):
            ((f.over?.partitionBy ?? []) + ((f.over?.orderBy ?? []) + f.orderBy).map(\.expr)).forEach(visit)
        default:
            break
        }
        e.children.forEach(visit)
    }
}
