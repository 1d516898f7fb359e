import Foundation
import MeshCore
import MeshEngine
@testable import MeshLineage
import MeshTestSupport
import Testing

/// Policies cost no pushdown where nothing can leak (Done-when 5 of the policies issue): with
/// a FILTER and a MASK on lineitem, TPC-H q01 and q06 still go to PostgreSQL as one query,
/// the policy's condition inside it.
@Suite struct PolicyPushdownTests {
    static let policies = [
        "GRANT SELECT ON sales.* TO ROLE analyst, ROLE steward",
        "FILTER sales.lineitem USING l_shipmode <> 'REG AIR' OR has_role('steward') FOR PUBLIC",
        "MASK sales.lineitem.l_comment USING redact() FOR PUBLIC EXCEPT ROLE steward",
    ]

    func text(_ s: Session, _ sql: String) async throws -> [String] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
    }

    @Test func q01AndQ06GoDownWholeWithThePolicyInside() async throws {
        guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: ["sales"])) else { return }
        defer { engine.shutdown() }
        let admin = engine.makeSession()
        for p in Self.policies { _ = try await admin.execute(p) }
        let analyst = engine.makeSession()
        analyst.principal = Principal(user: "ann@acme.test", roles: ["analyst"])
        // An org admin who is also an analyst: the same policies apply, and EXPLAIN shows
        // them in full (the analyst alone sees their ids only).
        let manager = engine.makeSession()
        manager.principal = Principal(user: "root@acme.test", roles: ["admin", "analyst"])
        let queries = Dictionary(uniqueKeysWithValues: try TPCHFixture.queries().map { ($0.name, $0.sql) })
        for name in ["q01", "q06"] {
            let hidden = try await text(analyst, "EXPLAIN " + queries[name]!)
            #expect(hidden.filter { $0.contains("Remote [") }.count == 1)
            #expect(!hidden.contains { $0.contains("REG AIR") || $0.contains("l_shipmode") || $0.contains("est. rows") })
            let plan = try await text(manager, "EXPLAIN " + queries[name]!)
            #expect(plan.first?.hasPrefix("Remote [sales_src, postgres] reads sales.lineitem under policies sales#1, sales#2, sales#3") == true,
                    "\(plan.joined(separator: "\n"))")
            #expect(plan.filter { $0.contains("Remote [") }.count == 1)
            #expect(plan.contains { $0.contains("SQL:") && $0.contains("\"l_shipmode\" <>") })
            #expect(plan.contains { $0.contains("Params:") && $0.contains("'REG AIR'") })
        }
        // What the analyst gets is q06 over the rows the filter keeps.
        let q06 = try await text(analyst, queries["q06"]!)
        let expected = try await text(admin, queries["q06"]!.replacingOccurrences(of: "l_quantity < 24", with: "l_quantity < 24 AND l_shipmode <> 'REG AIR'"))
        #expect(q06 == expected)
        #expect(try await text(analyst, "SELECT DISTINCT l_comment FROM sales.lineitem") == ["****"])
    }
}
