import Foundation
import MeshCatalog
import MeshCore
import MeshSQL

/// What the HTTP API's connector and product routes need beyond the catalog statements they
/// run: finding an entity by id as the principal may see it.
extension Session {
    /// A connector by id with its mesh, for those who manage the mesh (a connector holds how
    /// to reach a source); nil otherwise, as if it did not exist.
    public func visibleConnector(id: UUID) throws -> (ConnectorRecord, Mesh)? {
        guard let c = try catalog.connector(id: id, org: org), let m = try catalog.mesh(id: c.meshId, org: org), manages(m) else {
            return nil
        }
        return (c, m)
    }

    /// The connectors of the meshes the principal manages (of one mesh, given its id).
    public func visibleConnectors(meshId: UUID?) throws -> [(ConnectorRecord, Mesh)] {
        let meshes = try catalog.meshes(org: org).filter { manages($0) && (meshId == nil || $0.id == meshId) }
        return try meshes.flatMap { m in try catalog.connectors(meshId: m.id, org: org).map { ($0, m) } }
    }

    /// A product by id with its mesh, when the principal may read it or manages its mesh.
    public func visibleProduct(id: UUID) throws -> (ProductRecord, Mesh)? {
        guard let p = try catalog.product(id: id, org: org), let m = try catalog.mesh(id: p.meshId, org: org) else { return nil }
        let book = try policyBook()
        guard try manages(m) || visibleProducts(of: m, book).contains(where: { $0.id == p.id }) else { return nil }
        return (p, m)
    }

    /// The products the principal sees (of one mesh, given its id).
    public func visibleProducts(meshId: UUID?) throws -> [(ProductRecord, Mesh)] {
        let book = try policyBook()
        let meshes = try catalog.meshes(org: org).filter { meshId == nil || $0.id == meshId }
        return try meshes.flatMap { m in
            try (manages(m) ? catalog.products(meshId: m.id, org: org) : visibleProducts(of: m, book)).map { ($0, m) }
        }
    }

    /// Sets a product's description, owner and freshness SLA (nil: unchanged), for those who
    /// manage its mesh. Column tags change through `ALTER DATA PRODUCT … SET TAGS`.
    public func updateProductInfo(id: UUID, description: String?, owner: String?, freshness: String?) async throws -> ProductRecord {
        guard var (p, m) = try visibleProduct(id: id) else {
            throw MeshError(.undefinedTable, "data product \(id.uuidString.lowercased()) does not exist")
        }
        guard manages(m) else {
            throw MeshError(.permission, "permission denied for mesh \"\(m.sqlName)\"", hint: "only its owner, assignees and org admins may change it")
        }
        if let description { p.description = description }
        if let owner { p.owner = owner }
        if let freshness { p.freshness = freshness }
        return try await offThePool { try self.catalog.updateProduct(p) }
    }

    /// Runs a catalog statement built by the API (never from spliced text), audited as if typed.
    public func run(apiStatement statement: Statement) async throws -> StatementResult {
        try await execute(statement)
    }
}
