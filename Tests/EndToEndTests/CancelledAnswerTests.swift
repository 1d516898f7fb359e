import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// A cancelled query never answers: `DELETE /api/query/{id}` or a statement timeout during an
/// aggregate closed its scans, which then ended early, and the aggregate's count of what it had
/// seen came back as the answer (HTTP 200, 2,620,080,000 rows counted of 6,400,000,000).
@Suite struct CancelledAnswerTests {
    @Test(.timeLimit(.minutes(5))) func aCancelledAggregateThrowsInsteadOfAPartialCount() async throws {
        let (engine, _) = try await engineOverSQLite("""
            CREATE TABLE t (k INTEGER);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO t SELECT i FROM n;
            """)
        defer { engine.shutdown() }
        let s = engine.makeSession()
        // 400 million pairs, counted here (pushdown off): minutes, cancelled after a moment.
        s.pushdownEnabled = false
        guard case .rows(let result) = try await s.execute("SELECT count(*) FROM m.t a CROSS JOIN m.t b WHERE a.k + b.k > 0")
        else { Issue.record("no rows"); return }
        let canceller = Task {
            try await Task.sleep(for: .milliseconds(300))
            result.cancel()
        }
        defer { canceller.cancel() }
        do {
            let rows = try await result.collectRows()
            Issue.record("a cancelled query answered \(rows)")
        } catch let e as MeshError {
            #expect(e.code == .cancelled, "\(e.message)")
        }
    }
}
