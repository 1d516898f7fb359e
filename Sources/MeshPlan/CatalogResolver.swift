import MeshCore

/// What the binder needs from the catalog: turning `mesh.product` into a scan or a view.
public protocol CatalogResolver: Sendable {
    /// Resolves a one- or two-part name. `mesh` is nil for a one-part name (the resolver
    /// applies the session's current mesh). Returns nil when the product does not exist or
    /// the principal may not see it — the binder reports both the same way.
    func resolve(mesh: String?, product: String) throws -> ResolvedRelation?
}

public enum ResolvedRelation: Sendable {
    case table(ProductScan)
    /// A product defined in SQL over other products: its query text and its name.
    case view(name: String, sql: String)
}
