import Foundation
import MeshCatalog
import MeshCore
import MeshPlan

/// Resolves `mesh.product` for the binder from the catalog, in the session's organisation
/// and current mesh.
struct ProductResolver: CatalogResolver {
    let catalog: CatalogStore
    let org: String
    let currentMesh: String?

    func resolve(mesh: String?, product: String) throws -> ResolvedRelation? {
        guard let meshName = mesh ?? currentMesh,
              let m = try catalog.mesh(sqlName: meshName, org: org),
              let p = try catalog.product(meshId: m.id, name: product, org: org) else { return nil }
        let full = "\(m.sqlName).\(p.name)"
        if let sql = p.viewSQL { return .view(name: full, sql: sql) }
        guard let cid = p.connectorId, let c = try catalog.connector(id: cid, org: org), let remote = p.remoteName else {
            return nil
        }
        var fields: [Field] = []
        for col in p.columns {
            guard let t = col.dataType else {
                throw MeshError(.catalog, "column \"\(col.name)\" of \(full) has an unknown type")
            }
            fields.append(Field(name: col.name, type: t, nullable: col.nullable))
        }
        return .table(ProductScan(productName: full, connectorID: cid.uuidString, connectorName: c.name,
                                  remoteSchema: p.remoteSchema, remoteTable: remote, fields: fields,
                                  remoteColumns: p.columns.map(\.name)))
    }
}
