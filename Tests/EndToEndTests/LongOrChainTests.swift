import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// A long OR chain of equalities on one column (the tenancy issue, problem 5: 40,000 terms took
/// a minute of CPU) is one IN list: the same rows, looked up in a set, at the source and here.
@Suite struct LongOrChainTests {
    @Test func equalitiesOnOneColumnBecomeOneInList() async throws {
        let (engine, _) = try await engineOverSQLite("""
            CREATE TABLE t (k INTEGER, s TEXT);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO t SELECT i, 'v' || i FROM n;
            """)
        defer { engine.shutdown() }
        let s = engine.makeSession()
        func rows(_ sql: String) async throws -> [[String]] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description) }
        }
        // Every even key up to 40,000 (2,500 of them in the table), keys on either side.
        let terms = (1...20_000).map { $0 % 2 == 0 ? "k = \(2 * $0)" : "\(2 * $0) = k" }.joined(separator: " OR ")
        for pushdown in ["on", "off"] {
            _ = try await s.execute("SET pushdown = \(pushdown)")
            #expect(try await rows("SELECT count(*), min(k), max(k) FROM m.t WHERE \(terms)") == [["2500", "2", "5000"]])
        }
        _ = try await s.execute("SET pushdown = on")
        let plan = try await rows("EXPLAIN SELECT count(*) FROM m.t WHERE \(terms)").map { $0.joined() }.joined(separator: "\n")
        #expect(plan.contains(" IN (") && !plan.contains(" OR "), "\(plan.prefix(600))")
        // Mixed columns stay an OR and still answer.
        let mixed = (1...20).map { "k = \($0)" }.joined(separator: " OR ") + " OR s = 'v4000'"
        #expect(try await rows("SELECT count(*) FROM m.t WHERE \(mixed)") == [["21"]])
    }
}
