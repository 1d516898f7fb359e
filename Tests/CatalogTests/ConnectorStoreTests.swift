import Foundation
import MeshCore
import Testing
@testable import MeshCatalog

@Suite("Connectors in the catalog")
struct ConnectorStoreTests {
    @Test("a connector round-trips, secrets included, for the engine to connect")
    func roundTrip() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            #expect(try store.connector(id: pg.id) == pg)
            #expect(try store.connector(name: "sales_pg") == pg)
            #expect(try store.connector(name: "sales_pg")?.secretOptions == ["password": "s3cr3t-Pa55"])
            #expect(try store.connectors(meshId: mesh.id) == [pg])
            #expect(try store.connectors(meshId: UUID()).isEmpty)
            #expect(try store.connector(name: "sales_pg", org: "globex") == nil)
        }
    }

    @Test("secrets appear in no description, dump, JSON or redacted view")
    func secretsHidden() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try #require(try store.connector(id: store.createConnector(postgresConnector("sales_pg", mesh: mesh)).id))
            let secret = "s3cr3t-Pa55"
            var dumped = ""
            dump(pg, to: &dumped)
            let json = String(decoding: try JSONEncoder().encode(pg), as: UTF8.self)
            for text in [pg.description, pg.debugDescription, "\(pg)", String(describing: [pg]), String(reflecting: pg),
                         dumped, json, pg.redacted.description] {
                #expect(!text.contains(secret), "secret leaked in: \(text)")
            }
            #expect(pg.description.contains("password=<redacted>"))
            #expect(pg.redacted.secretOptions.isEmpty)
            #expect(pg.secretOptionNames == ["password"])
            // Write-only: JSON input may carry secrets.
            let input = #"{"mesh_id": "\#(mesh.id.uuidString)", "name": "x", "type": "postgres", "secret_options": {"password": "p"}}"#
            #expect(try JSONDecoder().decode(ConnectorRecord.self, from: Data(input.utf8)).secretOptions == ["password": "p"])
        }
    }

    @Test("a duplicate name in the org is refused; the mesh must exist in the same org")
    func uniquenessAndMesh() throws {
        try withStore { store in
            let sales = try store.createMesh(Mesh(name: "Sales"))
            let finance = try store.createMesh(Mesh(name: "Finance"))
            try store.createConnector(postgresConnector("shared_pg", mesh: sales))
            let dup = #expect(throws: MeshError.self) { try store.createConnector(postgresConnector("shared_pg", mesh: finance)) }
            #expect(dup?.code == .duplicateObject)
            #expect(dup?.message == "connector \"shared_pg\" already exists")

            let globexMesh = try store.createMesh(Mesh(org: "globex", name: "Sales"))
            var foreign = postgresConnector("x_pg", mesh: globexMesh)
            foreign.org = "default"
            let missing = #expect(throws: MeshError.self) { try store.createConnector(foreign) }
            #expect(missing?.code == .undefinedObject)
            // The same connector name in another org is fine.
            try store.createConnector(postgresConnector("shared_pg", mesh: globexMesh))
        }
    }

    @Test("update changes options and secrets, keeps creation time, never moves meshes")
    func update() throws {
        try withStore { store in
            let sales = try store.createMesh(Mesh(name: "Sales"))
            let finance = try store.createMesh(Mesh(name: "Finance"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: sales))
            var changed = pg
            changed.options["pool_size"] = "4"
            changed.secretOptions["password"] = "rotated"
            changed.state = EntityState(code: "500", reason: "Source unreachable.", healthy: false)
            try store.updateConnector(changed)
            #expect(try store.connector(id: pg.id) == changed)

            changed.meshId = finance.id
            let move = #expect(throws: MeshError.self) { try store.updateConnector(changed) }
            #expect(move?.code == .invalidParameter)
        }
    }

    @Test("drop is refused while products use the connector; cascade drops them")
    func dropRefusal() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            let lite = try store.createConnector(ConnectorRecord(meshId: mesh.id, name: "crm_file", type: "sqlite",
                                                                 options: ["path": "domains/crm.db"]))
            try store.createProducts([table("orders", mesh: mesh, connector: pg), table("customers", mesh: mesh, connector: lite)])

            let error = #expect(throws: MeshError.self) { try store.deleteConnector(id: pg.id) }
            #expect(error?.code == .dependentObjects)
            #expect(error?.message == "connector \"sales_pg\" is used by 1 data product")

            #expect(try store.deleteConnector(id: pg.id, cascade: true) == CatalogDeletion(products: 1))
            #expect(try store.products().map(\.name) == ["customers"])
            #expect(try store.connectors().map(\.name) == ["crm_file"])
        }
    }
}
