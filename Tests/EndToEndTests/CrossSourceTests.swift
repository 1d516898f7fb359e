import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// Queries that join, filter, group and order across a PostgreSQL product and a SQLite
/// product (registered with CREATE MESH / CREATE CONNECTOR / IMPORT DATA PRODUCTS) return
/// exactly the rows PostgreSQL returns for the same SQL over copies of both tables in one
/// database (schemas `shop` and `crm`, named like the meshes).
@Suite("Cross-source correctness")
struct CrossSourceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var placement: E2EFixture.Placement
        var pushdown: Bool
        var testDescription: String { "\(placement), pushdown \(pushdown ? "on" : "off")" }
    }

    static let cases: [Case] = [
        E2EFixture.Placement(shop: .postgres, crm: .sqlite), E2EFixture.Placement(shop: .sqlite, crm: .postgres),
    ].flatMap { p in [Case(placement: p, pushdown: true), Case(placement: p, pushdown: false)] }

    /// Every query has a total ORDER BY, so rows compare one by one.
    static let queries: [String] = [
        // Inner joins across the sources, a filter on each side, decimal sums of a product
        // and of a column, grouped and ordered.
        """
        SELECT c.country, COUNT(*) AS lines, SUM(l.qty * l.unit_price) AS gross,
               SUM(COALESCE(l.discount, 0.00)) AS discounts, MIN(o.ordered_on) AS first_order
        FROM shop.orders o
        JOIN shop.order_lines l ON l.order_id = o.order_id
        JOIN crm.customers c ON c.customer_id = o.customer_id
        WHERE o.status <> 'cancelled' AND c.balance >= 0
        GROUP BY c.country
        ORDER BY c.country NULLS FIRST
        """,
        // LEFT JOIN from the SQLite/PostgreSQL customers to the other source's orders:
        // customers without orders keep NULL sums; HAVING on a count.
        """
        SELECT c.customer_id, c.full_name, COUNT(o.order_id) AS orders,
               SUM(o.shipping) AS shipping, MAX(o.ordered_on) AS last_order
        FROM crm.customers c
        LEFT JOIN shop.orders o ON o.customer_id = c.customer_id AND o.status = 'delivered'
        WHERE c.created_on < DATE '2022-06-01'
        GROUP BY c.customer_id, c.full_name
        HAVING COUNT(o.order_id) <= 3
        ORDER BY c.customer_id
        """,
        // Three products, two sources: revenue per region and category, a decimal
        // expression mixing both sources' decimals, ordered by a sum with a tie-breaker.
        """
        SELECT k.region, p.category, SUM(l.qty * p.price) AS list_value,
               SUM(l.qty * l.unit_price) - SUM(c.balance) AS mixed,
               CAST(AVG(l.unit_price) AS DECIMAL(10,2)) AS avg_price, COUNT(DISTINCT c.customer_id) AS buyers
        FROM shop.order_lines l
        JOIN shop.products p ON p.product_id = l.product_id
        JOIN shop.orders o ON o.order_id = l.order_id
        JOIN crm.customers c ON c.customer_id = o.customer_id
        JOIN crm.countries k ON k.code = c.country
        WHERE p.category IS NOT NULL AND o.ordered_on BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'
        GROUP BY k.region, p.category
        ORDER BY list_value DESC, k.region, p.category
        """,
        // LEFT JOIN the other way round, without grouping: unmatched orders (guests and
        // unknown customers) come back with NULL customer columns; ORDER BY with LIMIT.
        """
        SELECT o.order_id, o.customer_id, c.full_name, c.vip, o.shipping + c.balance AS total
        FROM shop.orders o
        LEFT JOIN crm.customers c ON c.customer_id = o.customer_id
        WHERE o.order_id BETWEEN 5 AND 45
        ORDER BY o.order_id
        LIMIT 30
        """,
        // A conjunct SQLite cannot evaluate (division) beside one it can: the second goes
        // down, the first runs here (see `partialPushdownShowsTheLocalPiece`).
        partialPushdownQuery,
    ]

    static let partialPushdownQuery = """
        SELECT c.customer_id, c.full_name, SUM(o.shipping) AS shipping
        FROM crm.customers c JOIN shop.orders o ON o.customer_id = c.customer_id
        WHERE c.balance / 2 > 10 AND c.created_on < DATE '2023-01-01'
        GROUP BY c.customer_id, c.full_name
        ORDER BY c.customer_id
        """

    @Test func partialPushdownShowsTheLocalPiece() async throws {
        guard try await E2EFixture.postgres() != nil,
              let engine = try await E2EFixture.engine(E2EFixture.Placement(shop: .postgres, crm: .sqlite)) else {
            print("SKIP (no PostgreSQL): cross-source tests")
            return
        }
        guard case .rows(let result) = try await engine.makeSession().execute("EXPLAIN " + Self.partialPushdownQuery) else {
            Issue.record("EXPLAIN returned no rows")
            return
        }
        let lines = try await result.collectRows().map { $0.map(\.description).joined() }
        let plan = lines.joined(separator: "\n")
        // The division stays here, in a filter right above the SQLite fragment…
        let filter = try #require(lines.firstIndex { $0.contains("Filter: ((balance / 2) > 10") }, "\(plan)")
        #expect(lines.count > filter + 2 && lines[filter + 1].contains("Remote [") && lines[filter + 1].contains("sqlite"), "\(plan)")
        // …and the date condition went down with the fragment.
        #expect(lines[filter + 2].contains("WHERE") && lines[filter + 2].contains("created_on"), "\(plan)")
        #expect(!lines[filter + 2].contains("/"), "\(plan)")
    }

    @Test(arguments: cases)
    func matchesPostgreSQL(_ c: Case) async throws {
        guard let pg = try await E2EFixture.postgres(),
              let engine = try await E2EFixture.engine(c.placement) else {
            print("SKIP (no PostgreSQL): cross-source tests")
            return
        }
        let session = engine.makeSession()
        session.pushdownEnabled = c.pushdown
        for (n, sql) in Self.queries.enumerated() {
            // psql prints unaligned rows joined by '|', NULL as set here, t/f, numerics with
            // their scale, ISO dates: the same spelling as Value.description.
            let reference = try pg.server.query("\\pset null NULL\n" + sql + ";", database: pg.name)
            let expected = reference.isEmpty ? [] : reference.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard case .rows(let result) = try await session.execute(sql) else {
                Issue.record("query \(n + 1) returned no rows result")
                continue
            }
            let actual = try await result.collectRows().map { row in
                row.map { $0.isNull ? "NULL" : $0.description }.joined(separator: "|")
            }
            #expect(!expected.isEmpty, "query \(n + 1) returns no rows in PostgreSQL; the test would prove little")
            if actual != expected {
                Issue.record(Comment(rawValue: "query \(n + 1) [\(c.testDescription)]\n"
                    + SLTRunner.describeRowDifference(expected: expected, actual: actual) + "\nSQL:\n\(sql)"))
            }
        }
    }
}
