import Foundation
import MeshCore
import Testing
@testable import MeshCatalog

@Suite("Meshes in the catalog")
struct MeshStoreTests {
    @Test("every field of the seed's mesh survives a round trip, also across a reopen")
    func roundTrip() throws {
        try withTempDirectory { dir in
            let path = dir + "/meshql.db"
            let mesh = fullMesh()
            let stored = try CatalogStore(path: path).createMesh(mesh)
            #expect(stored == mesh)

            let store = try CatalogStore(path: path)
            let byId = try #require(try store.mesh(id: mesh.id))
            #expect(byId == mesh)
            #expect(byId.sqlName == "sales_analytics")
            #expect(byId.assignees[1].fullName == "Ana Ñúñez")
            #expect(byId.entityInfo.contactIds == ["Sales Support"])
            #expect(byId.entityInfo.links == ["https://wiki.acme.com/sales"])
            #expect(byId.securityPolicy.count == 2)
            #expect(byId.owner == "sales-lead@acme.com")
            #expect(byId.createdAt == mesh.createdAt)
            #expect(try store.mesh(sqlName: "sales_analytics") == mesh)
            #expect(try store.meshes() == [mesh])
        }
    }

    @Test("optional and empty fields round-trip as nil and empty")
    func emptyFields() throws {
        try withStore { store in
            let mesh = Mesh(name: "sales")
            try store.createMesh(mesh)
            let back = try #require(try store.mesh(id: mesh.id))
            #expect(back == mesh)
            #expect(back.owner == nil && back.entityInfo.owner == nil)
            #expect(back.assignees.isEmpty && back.securityPolicy.isEmpty)
            #expect(back.state == .created)
        }
    }

    @Test("created_at is stored as ISO-8601 UTC with microseconds")
    func timestampFormat() throws {
        try withStore { store in
            let when = Date(timeIntervalSince1970: 1_744_291_827.416441)
            let mesh = try store.createMesh(Mesh(name: "Sales", createdAt: when))
            let text = try store.withDatabase { db in
                try db.query("SELECT created_at FROM meshes WHERE id = ?", [.id(mesh.id)]) { $0.text(0) }
            }
            #expect(text == ["2025-04-10T13:30:27.416441Z"])
            #expect(CatalogTimestamp.format(mesh.createdAt) == "2025-04-10T13:30:27.416441Z")
        }
    }

    @Test("a second mesh with the same SQL name in an org is a duplicate; other orgs are separate")
    func uniqueness() throws {
        try withStore { store in
            try store.createMesh(fullMesh())
            let error = #expect(throws: MeshError.self) { try store.createMesh(Mesh(name: "Sales  Analytics!")) }
            #expect(error?.code == .duplicateObject)
            #expect(error?.message == "mesh \"sales_analytics\" already exists")

            // Same name in another org is fine, and invisible from the first.
            let other = try store.createMesh(fullMesh(org: "globex"))
            #expect(try store.meshes(org: "globex").map(\.id) == [other.id])
            #expect(try store.mesh(id: other.id, org: "default") == nil)
            #expect(try store.meshes().count == 1)

            let sameId = #expect(throws: MeshError.self) { try store.createMesh(Mesh(id: other.id, name: "x")) }
            #expect(sameId?.code == .duplicateObject)
            #expect(sameId?.message.contains("globex") == false)
        }
    }

    @Test("an org has at most one system mesh")
    func oneSystemMesh() throws {
        try withStore { store in
            try store.createMesh(Mesh(name: "System", isSystem: true))
            let error = #expect(throws: MeshError.self) { try store.createMesh(Mesh(name: "Policy", isSystem: true)) }
            #expect(error?.code == .duplicateObject)
            try store.createMesh(Mesh(org: "globex", name: "System", isSystem: true))
            #expect(try store.systemMesh()?.sqlName == "system")
        }
    }

    @Test("update replaces fields but keeps the creation time; renames are checked")
    func update() throws {
        try withStore { store in
            let mesh = try store.createMesh(fullMesh())
            try store.createMesh(Mesh(name: "Finance"))
            var changed = mesh
            changed.description = "new"
            changed.securityPolicy = ["GRANT SELECT ON sales_analytics.* TO ROLE everyone"]
            changed.assignees.removeLast()
            changed.entityInfo.links = []
            changed.state = EntityState(code: "100", reason: "Policy pending.", healthy: false)
            changed.createdAt = Date(timeIntervalSince1970: 0)
            let updated = try store.updateMesh(changed)
            #expect(updated.createdAt == mesh.createdAt)
            var expected = changed
            expected.createdAt = mesh.createdAt
            #expect(try store.mesh(id: mesh.id) == expected)

            changed.sqlName = "finance"
            let dup = #expect(throws: MeshError.self) { try store.updateMesh(changed) }
            #expect(dup?.code == .duplicateObject)

            var foreign = mesh
            foreign.org = "globex"
            let missing = #expect(throws: MeshError.self) { try store.updateMesh(foreign) }
            #expect(missing?.code == .undefinedObject)
        }
    }

    @Test("drop is refused while the mesh has products, and cascade removes everything")
    func dropRefusalAndCascade() throws {
        try withStore { store in
            let mesh = try store.createMesh(fullMesh())
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            try store.createProducts([table("orders", mesh: mesh, connector: pg), table("items", mesh: mesh, connector: pg)])

            let error = #expect(throws: MeshError.self) { try store.deleteMesh(id: mesh.id) }
            #expect(error?.code == .dependentObjects)
            #expect(error?.message == "mesh \"sales_analytics\" still has 2 data products")
            #expect(try store.mesh(id: mesh.id) != nil)
            #expect(try store.products().count == 2)

            let removed = try store.deleteMesh(id: mesh.id, cascade: true)
            #expect(removed == CatalogDeletion(products: 2, connectors: 1))
            #expect(try store.mesh(id: mesh.id) == nil)
            #expect(try store.connectors().isEmpty)
            #expect(try store.products().isEmpty)
        }
    }

    @Test("a mesh without products drops with its connectors; missing and foreign meshes do not exist")
    func dropWithoutProducts() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            #expect(throws: MeshError.self) { try store.deleteMesh(id: mesh.id, org: "globex") }
            #expect(try store.deleteMesh(id: mesh.id) == CatalogDeletion(products: 0, connectors: 1))
            let again = #expect(throws: MeshError.self) { try store.deleteMesh(id: mesh.id) }
            #expect(again?.code == .undefinedObject)
        }
    }

    @Test("a name without letters or digits needs an explicit SQL name")
    func emptySlug() throws {
        try withStore { store in
            let error = #expect(throws: MeshError.self) { try store.createMesh(Mesh(name: "!!!")) }
            #expect(error?.code == .invalidParameter)
            let bang = try store.createMesh(Mesh(sqlName: "bang", name: "!!!"))
            #expect(bang.sqlName == "bang")
        }
    }
}
