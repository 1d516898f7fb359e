import Foundation
import MeshCore
import MeshEngine
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
        // Mermaid: a subgraph per mesh, the derived product rounded, an arrow per base.
        let mermaid = graph.mermaid
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        for mesh in ["analytics", "crm", "sales"] { #expect(mermaid.contains("subgraph m_p_\(mesh) [\"mesh \(mesh)\"]")) }
        #expect(mermaid.contains("p_analytics_customer_value(\"analytics.customer_value ★\")"))
        #expect(mermaid.contains("p_sales_orders -->|\"o_totalprice → doubled\"| p_analytics_customer_value"))
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
}
