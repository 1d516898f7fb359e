import Foundation
import MeshCatalog
import MeshCore
import MeshPolicy

/// The seed's mesh API as session operations (`meshql serve` calls these): the same checks as
/// the SQL statements — who may change what, policies validated before anything is saved.
extension Session {
    /// The meshes of the org the principal may see, oldest first.
    public func visibleMeshes() throws -> [Mesh] {
        let book = try policyBook()
        return try catalog.meshes(org: org).filter { try isVisible($0, book) }
    }

    /// One mesh by id; nil when it does not exist in this org or the principal may not see it.
    public func visibleMesh(id: UUID) throws -> Mesh? {
        guard let m = try catalog.mesh(id: id, org: org) else { return nil }
        return try isVisible(m, policyBook()) ? m : nil
    }

    /// Creates a mesh (org admins only); its `security_policy` is validated first.
    public func createMesh(_ mesh: Mesh) throws -> Mesh {
        try authorize(.createMesh(name: mesh.sqlName, options: [], ifNotExists: false))
        var mesh = mesh
        mesh.org = org
        if try catalog.mesh(sqlName: mesh.sqlName, org: org) != nil {
            throw MeshError(.duplicateObject, "mesh \"\(mesh.sqlName)\" already exists")
        }
        try PolicyValidator(catalog: catalog, org: org).validate(mesh.securityPolicy, for: mesh)
        _ = try catalog.createMesh(mesh)
        try refreshPolicyStates()
        return try catalog.mesh(id: mesh.id, org: org) ?? mesh
    }

    /// Replaces a mesh's fields (its managers only); id, org, creation time and system flag
    /// stay as stored.
    public func updateMesh(_ mesh: Mesh) throws -> Mesh {
        guard let stored = try visibleMesh(id: mesh.id) else {
            throw MeshError(.undefinedObject, "mesh \(mesh.id.uuidString.lowercased()) does not exist")
        }
        if let principal, !principal.manages(stored) {
            throw MeshError(.permission, "permission denied for mesh \"\(stored.sqlName)\"")
        }
        var updated = mesh
        updated.org = org
        updated.createdAt = stored.createdAt
        updated.isSystem = stored.isSystem
        updated.state = stored.state
        var rewrites = MeshRenameRewrites()
        if updated.sqlName != stored.sqlName {
            if try catalog.mesh(sqlName: updated.sqlName, org: org) != nil {
                throw MeshError(.duplicateObject, "mesh \"\(updated.sqlName)\" already exists")
            }
            // Policies and views that name it move to the new name with it.
            rewrites = try renaming(stored, to: &updated)
        } else {
            try PolicyValidator(catalog: catalog, org: org).validate(updated.securityPolicy, for: updated)
        }
        _ = try catalog.updateMesh(updated, rewrites: rewrites)
        try refreshPolicyStates()
        return try catalog.mesh(id: mesh.id, org: org) ?? updated
    }

    /// Deletes a mesh (its managers only), refused while it has data products.
    public func deleteMesh(id: UUID) throws {
        guard let stored = try visibleMesh(id: id) else {
            throw MeshError(.undefinedObject, "mesh \(id.uuidString.lowercased()) does not exist")
        }
        if let principal, !principal.manages(stored) {
            throw MeshError(.permission, "permission denied for mesh \"\(stored.sqlName)\"")
        }
        let connectors = try catalog.connectors(meshId: id, org: org)
        _ = try catalog.deleteMesh(id: id, org: org, cascade: false)
        connectors.forEach { engine.forgetConnector($0.id) }
    }

    /// The URNs of a mesh's connectors and data products (the seed's `links.children`) that
    /// the principal may know of: connectors for the mesh's managers, products as SHOW DATA
    /// PRODUCTS lists them.
    public func meshChildren(_ mesh: Mesh) throws -> [String] {
        let base = "urn:meshx:backend:data:mesh:" + mesh.id.uuidString.lowercased()
        let connectors = manages(mesh) ? try catalog.connectors(meshId: mesh.id, org: org) : []
        let products = try visibleProducts(meshId: mesh.id).map(\.0)
        return connectors.map { base + ":connector:" + $0.id.uuidString.lowercased() }
            + products.map { base + ":product:" + $0.id.uuidString.lowercased() }
    }

    /// A mesh as the principal may see it: its `security_policy` (filters, denied columns,
    /// product names) only for its managers and the org admins; others get an empty list and
    /// learn their own access from DESCRIBE.
    public func shownMesh(_ mesh: Mesh) -> Mesh {
        guard !manages(mesh) else { return mesh }
        var shown = mesh
        shown.securityPolicy = []
        return shown
    }
}
