import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// Every query of sql/tests/*.slt and sql/bench/tpch runs federated through meshql (each
/// placement over SQLite and PostgreSQL, pushdown on and off) and directly in PostgreSQL over
/// the same data in one database, now, in this run. The rows must agree (`RowComparison`).
@Suite("Differential: meshql vs PostgreSQL")
struct DifferentialTests {
    struct TPCHCase: Sendable, CustomTestStringConvertible {
        var placement: TPCHFixture.Placement
        var pushdown: Bool
        var testDescription: String { "\(placement), pushdown \(pushdown ? "on" : "off")" }
    }

    static let tpchCases = TPCHFixture.Placement.all.flatMap { p in
        [TPCHCase(placement: p, pushdown: true), TPCHCase(placement: p, pushdown: false)]
    }

    /// The time limits here only guard against a hang: every case runs beside the others and
    /// the rest of the suite on two cores, so a case takes many times what it takes alone.
    @Test(.timeLimit(.minutes(10)), arguments: tpchCases)
    func tpch(_ c: TPCHCase) async throws {
        guard let pg = try await TPCHFixture.postgres(), let engine = try await TPCHFixture.engine(c.placement) else {
            print("SKIP (no PostgreSQL): differential TPC-H tests")
            return
        }
        let queries = try TPCHFixture.queries()
        #expect(queries.count == 22)
        let reference = try await Self.referenceRows(queries.map(\.sql), pg)
        let session = engine.makeSession()
        session.pushdownEnabled = c.pushdown
        for (q, expected) in zip(queries, reference) {
            #expect(!expected.isEmpty, "\(q.name) returns no rows in PostgreSQL; the test would prove little")
            await Self.compare(q.sql, expected: expected, ordered: Self.isOrdered(q.sql), session: session,
                               label: "\(q.name) [\(c.testDescription)]")
        }
    }

    @Test(.timeLimit(.minutes(10)), arguments: GoldenConfiguration.all)
    func goldenQueries(_ config: GoldenConfiguration) async throws {
        guard let pg = try await E2EFixture.postgres(), let engine = try await E2EFixture.engine(config.placement) else {
            print("SKIP (no PostgreSQL): differential golden-query tests")
            return
        }
        let session = engine.makeSession()
        session.pushdownEnabled = config.pushdown
        for file in try GoldenFiles.load() {
            let records = file.records.filter { if case .query = $0.kind { return true }; return false }
            let reference = try await Self.referenceRows(records.map(\.sql), pg)
            for (record, expected) in zip(records, reference) {
                guard case .query(_, let rowsort) = record.kind else { continue }
                await Self.compare(record.sql, expected: expected, ordered: !rowsort, session: session,
                                   label: "\(record.whereText) [\(config.testDescription)]")
            }
        }
    }

    /// The TPC-H queries issue 19 quoted as running for minutes (an uncorrelated NOT EXISTS
    /// as a nested loop; a FULL JOIN that SQLite ran as one; a NOT IN correlated by a
    /// non-equality OR-ed with an EXISTS): PostgreSQL's answers, in every placement.
    static let onceHung = [
        "SELECT count(*) FROM sales.orders t1 WHERE NOT EXISTS (SELECT 1 FROM sales.lineitem s)",
        "SELECT count(*) FROM sales.orders t1 WHERE EXISTS (SELECT 1 FROM sales.lineitem s) OR t1.o_orderkey < 0",
        "SELECT t2.ps_partkey FROM supply.part t1 FULL JOIN supply.partsupp t2 ON t2.ps_partkey = t1.p_partkey "
            + "WHERE t1.p_retailprice IS NOT NULL ORDER BY 1 LIMIT 1",
        "SELECT count(*), count(t1.p_partkey), count(t2.ps_partkey) FROM (SELECT * FROM supply.part WHERE p_size > 10) t1 "
            + "FULL JOIN (SELECT * FROM supply.partsupp WHERE ps_suppkey > 5) t2 ON t2.ps_partkey = t1.p_partkey",
        "SELECT count(*) FROM supply.part t1 JOIN supply.partsupp t2 ON t2.ps_partkey = t1.p_partkey "
            + "WHERE t2.ps_partkey NOT IN (SELECT s5.p_size FROM supply.part s5 WHERE s5.p_partkey = t2.ps_partkey "
            + "AND s5.p_retailprice < t1.p_retailprice) OR EXISTS (SELECT 1 FROM supply.partsupp s6)",
    ]

    @Test(.timeLimit(.minutes(10)), arguments: tpchCases)
    func queriesThatOnceHung(_ c: TPCHCase) async throws {
        guard let pg = try await TPCHFixture.postgres(), let engine = try await TPCHFixture.engine(c.placement) else {
            print("SKIP (no PostgreSQL): differential TPC-H tests")
            return
        }
        let reference = try await Self.referenceRows(Self.onceHung, pg)
        let session = engine.makeSession()
        session.pushdownEnabled = c.pushdown
        for (sql, expected) in zip(Self.onceHung, reference) {
            await Self.compare(sql, expected: expected, ordered: Self.isOrdered(sql), session: session,
                               label: "[\(c.testDescription)]")
        }
    }

    // MARK: - PostgreSQL's rows

    /// Runs the queries in one psql session; each query's rows as tab-separated lines.
    static func referenceRows(_ queries: [String], _ pg: E2EFixture.PGDatabase) async throws -> [[String]] {
        let marker = "@@meshql-differential@@"
        var script = "\\pset null NULL\n\\pset fieldsep '\\t'\n"
        for q in queries {
            var sql = q.trimmingCharacters(in: .whitespacesAndNewlines)
            while sql.hasSuffix(";") { sql.removeLast() }
            script += "\\echo \(marker)\n\(sql);\n"
        }
        let out = try pg.server.query(script, database: pg.name)
        var parts = out.components(separatedBy: marker)
        // The text before the first marker is empty.
        parts.removeFirst()
        return parts.map { part in
            part.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }
    }

    /// Whether the query's own (outermost) ORDER BY fixes the row order: an ORDER BY after
    /// the last closing parenthesis.
    static func isOrdered(_ sql: String) -> Bool {
        let tail = sql.lastIndex(of: ")").map { String(sql[$0...]) } ?? sql
        return tail.lowercased().contains("order by")
    }

    // MARK: - Comparing

    static func compare(_ sql: String, expected: [String], ordered: Bool, session: Session, label: String) async {
        let actual: [String]
        do {
            guard case .rows(let result) = try await session.execute(sql) else {
                Issue.record("\(label): no rows result")
                return
            }
            actual = try await result.collectRows().map(RowComparison.line)
        } catch {
            Issue.record(Comment(rawValue: "\(label): meshql failed: \(error)\nSQL:\n\(sql)"))
            return
        }
        if let difference = RowComparison.difference(expected: expected, actual: actual, ordered: ordered) {
            Issue.record(Comment(rawValue: "\(label)\n\(difference)\nSQL:\n\(sql)"))
        }
    }
}
