import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Regressions from review that need their own sources: SQL text with quoted identifiers
/// holding a quote, dynamic filters over untyped SQLite columns, refused subquery shapes, and
/// memory the budget must see.
@Suite("Review regressions")
struct ReviewRegressionTests {
    /// Two SQLite files, one mesh each (so joins between them are cross-source).
    func engine() async throws -> Session {
        let dir = tempDirectory()
        try SQLiteDatabase(path: dir + "/a.db").execute("""
            CREATE TABLE t1 (id INTEGER, v INTEGER);
            INSERT INTO t1 VALUES (1, 4), (2, 7), (3, 9), (4, 2);
            CREATE TABLE t2 (id INTEGER, "it's" INTEGER, w INTEGER);
            INSERT INTO t2 VALUES (1, 0, 50), (2, 10, 150), (3, 10, 200), (4, 0, 300);
            CREATE TABLE tu (k);
            INSERT INTO tu VALUES (1), (2), (3), ('x');
            """)
        try SQLiteDatabase(path: dir + "/b.db").execute("""
            CREATE TABLE tb (k TEXT);
            INSERT INTO tb VALUES ('1'), ('2'), ('3'), ('y');
            """)
        let session = try Engine(catalogPath: dir + "/catalog.db").makeSession()
        for s in ["CREATE MESH q", "CREATE MESH r",
                  "CREATE CONNECTOR qa FOR MESH q TYPE sqlite OPTIONS (path \(E2EFixture.literal(dir + "/a.db")))",
                  "CREATE CONNECTOR rb FOR MESH r TYPE sqlite OPTIONS (path \(E2EFixture.literal(dir + "/b.db")))",
                  "IMPORT DATA PRODUCTS FROM CONNECTOR qa", "IMPORT DATA PRODUCTS FROM CONNECTOR rb"] {
            _ = try await session.execute(s)
        }
        return session
    }

    func rows(_ s: Session, _ sql: String) async throws -> [String] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }.sorted()
    }

    @Test func parametersAfterAQuotedIdentifierWithAQuote() async throws {
        let s = try await engine()
        let sql = """
            SELECT t1.id FROM q.t1 WHERE t1.v > 5 AND EXISTS (SELECT 1 FROM q.t2
              WHERE t2.id = t1.id AND t2.w > 100 AND t2."it's" + 1 > t1.v - 3)
            """
        let pushed = try await rows(s, sql)
        s.pushdownEnabled = false
        #expect(try await rows(s, sql) == pushed)
        #expect(pushed == ["2", "3"])
    }

    @Test func dynamicFilterKeepsValuesStoredInAnotherClass() async throws {
        // tu.k has no declared type: meshql reads text, SQLite stores integers.
        let s = try await engine()
        let sql = "SELECT tu.k FROM q.tu JOIN r.tb ON tb.k = tu.k WHERE tb.k <> 'y'"
        #expect(try await rows(s, sql) == ["1", "2", "3"])
    }

    @Test func correlatedAggregateUnderHavingIsRefusedWithAPosition() async throws {
        let s = try await engine()
        let sql = "SELECT t1.id, (SELECT COUNT(*) FROM q.t2 WHERE t2.id = t1.id HAVING COUNT(*) > 5) FROM q.t1"
        do {
            _ = try await rows(s, sql)
            Issue.record("accepted")
        } catch let e as MeshError {
            #expect(e.code == .notSupported)
            #expect(e.location != nil)
        }
    }

    @Test func topNAndDistinctStateCountAgainstTheBudget() async throws {
        let s = try await engine()
        s.pushdownEnabled = false
        s.memoryLimit = 100
        await #expect(throws: MeshError.self) { _ = try await rows(s, "SELECT id FROM q.t2 ORDER BY w LIMIT 1000000") }
        await #expect(throws: MeshError.self) { _ = try await rows(s, "SELECT COUNT(DISTINCT w), STRING_AGG(CAST(w AS TEXT), ',') FROM q.t2") }
    }
}
