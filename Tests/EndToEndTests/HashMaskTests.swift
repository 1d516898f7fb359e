import Foundation
import MeshCatalog
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// `hash()` masks cannot be turned into an oracle (the tenancy issue, problem 3): each mesh
/// hashes under its own key, so a manager who hashes guesses in their mesh cannot join them to
/// another mesh's hashed column; meshes share a key only through an admin's hash domain.
@Suite struct HashMaskTests {
    /// Mesh finance (owner fin@) with invoices whose `ref` is hashed for everyone but
    /// auditors; mesh sales (owner own@) with a table of guessed refs.
    static func world() async throws -> Engine {
        let dir = tempDirectory()
        try SQLiteDatabase(path: dir + "/f.db").execute("""
            CREATE TABLE invoices (ref TEXT, amount INTEGER);
            INSERT INTO invoices VALUES ('INV-1', 10), ('INV-2', 20), ('INV-3', 30);
            """)
        try SQLiteDatabase(path: dir + "/s.db").execute("""
            CREATE TABLE guesses (ref TEXT); INSERT INTO guesses VALUES ('INV-1'), ('INV-2'), ('INV-3'), ('INV-4');
            """)
        let engine = try Engine(catalogPath: dir + "/c.db")
        let op = engine.makeSession()
        for sql in ["CREATE MESH finance WITH (owner = 'fin@acme.test')", "CREATE MESH sales WITH (owner = 'own@acme.test')",
                    "CREATE CONNECTOR f FOR MESH finance TYPE sqlite OPTIONS (path '\(dir)/f.db')",
                    "CREATE CONNECTOR s FOR MESH sales TYPE sqlite OPTIONS (path '\(dir)/s.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR f", "IMPORT DATA PRODUCTS FROM CONNECTOR s",
                    "GRANT SELECT ON finance.* TO PUBLIC", "GRANT SELECT ON sales.* TO PUBLIC",
                    "MASK finance.invoices.ref USING hash(ref) FOR PUBLIC EXCEPT ROLE auditor"] {
            _ = try await op.execute(sql)
        }
        return engine
    }

    static func session(_ engine: Engine, _ user: String, roles: Set<String> = []) -> Session {
        let s = engine.makeSession()
        s.principal = Principal(user: user, roles: roles)
        return s
    }

    static func rows(_ s: Session, _ sql: String) async throws -> [String] {
        try await s.textRows(sql).map { $0.joined(separator: "|") }
    }

    static func refusal(_ s: Session, _ sql: String) async -> MeshError? { await s.refusal(sql) }

    static let join = "SELECT count(*) FROM sales.guesses g JOIN finance.invoices i ON g.ref = i.ref"

    @Test func hashedGuessesInAnotherMeshMatchNothing() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let owner = Self.session(engine, "own@acme.test")
        _ = try await owner.execute("MASK sales.guesses.ref USING hash(ref) FOR PUBLIC")
        // Within a mesh, equal values hash equal (a join on the hashed column works) …
        #expect(try await Self.rows(owner, "SELECT count(*) FROM finance.invoices a JOIN finance.invoices b ON a.ref = b.ref") == ["3"])
        #expect(try await Self.rows(owner, "SELECT count(DISTINCT ref) FROM sales.guesses") == ["4"])
        // … but the guesses, hashed under the sales mesh's key, match none of finance's.
        #expect(try await Self.rows(owner, Self.join) == ["0"])
        let finance = try await Self.rows(owner, "SELECT ref FROM finance.invoices ORDER BY amount")
        let guesses = try await Self.rows(owner, "SELECT ref FROM sales.guesses ORDER BY ref")
        #expect(Set(finance).isDisjoint(with: guesses) && !finance.contains("INV-1"), "\(finance) \(guesses)")
        // The same with guesses written into a view as literals (a column of type text).
        _ = try await owner.execute("CREATE DATA PRODUCT sales.typed AS SELECT 'INV-1' AS g UNION ALL SELECT 'INV-2'")
        _ = try await owner.execute("GRANT SELECT ON sales.typed TO PUBLIC")
        _ = try await owner.execute("MASK sales.typed.g USING hash(g) FOR PUBLIC")
        #expect(try await Self.rows(owner, "SELECT count(*) FROM sales.typed JOIN finance.invoices ON g = ref") == ["0"])
        // A domain the sales mesh does not belong to cannot be named, nor can a manager make one.
        let unknown = await Self.refusal(owner, "MASK sales.guesses.ref USING hash(ref, 'refs') FOR PUBLIC")
        #expect(unknown?.code == .undefinedObject, "\(unknown?.message ?? "")")
        let notAdmin = await Self.refusal(owner, "CREATE HASH DOMAIN refs FOR MESH finance, sales")
        #expect(notAdmin?.code == .permission)
        #expect(try await Self.rows(owner, "SHOW HASH DOMAINS").isEmpty)
    }

    @Test func aHashDomainIsTheAdminsChoiceToShareAKey() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let admin = Self.session(engine, "adm@acme.test", roles: ["admin"])
        _ = try await admin.execute("CREATE HASH DOMAIN refs FOR MESH finance")
        let owner = Self.session(engine, "own@acme.test")
        // Sales is not a member yet: its manager cannot hash with the domain's key.
        #expect(await Self.refusal(owner, "MASK sales.guesses.ref USING hash(ref, 'refs') FOR PUBLIC")?.code == .undefinedObject)
        _ = try await admin.execute("ALTER HASH DOMAIN refs SET MESH finance, sales")
        _ = try await admin.execute("DROP POLICY 2 ON MESH finance")
        _ = try await admin.execute("MASK finance.invoices.ref USING hash(ref, 'refs') FOR PUBLIC EXCEPT ROLE auditor")
        _ = try await owner.execute("MASK sales.guesses.ref USING hash(ref, 'REFS') FOR PUBLIC")
        // Both hashed under the domain's key: the pseudonymous join works, the values stay hidden.
        #expect(try await Self.rows(owner, Self.join) == ["3"])
        #expect(try await !Self.rows(owner, "SELECT ref FROM finance.invoices").contains("INV-1"))
        #expect(try await Self.rows(owner, "SHOW HASH DOMAINS") == ["refs|finance, sales"])
        let reader = Self.session(engine, "ivy@acme.test", roles: ["analyst"])
        #expect(try await Self.rows(reader, "SHOW HASH DOMAINS").isEmpty)
        // A domain in use stays, and keeps the meshes that hash with it.
        #expect(await Self.refusal(admin, "DROP HASH DOMAIN refs")?.code == .dependentObjects)
        #expect(await Self.refusal(admin, "ALTER HASH DOMAIN refs SET MESH finance")?.code == .dependentObjects)
        #expect(await Self.refusal(admin, "CREATE HASH DOMAIN refs FOR MESH sales")?.code == .duplicateObject)
        _ = try await admin.execute("CREATE HASH DOMAIN IF NOT EXISTS refs FOR MESH sales")
        _ = try await admin.execute("DROP POLICY 2 ON MESH sales")
        _ = try await admin.execute("DROP POLICY 2 ON MESH finance")
        _ = try await admin.execute("DROP HASH DOMAIN refs")
        #expect(try await Self.rows(admin, "SHOW HASH DOMAINS").isEmpty)
    }
}
