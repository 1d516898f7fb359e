import Foundation
import MeshCatalog
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Rules escaped by a mesh's own manager (the tenancy issue, problem 2): a second product over
/// a table already published (it would carry no tags and no rule written against the first
/// one's name), and renaming the mesh that org-wide rules name.
@Suite struct PolicyEscapeTests {
    /// Mesh sales (owner own@acme.test) over one SQLite file: orders with email tagged pii; an
    /// org-wide mask on pii and an admin's DENY on orders.id for interns; mesh empty, named by
    /// nothing.
    static func world() async throws -> Engine {
        let dir = tempDirectory()
        try SQLiteDatabase(path: dir + "/s.db").execute("""
            CREATE TABLE orders (id INTEGER, email TEXT); INSERT INTO orders VALUES (1, 'ann@example.com');
            """)
        let engine = try Engine(catalogPath: dir + "/c.db")
        let op = engine.makeSession()
        for sql in ["CREATE MESH sales WITH (owner = 'own@acme.test')", "CREATE MESH empty WITH (owner = 'own@acme.test')",
                    "CREATE CONNECTOR src FOR MESH sales TYPE sqlite OPTIONS (path '\(dir)/s.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR src",
                    "ALTER DATA PRODUCT sales.orders ALTER COLUMN email SET TAGS ('pii')",
                    "GRANT SELECT ON sales.* TO PUBLIC",
                    "MASK COLUMNS TAGGED 'pii' USING redact() FOR PUBLIC",
                    "DENY SELECT (id) ON sales.orders TO ROLE intern"] {
            _ = try await op.execute(sql)
        }
        return engine
    }

    static func owner(_ engine: Engine) -> Session {
        let s = engine.makeSession()
        s.principal = Principal(user: "own@acme.test")
        return s
    }

    @Test func aSecondProductOverAPublishedTableIsRefused() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let owner = Self.owner(engine)
        let refused = await #expect(throws: MeshError.self) {
            _ = try await owner.execute("CREATE DATA PRODUCT sales.copy FROM src.main.orders")
        }
        #expect(refused?.code == .duplicateObject && refused?.message.contains("published already, as data product sales.orders") == true,
                "\(refused?.message ?? "")")
        // Derived from the product, the copy reads through its policies: the mask holds.
        _ = try await owner.execute("CREATE DATA PRODUCT sales.derived AS SELECT id, email FROM sales.orders")
        let reader = engine.makeSession()
        reader.principal = Principal(user: "ivy@acme.test", roles: ["analyst"])
        guard case .rows(let r) = try await reader.execute("SELECT email FROM sales.derived") else { return }
        #expect(try await r.collectRows().map { $0.map(\.description) } != [["ann@example.com"]])
    }

    @Test func aMeshNamedByPoliciesKeepsItsSQLName() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let owner = Self.owner(engine)
        var sales = try #require(try engine.catalog.mesh(sqlName: "sales", org: "default"))
        sales.name = "Sales Renamed"
        sales.sqlName = SQLName.slug(sales.name)
        let refused = #expect(throws: MeshError.self) { _ = try owner.updateMesh(sales) }
        #expect(refused?.code == .dependentObjects, "\(refused?.message ?? "")")
        #expect(try engine.catalog.mesh(sqlName: "sales", org: "default") != nil)
        // A label changes freely; a mesh nothing names may take another name.
        var labelled = try #require(try engine.catalog.mesh(sqlName: "sales", org: "default"))
        labelled.label = "SAL"
        _ = try owner.updateMesh(labelled)
        var empty = try #require(try engine.catalog.mesh(sqlName: "empty", org: "default"))
        empty.name = "Still Empty"
        empty.sqlName = SQLName.slug(empty.name)
        _ = try owner.updateMesh(empty)
        #expect(try engine.catalog.mesh(sqlName: "still_empty", org: "default") != nil)
    }
}
