import MeshCore

/// What the binder needs from the catalog: turning `mesh.product` into a scan or a view.
public protocol CatalogResolver: Sendable {
    /// Resolves a one- or two-part name. `mesh` is nil for a one-part name (the resolver
    /// applies the session's current mesh). Returns nil when the product does not exist or
    /// the principal may not see it — the binder reports both the same way.
    func resolve(mesh: String?, product: String) throws -> ResolvedRelation?
    /// The emulated PostgreSQL catalog's facts for its functions and casts; nil where there is
    /// none (checking a policy, planning a view's dependents).
    func postgresCatalog() throws -> PostgresCatalogFacts?
}

extension CatalogResolver {
    public func postgresCatalog() throws -> PostgresCatalogFacts? { nil }
}

public enum ResolvedRelation: Sendable {
    /// A product read from its source, with what the principal's policies allow (nil: the
    /// local superuser, who bypasses them).
    case table(ProductScan, access: ProductAccess?)
    /// A product defined in SQL over other products: its query text and its name. Its base
    /// products bring their own policies when the view is expanded.
    case view(name: String, sql: String, access: ProductAccess?)
    /// A table of the emulated PostgreSQL catalog (`pg_catalog.pg_class`), its rows made for
    /// the querying principal.
    case rows(ValuesRelation)
}

/// Inside a view (a derived product), a one-part name is a product of the view's own mesh,
/// whoever reads it and whatever their current mesh: the view means the same for everyone.
struct ViewMeshResolver: CatalogResolver {
    let inner: any CatalogResolver
    let mesh: String

    func resolve(mesh: String?, product: String) throws -> ResolvedRelation? {
        try inner.resolve(mesh: mesh ?? self.mesh, product: product)
    }

    func postgresCatalog() throws -> PostgresCatalogFacts? { try inner.postgresCatalog() }
}
