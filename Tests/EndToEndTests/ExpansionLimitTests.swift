import Foundation
import MeshCore
import MeshEngine
import MeshPlan
import MeshTestSupport
import Testing

/// A short statement must not take the server down (the tenancy issue, problem 5): each
/// reference to a CTE or view is expanded, so one that reads the one before it twice doubles
/// per level. Past `Binder.maxReferences` the statement is refused with a positioned error,
/// where 22 levels once grew the server to 3.8 GB and 16 took 26 s.
@Suite struct ExpansionLimitTests {
    static func doublingCTEs(_ levels: Int) -> String {
        var parts = ["c0 AS (SELECT 1 AS x)"]
        for i in 1...levels { parts.append("c\(i) AS (SELECT a.x FROM c\(i - 1) a CROSS JOIN c\(i - 1) b)") }
        return "WITH " + parts.joined(separator: ", ") + " SELECT count(*) FROM c\(levels)"
    }

    static func refusal(_ s: Session, _ sql: String) async -> MeshError? {
        do {
            if case .rows(let r) = try await s.execute(sql) { _ = try await r.collectRows() }
            return nil
        } catch {
            return error as? MeshError
        }
    }

    @Test func doublingCTEsAreRefusedNotExpanded() async throws {
        let engine = try Engine(catalogPath: tempDirectory() + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        // Ten levels (1,024 references) answer.
        guard case .rows(let r) = try await s.execute(Self.doublingCTEs(10)) else { return }
        #expect(try await r.collectRows().map { $0.map(\.description) } == [["1"]])
        for levels in [14, 30, 60] {
            let e = await Self.refusal(s, Self.doublingCTEs(levels))
            #expect(e?.code == .programLimitExceeded && e?.location != nil, "\(levels) levels: \(e?.message ?? "answered")")
        }
    }

    @Test func aChainOfDoublingViewsStopsAtTheLimit() async throws {
        let (engine, _) = try await engineOverSQLite("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)",
                                                     then: ["CREATE DATA PRODUCT m.v0 AS SELECT x FROM m.t"])
        defer { engine.shutdown() }
        let s = engine.makeSession()
        var refusedAt: Int?
        for i in 1...30 {
            let e = await Self.refusal(s, "CREATE DATA PRODUCT m.v\(i) AS SELECT a.x FROM m.v\(i - 1) a CROSS JOIN m.v\(i - 1) b")
            if let e {
                #expect(e.code == .programLimitExceeded, "\(e.message)")
                refusedAt = i
                break
            }
        }
        // Reading v11 expands 6,143 references (each view and table once per path to it); v12
        // would take 12,287.
        #expect(refusedAt == 12)
        guard case .rows(let r) = try await s.execute("SELECT count(*) FROM m.v11") else { return }
        #expect(try await r.collectRows().map { $0.map(\.description) } == [["1"]])
    }
}
