import Testing
@testable import MeshSQL

@Suite struct RoundTripTests {
    @Test func allTPCHQueriesAreThere() {
        #expect(TPCHQueries.queries.count == 22)
    }

    @Test(arguments: TPCHQueries.queries)
    func tpchQueriesRoundTrip(_ query: (name: String, sql: String)) throws {
        try checkQueryRoundTrip(query.sql)
        let statements = try Parser.parseStatements(query.sql)
        #expect(statements.count == 1)
    }

    /// TPC-H as usually written, with intervals, extract and substring.
    static let classicForms = [
        "SELECT l_returnflag, sum(l_quantity) FROM lineitem WHERE l_shipdate <= date '1998-12-01' - interval '90' day GROUP BY l_returnflag",
        "SELECT o_orderpriority, count(*) AS order_count FROM orders WHERE o_orderdate >= date '1993-07-01' AND o_orderdate < date '1993-07-01' + interval '3' month AND exists (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate) GROUP BY o_orderpriority ORDER BY o_orderpriority",
        "SELECT extract(year FROM l_shipdate) AS l_year FROM lineitem",
        "SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode FROM customer WHERE substring(c_phone FROM 1 FOR 2) IN ('13', '31')",
        "SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END) / sum(l_extendedprice * (1 - l_discount)) AS promo_revenue FROM lineitem, part WHERE l_partkey = p_partkey",
    ]

    static let broad = [
        "SELECT 1", "SELECT DISTINCT a, b AS \"B\" FROM t",
        "SELECT x > ALL (SELECT a FROM t), x = ANY (SELECT a FROM t) FROM u WHERE x IS NULL = TRUE", "SELECT t.*, * FROM t", "SELECT a FROM m.p AS x (a)",
        "SELECT * FROM a LEFT JOIN b USING (id) RIGHT OUTER JOIN c ON b.id = c.id FULL JOIN d ON true CROSS JOIN e",
        "SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x",
        "SELECT * FROM (SELECT a FROM t) s (x) WHERE x > 0",
        "WITH r AS (SELECT 1 AS a), s (b) AS (SELECT 2) SELECT * FROM r, s",
        "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3", "SELECT 1 UNION (SELECT 2 UNION SELECT 3)",
        "SELECT 1 INTERSECT SELECT 2 UNION SELECT 3 INTERSECT ALL SELECT 4", "SELECT 1 EXCEPT SELECT 2 INTERSECT SELECT 3",
        "(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL (SELECT 2) ORDER BY 1 DESC NULLS FIRST LIMIT 5 OFFSET 1",
        "((SELECT 1))", "SELECT a FROM t ORDER BY a ASC NULLS LAST, b DESC FETCH FIRST 10 ROWS ONLY",
        "SELECT a, count(*) FILTER (WHERE b > 0), sum(DISTINCT c) FROM t GROUP BY 1 HAVING count(*) > 1",
        "SELECT rank() OVER (PARTITION BY a ORDER BY b DESC), lag(x, 1) OVER (ORDER BY y) FROM t",
        "SELECT string_agg(name, ', ' ORDER BY name) FROM t",
        "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE u.c = t.c) AND NOT EXISTS (SELECT 1 FROM v)",
        "SELECT (SELECT max(x) FROM u) + 1 AS m FROM t",
        "SELECT CASE a WHEN 1 THEN 'one' ELSE 'many' END, CAST(b AS varchar(10)), c::numeric(10,2) FROM t",
        "SELECT trim(LEADING 'x' FROM s), position('a' IN s), s || 'x', NULL, TRUE, -1, +2 FROM t",
        "SELECT current_date, current_timestamp, now(), current_user, has_role('analyst') FROM t",
        "SELECT * FROM t WHERE a BETWEEN 1 AND 10 AND b NOT LIKE 'x%' AND c ILIKE 'y' AND d IS NOT NULL AND e IS DISTINCT FROM f",
        "SELECT \"Mixed\".\"Col\", \"select\" FROM \"Mixed\" WHERE \"where\" = 1",
        "SELECT a FROM t WHERE b = $1 LIMIT $2",
        "SELECT date, \"time\", interval FROM t",
        "SELECT x FROM t WHERE ts >= timestamp '2024-01-01 00:00:00' AND d < DATE '2024-02-01' - INTERVAL '1' DAY",
    ]

    @Test(arguments: classicForms + broad)
    func queriesRoundTrip(_ sql: String) throws {
        try checkQueryRoundTrip(sql)
    }

    @Test func printedFormIsCanonical() throws {
        #expect(try checkQueryRoundTrip("select a+b*c as x from T where not a or b") ==
            "SELECT (a + (b * c)) AS x FROM t WHERE ((NOT a) OR b)")
        #expect(try checkQueryRoundTrip("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3") ==
            "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3")
        #expect(try checkQueryRoundTrip("SELECT * FROM t t1 JOIN u ON t1.a = u.a") ==
            "SELECT * FROM t AS t1 JOIN u ON (t1.a = u.a)")
    }

    @Test func statementsPrint() throws {
        #expect(SQLPrinter.print(try Parser.parseStatement("create mesh s with (Name = 'S')")) ==
            "CREATE MESH s WITH (name = 'S')")
        #expect(SQLPrinter.print(try Parser.parseStatement("alter connector c options (add k 'v', drop z)")) ==
            "ALTER CONNECTOR c OPTIONS (SET k 'v', DROP z)")
        try checkStatementRoundTrip("CREATE CONNECTOR c FOR MESH m TYPE sqlite OPTIONS (path 'domains/crm.db')")
        try checkStatementRoundTrip("CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn 'host=h') NO CHECK")
        try checkStatementRoundTrip("EXPLAIN ANALYZE SELECT * FROM t")
        try checkStatementRoundTrip("CREATE DATA PRODUCT m.v WITH (owner = 'o') AS SELECT a FROM m.t WHERE b > 1")
        #expect(SQLPrinter.print(try Parser.parseStatement("create hash domain if not exists Refs for meshes a,b")) ==
            "CREATE HASH DOMAIN IF NOT EXISTS refs FOR MESH a, b")
        try checkStatementRoundTrip("ALTER HASH DOMAIN refs SET MESH a")
        try checkStatementRoundTrip("DROP HASH DOMAIN IF EXISTS refs")
        try checkStatementRoundTrip("SHOW HASH DOMAINS")
    }
}
