import Foundation
import MeshCore
import MeshEngine
@testable import MeshLineage
import MeshREPL
import Testing

/// `meshql lineage`'s graph: a derived product joining two meshes, its bases column by
/// column, each in its mesh, and the derived product seen from a base.
@Suite struct ProductLineageTests {
    @Test func aDerivedProductAndItsBases() async throws {
        guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: [])) else { return }
        defer { engine.shutdown() }
        let session = engine.makeSession()
        for s in ["CREATE MESH analytics",
                  """
                  CREATE DATA PRODUCT analytics.customer_value AS
                  SELECT c_custkey, n_name AS nation, o_totalprice * 2 AS doubled
                  FROM crm.customer JOIN crm.nation ON c_nationkey = n_nationkey JOIN sales.orders ON o_custkey = c_custkey
                  """] {
            _ = try await session.execute(s)
        }
        let graph = try session.productLineage("analytics.customer_value")
        #expect(graph.nodes.map { "\($0.mesh) \($0.product) \($0.derived)" } == [
            "analytics analytics.customer_value true", "crm crm.customer false", "crm crm.nation false", "sales sales.orders false",
        ])
        #expect(graph.links.map { l in "\(l.from) -> \(l.to): " + l.columns.map { "\($0.from)>\($0.to)" }.sorted().joined(separator: ",") } == [
            "crm.customer -> analytics.customer_value: c_custkey>c_custkey",
            "crm.nation -> analytics.customer_value: n_name>nation",
            "sales.orders -> analytics.customer_value: o_totalprice>doubled",
        ])
        // Mermaid: a subgraph per mesh, the derived product double-edged, an arrow per base.
        let mermaid = graph.mermaid
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        for mesh in ["analytics", "crm", "sales"] { #expect(mermaid.contains("subgraph m_p_\(mesh) [\"mesh \(mesh)\"]")) }
        #expect(mermaid.contains("p_analytics_customer_value[[\"analytics.customer_value\u{00A0}★\"]]"))
        #expect(mermaid.contains("p_sales_orders -->|\"o_totalprice\u{00A0}→\u{00A0}doubled\"| p_analytics_customer_value"))
        #expect(mermaid.components(separatedBy: "subgraph").count - 1 == mermaid.components(separatedBy: "\n  end").count - 1)
        // From a base, the products derived from it.
        let fromBase = try session.productLineage("sales.orders")
        #expect(fromBase.links.map { "\($0.from) -> \($0.to)" } == ["sales.orders -> analytics.customer_value"])
        #expect(fromBase.dot.contains("\"sales.orders\" -> \"analytics.customer_value\" [label=\"o_totalprice → doubled\"];"))
        // No such product: the caller's name, no position in SQL made up for it.
        #expect(throws: MeshError.self) { try session.productLineage("analytics.nope") }
        do { _ = try session.productLineage("analytics.nope") } catch let e as MeshError { #expect(e.location == nil) }
        #expect(throws: MeshError.self) { try session.productLineage("nomesh") }
    }

    /// Issue 10's first point: a product derived over two meshes is created, listed,
    /// described and queried, and a mask on a base column still applies read through it
    /// (the base's policies are checked as the querying principal's, invoker rights).
    @Test func aDerivedProductOverTwoMeshesKeepsTheBasesMasks() async throws {
        guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: [])) else { return }
        defer { engine.shutdown() }
        let admin = engine.makeSession()
        func rows(_ s: Session, _ sql: String) async throws -> [String] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
        }
        for s in ["CREATE MESH analytics",
                  """
                  CREATE DATA PRODUCT analytics.big_orders AS
                  SELECT c_name, n_name AS nation, o_orderkey, o_totalprice FROM crm.customer
                  JOIN crm.nation ON c_nationkey = n_nationkey JOIN sales.orders ON o_custkey = c_custkey
                  WHERE o_totalprice > 1000
                  """,
                  "GRANT SELECT ON analytics.* TO ROLE analyst", "GRANT SELECT ON crm.* TO ROLE analyst",
                  "GRANT SELECT ON sales.* TO ROLE analyst",
                  "MASK crm.customer.c_name USING show_first(c_name, 3) FOR ROLE analyst"] {
            _ = try await admin.execute(s)
        }
        #expect(try await rows(admin, "SHOW DATA PRODUCTS IN analytics").contains { $0.hasPrefix("analytics|big_orders|view|4") })
        #expect(try await rows(admin, "DESCRIBE analytics.big_orders").map { $0.split(separator: "|")[0] }
                == ["c_name", "nation", "o_orderkey", "o_totalprice"])
        let full = try await rows(admin, "SELECT c_name, nation FROM analytics.big_orders ORDER BY o_orderkey LIMIT 20")
        #expect(full.count == 20)

        let ann = engine.makeSession()
        ann.principal = Principal(user: "ann@acme.test", roles: ["analyst"])
        let masked = try await rows(ann, "SELECT c_name, nation FROM analytics.big_orders ORDER BY o_orderkey LIMIT 20")
        #expect(masked.count == full.count)
        for (m, f) in zip(masked, full) {
            let (mName, fName) = (String(m.split(separator: "|")[0]), String(f.split(separator: "|")[0]))
            #expect(mName != fName && mName.hasPrefix(String(fName.prefix(3))), "\(mName) for \(fName)")
        }
        // Lineage through the derived product names the base column, masked.
        #expect(try #require(ann.lastLineage).fields[0].inputs.map { "\($0.source.description) \($0.masked)" }
                == ["crm.customer.c_name true"])
        // A base others derive from is not dropped from under them.
        do {
            _ = try await admin.execute("DROP DATA PRODUCT crm.nation")
            Issue.record("dropped a base of a derived product")
        } catch let e as MeshError {
            #expect(e.message.contains("analytics.big_orders"))
        }

        // The queries that read it lately: the derived product is named in them (not only
        // its bases); ann sees her own, the local superuser everyone's.
        let seenByAnn = try ann.productLineage("analytics.big_orders", recentQueries: 10).recentQueries
        #expect(seenByAnn.map(\.principal) == ["ann@acme.test"])
        #expect(seenByAnn[0].products.first == "analytics.big_orders")
        #expect(seenByAnn[0].statement.contains("FROM analytics.big_orders"))
        let seenByAdmin = try admin.productLineage("crm.customer", recentQueries: 10).recentQueries
        #expect(Set(seenByAdmin.map(\.principal)) == ["ann@acme.test", "meshql"])
        #expect(try ann.queryHistory(user: "meshql").allSatisfy { $0.principal == "ann@acme.test" }, "only her own")
        #expect(try admin.queryHistory(user: "ann@acme.test", limit: 1).count == 1)
        // The shell's \lineage and \history.
        let shell = SessionBackend(session: ann)
        guard case .message(let graph) = try await shell.metaCommand("lineage", argument: "analytics.big_orders") else {
            Issue.record("no graph"); return
        }
        #expect(graph.hasPrefix("analytics.big_orders (derived, mesh analytics)"))
        #expect(graph.contains("crm.customer (mesh crm): c_name → c_name"))
        #expect(graph.contains("ann@acme.test  20 rows"))
        guard case .message(let history) = try await shell.metaCommand("history", argument: "5") else {
            Issue.record("no history"); return
        }
        #expect(history.split(separator: "\n").count == 1 && history.contains("ann@acme.test") && !history.contains("meshql "), "\(history)")
        await #expect(throws: MeshError.self) { _ = try await shell.metaCommand("history", argument: "lots") }
        await #expect(throws: MeshError.self) { _ = try await shell.metaCommand("lineage", argument: "") }

        // Principals without a user are logged alike: none has a history to see.
        let nobody = engine.makeSession()
        nobody.principal = Principal(user: "", roles: ["analyst"])
        #expect(throws: MeshError.self) { try nobody.queryHistory() }
        #expect(try nobody.productLineage("analytics.big_orders", recentQueries: 10).recentQueries.isEmpty)
        // EXPLAIN ran nothing: no lineage for its answer.
        _ = try await rows(admin, "EXPLAIN SELECT c_name FROM analytics.big_orders")
        #expect(admin.lastLineage == nil)
        // Names fold to lower case as in SQL; anything but mesh.product is refused.
        #expect(try admin.productLineage("Analytics.Big_Orders").product == "analytics.big_orders")
        #expect(throws: MeshError.self) { try admin.productLineage("analytics.big_orders; x") }

        // CASCADE drops the base and what is derived from it.
        _ = try await admin.execute("DROP DATA PRODUCT crm.nation CASCADE")
        #expect(try await rows(admin, "SHOW DATA PRODUCTS IN analytics").isEmpty)
    }
}
