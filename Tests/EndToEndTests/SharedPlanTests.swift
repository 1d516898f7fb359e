import Foundation
import MeshCore
import MeshEngine
import MeshPlan
import MeshTestSupport
import Testing

/// A short statement must not take the server down (the tenancy issue, problem 5): a CTE or
/// view read in several places is bound and planned once and run once for all its readers
/// (`LogicalPlan.shared`), so one that reads the one before it twice no longer doubles the
/// plan per level (22 levels once grew the server to 3.8 GB, 16 took 26 s). What is still
/// expanded per reference (a CTE inside a subquery, whose definition may read the outer
/// query) is refused past `Binder.maxReferences`, with the position.
@Suite struct SharedPlanTests {
    static func doublingCTEs(_ levels: Int) -> String {
        var parts = ["c0 AS (SELECT 1 AS x)"]
        for i in 1...levels { parts.append("c\(i) AS (SELECT a.x FROM c\(i - 1) a CROSS JOIN c\(i - 1) b)") }
        return "WITH " + parts.joined(separator: ", ") + " SELECT count(*) FROM c\(levels)"
    }

    static func rows(_ s: Session, _ sql: String) async throws -> [[String]] { try await s.textRows(sql) }

    static func refusal(_ s: Session, _ sql: String) async -> MeshError? { await s.refusal(sql) }

    @Test func doublingCTEsAreBoundOnce() async throws {
        let engine = try Engine(catalogPath: tempDirectory() + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for levels in [10, 30, 60] {
            #expect(try await Self.rows(s, Self.doublingCTEs(levels)) == [["1"]], "\(levels) levels")
        }
        // Each level's definition once (c0, one row, is bound again where read; the last is
        // read once, in its place).
        let plan = try await Self.rows(s, "EXPLAIN " + Self.doublingCTEs(5)).map { $0[0] }
        #expect(plan.filter { $0.hasPrefix("Shared #") }.count == 4, "\(plan.joined(separator: "\n"))")
        #expect(plan.filter { $0.contains("-> Shared Scan #") }.count == 8, "\(plan.joined(separator: "\n"))")
        // Inside a subquery a CTE is bound where it is read, and that still has its limit.
        let e = await Self.refusal(s, "SELECT (" + Self.doublingCTEs(14) + ")")
        #expect(e?.code == .programLimitExceeded && e?.location != nil, "\(e?.message ?? "answered")")
        #expect(try await Self.rows(s, "SELECT (" + Self.doublingCTEs(8) + ")") == [["1"]])
    }

    @Test func aChainOfDoublingViewsIsBoundOnce() async throws {
        let (engine, _) = try await engineOverSQLite("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)",
                                                     then: ["CREATE DATA PRODUCT m.v0 AS SELECT x FROM m.t"])
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for i in 1...30 {
            _ = try await s.execute("CREATE DATA PRODUCT m.v\(i) AS SELECT a.x FROM m.v\(i - 1) a JOIN m.v\(i - 1) b ON a.x = b.x")
        }
        #expect(try await Self.rows(s, "SELECT count(*) FROM m.v30") == [["1"]])
        let plan = try await Self.rows(s, "EXPLAIN SELECT count(*) FROM m.v30").map { $0[0] }
        #expect(plan.filter { $0.hasPrefix("Shared #") }.count == 29, "\(plan.joined(separator: "\n"))")
    }

    /// Shared results are the results: a grouped CTE read twice (joined with itself, and
    /// under a scalar subquery as TPC-H q15 reads `revenue`), with the plan cache reusing the
    /// plan for other literals, and under EXPLAIN ANALYZE.
    @Test func sharedDefinitionsAnswerAsExpanded() async throws {
        let (engine, _) = try await engineOverSQLite("""
            CREATE TABLE t (x INTEGER);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) INSERT INTO t SELECT i FROM n;
            """)
        defer { engine.shutdown() }
        let s = engine.makeSession()
        let grouped = "WITH g AS (SELECT x % 3 AS k, sum(x) AS v FROM m.t WHERE x > LIMIT_ GROUP BY x % 3) "
        for (bound, expected) in [(0, [["0", "18", "18"], ["1", "22", "22"], ["2", "15", "15"]]), (4, [["0", "15", "15"], ["1", "17", "17"], ["2", "13", "13"]])] {
            let sql = grouped.replacingOccurrences(of: "LIMIT_", with: String(bound)) + "SELECT a.k, a.v, b.v FROM g a JOIN g b ON a.k = b.k ORDER BY 1"
            #expect(try await Self.rows(s, sql) == expected, "x > \(bound)")
        }
        let q15 = grouped.replacingOccurrences(of: "LIMIT_", with: "0") + "SELECT k, v FROM g WHERE v = (SELECT max(v) FROM g)"
        #expect(try await Self.rows(s, q15) == [["1", "22"]])
        for pushdown in ["off", "on"] {
            _ = try await s.execute("SET pushdown = \(pushdown)")
            #expect(try await Self.rows(s, q15) == [["1", "22"]], "pushdown \(pushdown)")
        }
        let analyzed = try await Self.rows(s, "EXPLAIN ANALYZE " + q15).map { $0[0] }
        #expect(analyzed.contains { $0.contains("Shared Scan #") && $0.contains("actual rows=") }, "\(analyzed.joined(separator: "\n"))")
        #expect(analyzed.contains { $0.hasPrefix("Shared #") }, "\(analyzed.joined(separator: "\n"))")
    }

    /// A CTE reads the CTEs defined before it, as PostgreSQL has it: not a later one, and not
    /// one of the same name defined where it happens to be read.
    @Test func aCTEReadsTheScopeItWasDefinedIn() async throws {
        let engine = try Engine(catalogPath: tempDirectory() + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        let later = await Self.refusal(s, "WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a")
        #expect(later?.code == .undefinedTable, "\(later?.message ?? "answered")")
        #expect(try await Self.rows(s, """
            WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a)
            SELECT * FROM (WITH a AS (SELECT 2 AS x) SELECT b.x, a.x AS y FROM b, a) q
            """) == [["1", "2"]])
    }
}
