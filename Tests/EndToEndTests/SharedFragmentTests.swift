import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// A CTE over one source referenced twice (TPC-H q15's shape: a grouped result joined with
/// its own maximum) is planned once, as one fragment that both references read; the answer
/// is SQLite's own for the same SQL.
@Suite struct SharedFragmentTests {
    @Test func aRepeatedAggregateRunsOnceAndAnswersRightly() async throws {
        let meshes = try await TwoFileMeshes(facts: """
            CREATE TABLE facts (k INTEGER, v INTEGER);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000)
            INSERT INTO facts SELECT n % 50, (n * 37) % 101 FROM g;
            """, dims: """
            CREATE TABLE dims (k INTEGER, name TEXT);
            WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < 49)
            INSERT INTO dims SELECT n, 'k' || n FROM g;
            """)
        defer { meshes.engine.shutdown() }
        let sql = """
            WITH totals AS (SELECT k, sum(v) AS total FROM facts.facts WHERE v > 3 GROUP BY k)
            SELECT d.name, t.total FROM dims.dims d, totals t
            WHERE d.k = t.k AND t.total = (SELECT max(total) FROM totals) ORDER BY d.name
            """
        let plan = try await meshes.plan(sql, analyze: true)
        let remote = plan.filter { $0.contains("Remote [facts_db") }
        let readers = plan.filter { $0.contains("Shared Scan #") }
        #expect(remote.count == 1 && readers.count == 2 && readers.allSatisfy { $0.contains("read 2 times, run once") },
                "\(plan.joined(separator: "\n"))")
        let expected = try meshes.expected(sql)
        #expect(!expected.isEmpty)
        for pushdown in [true, false] {
            meshes.session.pushdownEnabled = pushdown
            #expect(try await meshes.actual(sql) == expected, "pushdown \(pushdown)")
        }
    }
}
