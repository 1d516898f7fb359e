import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// meshql orders text by bytes. A PostgreSQL database with a linguistic collation orders
/// 'B' after 'a'; pushed-down ORDER BY, `<` and MIN must still give meshql's answer.
@Suite struct CollationTests {
    @Test(arguments: [true, false])
    func textOrderIsByteOrderWhateverTheSourceCollation(pushdown: Bool) async throws {
        guard let pg = try await TestPostgres.shared() else { return }
        let db = "meshql_icu_\(pushdown ? "on" : "off")"
        try pg.execute("DROP DATABASE IF EXISTS \(db)")
        do {
            try pg.execute("CREATE DATABASE \(db) LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0")
        } catch {
            // A server built without ICU cannot make such a database; nothing to compare then.
            print("SKIP: PostgreSQL has no ICU collations (\(error))")
            return
        }
        try pg.execute("CREATE TABLE words (w text); INSERT INTO words VALUES ('a'), ('B'), ('c'), ('Z')", database: db)
        // The database really does order linguistically.
        #expect(try pg.query("SELECT string_agg(w, ',' ORDER BY w) FROM words", database: db)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "a,B,c,Z")

        let engine = try Engine(catalogPath: tempDirectory() + "/collation.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        s.pushdownEnabled = pushdown
        _ = try await s.execute("CREATE MESH m")
        _ = try await s.execute("CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn '\(pg.conninfo(database: db).replacingOccurrences(of: "'", with: "''"))')")
        _ = try await s.execute("IMPORT DATA PRODUCTS FROM CONNECTOR c")

        func column(_ sql: String) async throws -> [String] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0[0].description }
        }
        #expect(try await column("SELECT w FROM m.words ORDER BY w") == ["B", "Z", "a", "c"])
        #expect(try await column("SELECT w FROM m.words ORDER BY w DESC LIMIT 2") == ["c", "a"])
        #expect(try await column("SELECT w FROM m.words WHERE w > 'Z' ORDER BY w") == ["a", "c"])
        #expect(try await column("SELECT min(w) FROM m.words") == ["B"])
    }
}
