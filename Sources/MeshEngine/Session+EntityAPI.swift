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
    /// manage its mesh; audited like a statement (without the values). Column tags change
    /// through `ALTER DATA PRODUCT … SET TAGS`.
    public func updateProductInfo(id: UUID, description: String?, owner: String?, freshness: String?) async throws {
        guard let (p, m) = try visibleProduct(id: id) else {
            throw MeshError(.undefinedTable, "data product \(id.uuidString.lowercased()) does not exist")
        }
        let fields = [("description", description), ("owner", owner), ("freshness", freshness)].filter { $0.1 != nil }.map(\.0)
        var record = newAuditRecord(kind: "alter data product",
                                    text: "ALTER DATA PRODUCT \(m.sqlName).\(p.name) SET (\(fields.joined(separator: ", ")))")
        record.products = ["\(m.sqlName).\(p.name)"]
        do {
            guard manages(m) else {
                throw MeshError(.permission, "permission denied for mesh \"\(m.sqlName)\"", hint: "only its owner, assignees and org admins may change it")
            }
            try await offThePool {
                try self.catalog.setProductInfo(id: p.id, org: self.org, description: description, owner: owner, freshness: freshness)
            }
            writeAudit(record)
        } catch let e as MeshError {
            record.decision = e.code == .permission ? .refused : .failed
            record.sqlstate = e.sqlState
            writeAudit(record)
            throw e
        }
    }

    /// What the principal may see of a product: everything for those who manage its mesh;
    /// for its readers, the columns they may read, and neither its source, its query nor the
    /// detail of a drift (which names columns).
    public func readerView(of p: ProductRecord, in m: Mesh) throws -> ProductRecord {
        guard let principal, !manages(m) else { return p }
        var shown = p
        let access = try policyBook()?.access(to: p, in: m, for: principal)
        shown.columns = p.columns.filter { !(access?.hiddenColumns.contains($0.name) ?? true) }
        shown.viewSQL = nil
        shown.connectorId = nil
        shown.remoteSchema = nil
        shown.remoteName = nil
        if !p.state.healthy { shown.state.reason = "its source's schema changed (its managers can tell how)" }
        return shown
    }

}
