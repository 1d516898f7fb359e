import Foundation
import MeshCore
import MeshEngine
import Testing

/// An aggregate over a join without equality keys groups each side first and weighs the
/// pairs of groups by their counts (`eager_aggregation`). The answers must be PostgreSQL's
/// for every aggregate the rule splits, with and without GROUP BY, over no rows and over many,
/// in every placement, with pushdown on and off.
@Suite("Eager aggregation")
struct EagerAggregationTests {
    static let queries = [
        // No pair qualifies: count(*) is 0, not NULL; the sums are NULL.
        "SELECT count(*), sum(l_quantity), max(ps_availqty) FROM sales.lineitem, supply.partsupp WHERE l_quantity * ps_availqty = -1",
        // Every splittable aggregate, reading either side; count over a nullable expression.
        """
        SELECT count(*), count(CASE WHEN l_quantity > 25 THEN l_tax END), sum(l_quantity), sum(ps_availqty),
               min(ps_supplycost), max(l_shipdate), bool_or(l_quantity > 49), bool_and(ps_availqty > 0)
        FROM sales.lineitem, supply.partsupp WHERE l_linenumber + ps_suppkey % 7 = 5
        """,
        // GROUP BY keys from both sides, one of them an expression over a side.
        """
        SELECT l_linenumber, ps_suppkey % 3 AS g, count(*), sum(l_extendedprice), min(ps_comment)
        FROM sales.lineitem, supply.partsupp WHERE l_linenumber < ps_suppkey % 5
        GROUP BY l_linenumber, ps_suppkey % 3 ORDER BY 1, 2
        """,
        // One side empty after its filter and read by no condition: no pairs at all, so sums
        // and extremes are NULL and a GROUP BY has no groups.
        "SELECT count(*), sum(o_totalprice), max(o_totalprice) FROM sales.orders, sales.lineitem WHERE l_comment NOT LIKE '%'",
        "SELECT o_orderstatus, max(o_totalprice) FROM sales.orders, sales.lineitem WHERE l_comment NOT LIKE '%' GROUP BY 1",
        // A plain cross join inside one source, and a GROUP BY over both sides' columns.
        "SELECT count(*), sum(o_totalprice) FROM sales.orders, sales.lineitem",
        """
        SELECT o_orderstatus || l_returnflag AS k, count(*) FROM sales.orders, sales.lineitem
        WHERE o_orderkey % 10 > l_orderkey % 10 GROUP BY o_orderstatus || l_returnflag ORDER BY k
        """,
    ]

    /// The time limit only guards against a hang, as DifferentialTests' do.
    @Test(.timeLimit(.minutes(10)), arguments: DifferentialTests.tpchCases)
    func answersMatchPostgres(_ c: DifferentialTests.TPCHCase) async throws {
        guard let pg = try await TPCHFixture.postgres(), let engine = try await TPCHFixture.engine(c.placement) else {
            print("SKIP (no PostgreSQL): eager aggregation tests")
            return
        }
        let session = engine.makeSession()
        session.pushdownEnabled = c.pushdown
        let reference = try await DifferentialTests.referenceRows(Self.queries, pg)
        for (sql, expected) in zip(Self.queries, reference) {
            guard case .rows(let explain) = try await session.execute("EXPLAIN " + sql) else { Issue.record("no plan"); return }
            let plan = try await explain.collectRows().map { $0[0].description }.joined(separator: "\n")
            #expect(plan.contains("eager_aggregation"), "the rule did not fire:\n\(plan)")
            await DifferentialTests.compare(sql, expected: expected, ordered: DifferentialTests.isOrdered(sql),
                                            session: session, label: "\(sql) [\(c.testDescription)]")
        }
    }

    /// Aggregates that do not split exactly leave the plan alone: avg, DISTINCT, FILTER, a
    /// float sum, an argument reading both sides; and a join with an equality key.
    @Test func unsplittableAggregatesAreLeftAlone() async throws {
        guard let engine = try await TPCHFixture.engine(.init(inPostgres: [])) else { return }
        let session = engine.makeSession()
        let from = "FROM sales.lineitem, supply.partsupp WHERE l_linenumber < ps_suppkey % 5"
        for select in ["avg(l_quantity)", "count(DISTINCT l_quantity)", "count(*) FILTER (WHERE l_tax > 0)",
                       "sum(CAST(l_quantity AS double precision))", "sum(l_quantity * ps_availqty)"] {
            guard case .rows(let explain) = try await session.execute("EXPLAIN SELECT \(select) \(from)") else { return }
            let plan = try await explain.collectRows().map { $0[0].description }.joined(separator: "\n")
            #expect(!plan.contains("eager_aggregation"), "\(select):\n\(plan)")
        }
        let keyed = "EXPLAIN SELECT count(*) FROM sales.lineitem, supply.partsupp WHERE l_suppkey = ps_suppkey"
        guard case .rows(let explain) = try await session.execute(keyed) else { return }
        #expect(!(try await explain.collectRows().map { $0[0].description }.joined().contains("eager_aggregation")))
    }
}
