import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// A CTE over one source referenced twice (TPC-H q15's shape: a grouped result joined with
/// its own maximum) becomes two identical fragments that the source runs once; the answer is
/// SQLite's own for the same SQL.
@Suite struct SharedFragmentTests {
    @Test func aRepeatedAggregateRunsOnceAndAnswersRightly() async throws {
        let folder = tempDirectory()
        let facts = try SQLiteDatabase(path: folder + "/facts.db")
        try facts.execute("""
            CREATE TABLE facts (k INTEGER, v INTEGER);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000)
            INSERT INTO facts SELECT n % 50, (n * 37) % 101 FROM g;
            """)
        let dims = try SQLiteDatabase(path: folder + "/dims.db")
        try dims.execute("""
            CREATE TABLE dims (k INTEGER, name TEXT);
            WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < 49)
            INSERT INTO dims SELECT n, 'k' || n FROM g;
            """)
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH facts", "CREATE MESH dims",
                    "CREATE CONNECTOR facts_db FOR MESH facts TYPE sqlite OPTIONS (path '\(folder)/facts.db')",
                    "CREATE CONNECTOR dims_db FOR MESH dims TYPE sqlite OPTIONS (path '\(folder)/dims.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR facts_db", "IMPORT DATA PRODUCTS FROM CONNECTOR dims_db"] {
            _ = try await s.execute(sql)
        }
        let sql = """
            WITH totals AS (SELECT k, sum(v) AS total FROM facts.facts WHERE v > 3 GROUP BY k)
            SELECT d.name, t.total FROM dims.dims d, totals t
            WHERE d.k = t.k AND t.total = (SELECT max(total) FROM totals) ORDER BY d.name
            """
        guard case .rows(let explain) = try await s.execute("EXPLAIN ANALYZE " + sql) else { Issue.record("no plan"); return }
        let plan = try await explain.collectRows().map { $0[0].description }
        let shared = plan.filter { $0.contains("Remote [facts_db") }
        #expect(shared.count == 2 && shared.allSatisfy { $0.contains("read 2 times, run once") }, "\(plan.joined(separator: "\n"))")

        let both = try SQLiteDatabase(path: folder + "/reference.db")
        try both.execute("ATTACH DATABASE '\(folder)/facts.db' AS facts; ATTACH DATABASE '\(folder)/dims.db' AS dims")
        let reference = try both.prepare(sql)
        var expected: [String] = []
        while try reference.step() { expected.append(reference.text(0) + "|" + reference.text(1)) }
        #expect(!expected.isEmpty)
        for pushdown in [true, false] {
            s.pushdownEnabled = pushdown
            guard case .rows(let result) = try await s.execute(sql) else { Issue.record("no rows"); return }
            let actual = try await result.collectRows().map { $0.map(\.description).joined(separator: "|") }
            #expect(actual == expected, "pushdown \(pushdown)")
        }
    }
}
