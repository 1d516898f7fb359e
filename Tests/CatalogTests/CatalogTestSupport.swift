import Foundation
import MeshCore
@testable import MeshCatalog

/// A fresh folder per test, removed afterwards; tests run in parallel.
func withTempDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("meshql-catalog-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// Runs `body` with a store on a new catalog file.
func withStore<T>(_ body: (CatalogStore) throws -> T) throws -> T {
    try withTempDirectory { dir in try body(CatalogStore(path: dir + "/meshql.db")) }
}

/// A mesh using every field of the seed's entity.
func fullMesh(org: String = "default", name: String = "Sales Analytics") -> Mesh {
    Mesh(org: org, name: name, label: "SAL", description: "Data mesh for sales performance analysis",
         purpose: "Enable data-driven sales insights", owner: "sales-lead@acme.com",
         assignees: [Assignee(email: "admin@acme.com", fullName: "Mesh Administrator", role: "Administrator"),
                     Assignee(email: "ana@acme.com", fullName: "Ana Ñúñez", role: "Steward")],
         securityPolicy: ["GRANT SELECT ON sales_analytics.* TO ROLE analyst",
                          "MASK email USING 'x' FOR ROLE analyst"],
         entityInfo: EntityInfo(owner: "admin@acme.com", contactIds: ["Sales Support"],
                                links: ["https://wiki.acme.com/sales"]),
         isSystem: false, state: EntityState(code: "000", reason: "Created.", healthy: true))
}

func table(_ name: String, mesh: Mesh, connector: ConnectorRecord, columns: [ProductColumn] = []) -> ProductRecord {
    ProductRecord(org: mesh.org, meshId: mesh.id, name: name, connectorId: connector.id,
                  remoteSchema: "public", remoteName: name, columns: columns)
}

func postgresConnector(_ name: String, mesh: Mesh) -> ConnectorRecord {
    ConnectorRecord(org: mesh.org, meshId: mesh.id, name: name, type: "postgres",
                    options: ["dsn": "host=db.internal dbname=sales user=meshql", "pool_size": "8"],
                    secretOptions: ["password": "s3cr3t-Pa55"])
}
