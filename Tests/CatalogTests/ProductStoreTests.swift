import Foundation
import MeshCore
import Testing
@testable import MeshCatalog

@Suite("Data products in the catalog")
struct ProductStoreTests {
    static let columns = [
        ProductColumn(name: "id", dataType: .bigint, nativeType: "int8", nullable: false),
        ProductColumn(name: "email", dataType: .text, nativeType: "character varying(120)", tags: ["pii"],
                      description: "customer e-mail"),
        ProductColumn(name: "total", dataType: .decimal(precision: 15, scale: 2), nativeType: "numeric(15,2)"),
    ]

    @Test("every product field round-trips, tables and views")
    func roundTrip() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            var orders = table("orders", mesh: mesh, connector: pg, columns: Self.columns)
            orders.description = "All orders"
            orders.owner = "sales-lead@acme.com"
            orders.freshness = "1 hour"
            let view = ProductRecord(meshId: mesh.id, name: "big_orders",
                                     viewSQL: "SELECT * FROM sales.orders WHERE total > 100",
                                     columns: Self.columns)
            let stored = try store.createProducts([orders, view])
            #expect(stored == [orders, view])
            #expect(try store.product(id: orders.id) == orders)
            #expect(try store.product(meshId: mesh.id, name: "big_orders") == view)
            #expect(try store.product(meshId: mesh.id, name: "big_orders")?.isView == true)
            #expect(try store.products(meshId: mesh.id).map(\.name) == ["big_orders", "orders"])
            #expect(try store.product(id: orders.id)?.column(named: "total")?.dataType == .decimal(precision: 15, scale: 2))
            #expect(try store.product(id: orders.id, org: "globex") == nil)
        }
    }

    @Test("a batch with one bad product stores nothing")
    func batchIsAtomic() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            try store.createProduct(table("orders", mesh: mesh, connector: pg))
            let error = #expect(throws: MeshError.self) {
                try store.createProducts([table("items", mesh: mesh, connector: pg),
                                          table("customers", mesh: mesh, connector: pg),
                                          table("orders", mesh: mesh, connector: pg)])
            }
            #expect(error?.code == .duplicateObject)
            #expect(error?.message == "data product \"sales.orders\" already exists")
            #expect(try store.products().map(\.name) == ["orders"])

            let twice = #expect(throws: MeshError.self) {
                try store.createProducts([table("a", mesh: mesh, connector: pg), table("a", mesh: mesh, connector: pg)])
            }
            #expect(twice?.code == .duplicateObject)
            #expect(try store.products().count == 1)
        }
    }

    @Test("the same product name may exist in two meshes")
    func namesPerMesh() throws {
        try withStore { store in
            let sales = try store.createMesh(Mesh(name: "Sales"))
            let finance = try store.createMesh(Mesh(name: "Finance"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: sales))
            let fpg = try store.createConnector(postgresConnector("finance_pg", mesh: finance))
            try store.createProduct(table("orders", mesh: sales, connector: pg))
            try store.createProduct(table("orders", mesh: finance, connector: fpg))
            #expect(try store.products().map(\.meshId) == [finance.id, sales.id])
        }
    }

    @Test("products must read from a connector of their own mesh and org")
    func references() throws {
        try withStore { store in
            let sales = try store.createMesh(Mesh(name: "Sales"))
            let finance = try store.createMesh(Mesh(name: "Finance"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: sales))
            let crossMesh = #expect(throws: MeshError.self) { try store.createProduct(table("o", mesh: finance, connector: pg)) }
            #expect(crossMesh?.code == .invalidParameter)

            let globex = try store.createMesh(Mesh(org: "globex", name: "Sales"))
            var foreign = table("o", mesh: globex, connector: pg)
            foreign.org = "globex"
            let crossOrg = #expect(throws: MeshError.self) { try store.createProduct(foreign) }
            #expect(crossOrg?.code == .undefinedObject)

            let neither = #expect(throws: MeshError.self) {
                try store.createProduct(ProductRecord(meshId: sales.id, name: "nothing"))
            }
            #expect(neither?.code == .invalidParameter)
        }
    }

    @Test("update changes columns, tags, description and state and stamps updated_at")
    func update() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let pg = try store.createConnector(postgresConnector("sales_pg", mesh: mesh))
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            var orders = table("orders", mesh: mesh, connector: pg, columns: Self.columns)
            orders.createdAt = created
            orders.updatedAt = created
            try store.createProduct(orders)

            var changed = orders
            changed.columns[2].tags = ["finance", "sensitive"]
            changed.columns.append(ProductColumn(name: "note", type: "text"))
            changed.description = "Orders, deduplicated"
            changed.state = EntityState(code: "200", reason: "Schema drift: column note added.", healthy: false)
            let updated = try store.updateProduct(changed)
            #expect(updated.updatedAt > created)
            #expect(updated.createdAt == created)
            #expect(try store.product(id: orders.id) == updated)

            let other = try store.createProduct(table("items", mesh: mesh, connector: pg))
            var rename = other
            rename.name = "orders"
            let dup = #expect(throws: MeshError.self) { try store.updateProduct(rename) }
            #expect(dup?.code == .duplicateObject)
        }
    }

    @Test("delete removes one product; a missing one does not exist")
    func delete() throws {
        try withStore { store in
            let mesh = try store.createMesh(Mesh(name: "Sales"))
            let view = try store.createProduct(ProductRecord(meshId: mesh.id, name: "v", viewSQL: "SELECT 1"))
            #expect(throws: MeshError.self) { try store.deleteProduct(id: view.id, org: "globex") }
            try store.deleteProduct(id: view.id)
            #expect(try store.products().isEmpty)
            let again = #expect(throws: MeshError.self) { try store.deleteProduct(id: view.id) }
            #expect(again?.code == .undefinedObject)
            // With its products gone the mesh drops without CASCADE.
            try store.deleteMesh(id: mesh.id)
        }
    }
}
