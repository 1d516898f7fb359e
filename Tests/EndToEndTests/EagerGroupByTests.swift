import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// An aggregate over a keyed join whose aggregates read one side groups that side first
/// (`eager_group_by`), in its source. Over two SQLite files (90,000 facts with 500 distinct
/// keys, 600 dimension rows of which 100 match nothing) the answers must be SQLite's own for
/// the same SQL over both files attached: inner and outer joins, counts over NULLs, sums,
/// extremes, a q13-shaped count of counts.
@Suite struct EagerGroupByTests {
    static let queries = [
        // The grouped side is the null-supplying one: unmatched keys count 0, sum and max NULL.
        """
        SELECT d.k, count(f.w) AS c, sum(f.v) AS s, min(f.t) AS lo, max(f.v) AS hi
        FROM dims.dims d LEFT JOIN facts.facts f ON f.k = d.k GROUP BY d.k ORDER BY d.k
        """,
        // Inner join grouped by the other side's column; count(*) weighs each group.
        """
        SELECT d.grp, count(*) AS n, count(f.w) AS c, sum(f.v) AS s FROM facts.facts f JOIN dims.dims d ON d.k = f.k
        GROUP BY d.grp ORDER BY d.grp
        """,
        // TPC-H q13's shape: a filter inside the outer join's condition, then counts of counts.
        """
        SELECT c, count(*) AS customers FROM (
          SELECT d.k, count(f.w) AS c FROM dims.dims d LEFT JOIN facts.facts f ON f.k = d.k AND f.v > 50 GROUP BY d.k
        ) x GROUP BY c ORDER BY c
        """,
    ]

    @Test func answersMatchSQLiteAndTheRuleFires() async throws {
        let meshes = try await TwoFileMeshes(facts: """
            CREATE TABLE facts (k INTEGER, v INTEGER, w INTEGER, t TEXT);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 90000)
            INSERT INTO facts SELECT n % 500 + 1, n % 97, CASE WHEN n % 11 = 0 THEN NULL ELSE n % 13 END, 'x' || (n % 37) FROM g;
            """, dims: """
            CREATE TABLE dims (k INTEGER, grp TEXT);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 600)
            INSERT INTO dims SELECT n, 'g' || (n % 5) FROM g;
            """)
        defer { meshes.engine.shutdown() }
        for sql in Self.queries {
            let plan = try await meshes.plan(sql).joined(separator: "\n")
            #expect(plan.contains("eager_group_by"), "the rule did not fire:\n\(plan)")
            let expected = try meshes.expected(sql)
            #expect(!expected.isEmpty)
            for pushdown in [true, false] {
                meshes.session.pushdownEnabled = pushdown
                #expect(try await meshes.actual(sql) == expected, "pushdown \(pushdown):\n\(sql)")
            }
        }
    }

    /// Aggregates that do not split, or a side that grouping would not shrink, leave the plan
    /// alone.
    @Test func leavesOtherAggregatesAlone() async throws {
        let folder = tempDirectory()
        let db = try SQLiteDatabase(path: folder + "/d.db")
        try db.execute("""
            CREATE TABLE facts (k INTEGER, v INTEGER);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 30000)
            INSERT INTO facts SELECT n, n % 7 FROM g;
            CREATE TABLE dims (k INTEGER, grp TEXT);
            INSERT INTO dims VALUES (1, 'a'), (2, 'b');
            """)
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH m", "CREATE CONNECTOR src FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/d.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR src"] {
            _ = try await s.execute(sql)
        }
        for sql in [
            // Unique keys: grouping by them keeps every row.
            "SELECT d.grp, sum(f.v) FROM m.facts f JOIN m.dims d ON d.k = f.k GROUP BY d.grp",
            // avg and DISTINCT do not split; count(*) over an outer join counts unmatched rows.
            "SELECT d.grp, avg(f.v) FROM m.facts f JOIN m.dims d ON d.k = f.v GROUP BY d.grp",
            "SELECT d.grp, count(DISTINCT f.k) FROM m.facts f JOIN m.dims d ON d.k = f.v GROUP BY d.grp",
            "SELECT d.grp, count(*) FROM m.dims d LEFT JOIN m.facts f ON d.k = f.v GROUP BY d.grp",
        ] {
            guard case .rows(let explain) = try await s.execute("EXPLAIN " + sql) else { return }
            let plan = try await explain.collectRows().map { $0[0].description }.joined(separator: "\n")
            #expect(!plan.contains("eager_group_by"), "\(sql):\n\(plan)")
        }
    }
}
