import Foundation
import MeshCatalog
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Rules escaped by a mesh's own manager (the tenancy issue, problem 2): a second product over
/// a table already published (it would carry no tags and no rule written against the first
/// one's name), and renaming the mesh that rules name. Rules and tags follow the data and the
/// mesh, not a name.
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

    /// Renaming a mesh moves every rule, library policy and view that named it to the new
    /// name, at once: nothing that applied stops applying, nothing that read it stops reading.
    @Test func renamingAMeshCarriesItsRulesAndReaders() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let op = engine.makeSession()
        for sql in ["CREATE DATA PRODUCT empty.v AS SELECT sales.orders.id, email FROM sales.orders",
                    // A CTE and a column qualifier named like the mesh are not the mesh.
                    "CREATE DATA PRODUCT empty.w AS WITH sales AS (SELECT id FROM sales.orders) SELECT sales.id FROM sales",
                    "CREATE POLICY lib AS 'DENY SELECT (email) ON sales.orders TO ROLE temp'"] {
            _ = try await op.execute(sql)
        }
        try op.setSecurityPolicy(["GRANT SELECT ON empty.* TO PUBLIC", "lib"], forMesh: "empty")
        let owner = Self.owner(engine)
        var sales = try #require(try engine.catalog.mesh(sqlName: "sales", org: "default"))
        sales.name = "Sales Renamed"
        sales.sqlName = SQLName.slug(sales.name)
        _ = try owner.updateMesh(sales)
        #expect(try engine.catalog.mesh(sqlName: "sales", org: "default") == nil)

        func rows(_ roles: Set<String>, _ sql: String) async throws -> [String] {
            let s = engine.makeSession()
            s.principal = Principal(user: "ivy@acme.test", roles: roles)
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
        }
        func refused(_ roles: Set<String>, _ sql: String) async -> MeshError? {
            await #expect(throws: MeshError.self) { _ = try await rows(roles, sql) }
        }
        // The mesh's own DENY and the library's DENY both follow the new name.
        #expect(await refused(["intern"], "SELECT id FROM sales_renamed.orders")?.code == .undefinedColumn)
        #expect(await refused(["temp"], "SELECT email FROM sales_renamed.orders")?.code == .undefinedColumn)
        #expect(try await rows(["analyst"], "SELECT id, email FROM sales_renamed.orders") == ["1|****"])
        // The views read the renamed mesh; the CTE named like it is untouched.
        #expect(try await rows(["analyst"], "SELECT id, email FROM empty.v") == ["1|****"])
        #expect(try await rows(["analyst"], "SELECT id FROM empty.w") == ["1"])
        let empty = try #require(try engine.catalog.mesh(sqlName: "empty", org: "default"))
        let views = try engine.catalog.products(meshId: empty.id, org: "default").compactMap(\.viewSQL).sorted()
        #expect(views == ["SELECT sales_renamed.orders.id, email FROM sales_renamed.orders",
                          "WITH sales AS (SELECT id FROM sales_renamed.orders) SELECT sales.id FROM sales"], "\(views)")
        #expect(try engine.catalog.namedPolicies(org: "default").first?.body == "DENY SELECT (email) ON sales_renamed.orders TO ROLE temp")
        let renamed = try #require(try engine.catalog.mesh(sqlName: "sales_renamed", org: "default"))
        #expect(renamed.securityPolicy == ["GRANT SELECT ON sales_renamed.* TO PUBLIC", "DENY SELECT (id) ON sales_renamed.orders TO ROLE intern"])
        // A name taken by another mesh is refused, and nothing changes.
        var clash = renamed
        clash.sqlName = "empty"
        #expect(throws: MeshError.self) { _ = try owner.updateMesh(clash) }
    }

    /// The operator may publish a table twice (in the same mesh or another): each copy is held
    /// to the rules and tags of the data, whatever its name.
    @Test func copiesOverTheSameTableCarryItsRulesAndTags() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let op = engine.makeSession()
        let file = try #require(try engine.catalog.connector(name: "src", org: "default")?.options["path"])
        for sql in ["CREATE DATA PRODUCT sales.copy FROM src.main.orders",
                    // Another connector, in another mesh, on the same file (spelled differently).
                    "CREATE CONNECTOR src2 FOR MESH empty TYPE sqlite OPTIONS (path '\(file.replacingOccurrences(of: "/s.db", with: "/./s.db"))')",
                    "CREATE DATA PRODUCT empty.copy FROM src2.main.orders",
                    "GRANT SELECT ON empty.* TO PUBLIC", "FILTER sales.orders USING id > 1 FOR ROLE contractor"] {
            _ = try await op.execute(sql)
        }
        func rows(_ s: Session, _ sql: String) async throws -> [String] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
        }
        func session(_ roles: Set<String>) -> Session {
            let s = engine.makeSession()
            s.principal = Principal(user: "ivy@acme.test", roles: roles)
            return s
        }
        for copy in ["sales.copy", "empty.copy"] {
            // The pii tag of orders.email holds for the copy: the org-wide mask applies.
            #expect(try await rows(session(["analyst"]), "SELECT id, email FROM \(copy)") == ["1|****"], "\(copy)")
            // sales' DENY of orders.id for interns, and its FILTER for contractors, too.
            let intern = await #expect(throws: MeshError.self) { _ = try await rows(session(["intern"]), "SELECT id FROM \(copy)") }
            #expect(intern?.code == .undefinedColumn, "\(copy): \(intern?.message ?? "")")
            #expect(try await rows(session(["contractor"]), "SELECT count(*) FROM \(copy)") == ["0"], "\(copy)")
            // DESCRIBE shows the tag the column carries through its source.
            let described = try await rows(op, "DESCRIBE \(copy)")
            #expect(described.contains { $0.hasPrefix("email|") && $0.contains("pii (from its source)") }, "\(described)")
        }
        // The original is unchanged, and shows only its own tag.
        #expect(try await rows(session(["analyst"]), "SELECT id, email FROM sales.orders") == ["1|****"])
        #expect(try await rows(op, "DESCRIBE sales.orders").contains { $0.hasPrefix("email|") && $0.contains("|pii|") })
    }
}
