import Foundation
import MeshCore
import MeshEngine
import MeshPlan
import Testing

/// The column lineage of TPC-H q01, q03 and q09 names exactly the product columns that feed
/// each output column, and how.
@Suite struct ColumnLineageTPCHTests {
    func lineage(_ name: String) async throws -> ColumnLineage? {
        guard let engine = try await TPCHFixture.engine(.init(inPostgres: [])) else { return nil }
        let sql = try #require(try TPCHFixture.queries().first { $0.name == name }).sql
        let session = engine.makeSession()
        _ = try await session.execute("EXPLAIN " + sql)
        return session.lastLineage
    }

    /// Output column → "product.column SUBTYPE" of its direct inputs, sorted.
    func fields(_ l: ColumnLineage) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for f in l.fields { out[f.name] = f.inputs.map { "\($0.source.description) \($0.subtype.rawValue)" } }
        return out
    }

    func dataset(_ l: ColumnLineage) -> [String] {
        l.dataset.map { "\($0.source.description) \($0.subtype.rawValue)" }.sorted()
    }

    @Test func q01() async throws {
        guard let l = try await lineage("q01") else { return }
        let li = "sales.lineitem."
        #expect(l.fields.map(\.name) == ["l_returnflag", "l_linestatus", "sum_qty", "sum_base_price", "sum_disc_price",
                                         "sum_charge", "avg_qty", "avg_price", "avg_disc", "count_order"])
        #expect(fields(l) == [
            "l_returnflag": [li + "l_returnflag IDENTITY"],
            "l_linestatus": [li + "l_linestatus IDENTITY"],
            "sum_qty": [li + "l_quantity AGGREGATION"],
            "sum_base_price": [li + "l_extendedprice AGGREGATION"],
            "sum_disc_price": [li + "l_discount AGGREGATION", li + "l_extendedprice AGGREGATION"],
            "sum_charge": [li + "l_discount AGGREGATION", li + "l_extendedprice AGGREGATION", li + "l_tax AGGREGATION"],
            "avg_qty": [li + "l_quantity AGGREGATION"],
            "avg_price": [li + "l_extendedprice AGGREGATION"],
            "avg_disc": [li + "l_discount AGGREGATION"],
            "count_order": [],
        ])
        #expect(dataset(l) == [li + "l_linestatus GROUP_BY", li + "l_linestatus SORT", li + "l_returnflag GROUP_BY",
                               li + "l_returnflag SORT", li + "l_shipdate FILTER"])
    }

    @Test func q03() async throws {
        guard let l = try await lineage("q03") else { return }
        #expect(fields(l) == [
            "l_orderkey": ["sales.lineitem.l_orderkey IDENTITY"],
            "revenue": ["sales.lineitem.l_discount AGGREGATION", "sales.lineitem.l_extendedprice AGGREGATION"],
            "o_orderdate": ["sales.orders.o_orderdate IDENTITY"],
            "o_shippriority": ["sales.orders.o_shippriority IDENTITY"],
        ])
        // The WHERE's equalities between products are its joins.
        #expect(dataset(l) == [
            "crm.customer.c_custkey JOIN", "crm.customer.c_mktsegment FILTER",
            "sales.lineitem.l_discount SORT", "sales.lineitem.l_extendedprice SORT",
            "sales.lineitem.l_orderkey GROUP_BY", "sales.lineitem.l_orderkey JOIN", "sales.lineitem.l_shipdate FILTER",
            "sales.orders.o_custkey JOIN", "sales.orders.o_orderdate FILTER", "sales.orders.o_orderdate GROUP_BY",
            "sales.orders.o_orderdate SORT", "sales.orders.o_orderkey JOIN", "sales.orders.o_shippriority GROUP_BY",
        ])
    }

    @Test func q09() async throws {
        guard let l = try await lineage("q09") else { return }
        #expect(fields(l) == [
            "nation": ["crm.nation.n_name IDENTITY"],
            "o_year": ["sales.orders.o_orderdate TRANSFORMATION"],
            "sum_profit": ["sales.lineitem.l_discount AGGREGATION", "sales.lineitem.l_extendedprice AGGREGATION",
                           "sales.lineitem.l_quantity AGGREGATION", "supply.partsupp.ps_supplycost AGGREGATION"],
        ])
        let joins = dataset(l).filter { $0.hasSuffix(" JOIN") }
        #expect(joins == [
            "crm.nation.n_nationkey JOIN", "sales.lineitem.l_orderkey JOIN", "sales.lineitem.l_partkey JOIN",
            "sales.lineitem.l_suppkey JOIN", "sales.orders.o_orderkey JOIN", "supply.part.p_partkey JOIN",
            "supply.partsupp.ps_partkey JOIN", "supply.partsupp.ps_suppkey JOIN", "supply.supplier.s_nationkey JOIN",
            "supply.supplier.s_suppkey JOIN",
        ])
        #expect(dataset(l).contains("supply.part.p_name FILTER"))
    }
}
