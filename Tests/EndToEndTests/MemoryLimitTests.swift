import Foundation
import MeshCore
import MeshEngine
import Testing

/// A query that needs more memory than its budget stops with a clear error (SQLSTATE 53200)
/// and the session goes on; `SET memory_limit` changes the budget; a nested loop over large
/// inputs streams in bounded windows instead of holding every pair.
@Suite("Memory limit")
struct MemoryLimitTests {
    func session() async throws -> Session {
        let engine = try #require(try await E2EFixture.engine(.init(shop: .sqlite, crm: .sqlite)))
        let s = engine.makeSession()
        s.pushdownEnabled = false
        return s
    }

    @Test func hashJoinBuildPastTheLimitStopsTheQuery() async throws {
        let s = try await session()
        _ = try await s.execute("SET memory_limit = '4kB'")
        let sql = "SELECT count(*) FROM shop.orders o JOIN shop.order_lines l ON l.order_id = o.order_id"
        do {
            guard case .rows(let r) = try await s.execute(sql) else { Issue.record("no rows"); return }
            _ = try await r.collectRows()
            Issue.record("the query ran within 4 kB")
        } catch let e as MeshError {
            #expect(e.code == .outOfMemory)
            #expect(e.sqlState == "53200")
            #expect(e.message.contains("limit of 4 kB"))
        }
        // The session is fine, and a larger budget lets the same query through.
        _ = try await s.execute("SET memory_limit = '64MB'")
        guard case .rows(let r) = try await s.execute(sql) else { Issue.record("no rows"); return }
        #expect(try await r.collectRows().count == 1)
    }

    @Test func sortAndAggregateCountToo() async throws {
        let s = try await session()
        s.memoryLimit = 2048
        for sql in ["SELECT * FROM crm.customers ORDER BY full_name", "SELECT email, count(*) FROM crm.customers GROUP BY email"] {
            await #expect(throws: MeshError.self) {
                guard case .rows(let r) = try await s.execute(sql) else { return }
                _ = try await r.collectRows()
            }
        }
    }

    @Test func badSettingsAreRefused() async throws {
        let s = try await session()
        await #expect(throws: MeshError.self) { _ = try await s.execute("SET memory_limit = 'lots'") }
        await #expect(throws: MeshError.self) { _ = try await s.execute("SET memory_limit = '-5MB'") }
        #expect(s.memoryLimit == 2 << 30)
    }

    @Test func crossJoinStreamsInWindows() async throws {
        // 48 x 40 x 46 candidate pairs, almost none kept: the nested loop takes them a window
        // at a time, so even a tiny budget is enough (nothing is held but the build side).
        let s = try await session()
        let sql = """
            SELECT count(*) FROM shop.order_lines l, crm.customers c, shop.orders o
            WHERE l.qty * c.customer_id = o.order_id + 1000
            """
        func count() async throws -> [[String]] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description) }
        }
        let unlimited = try await count()
        s.memoryLimit = 64 << 10
        #expect(try await count() == unlimited)
        #expect(unlimited.count == 1)
    }
}
