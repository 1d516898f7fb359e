import Testing
@testable import MeshSQL

@Suite struct CatalogParserTests {
    private func parse(_ sql: String) throws -> Statement { try checkStatementRoundTrip(sql) }
    private func opts(_ pairs: KeyValuePairs<String, String>) -> [OptionItem] {
        pairs.map { OptionItem(key: $0.key, value: $0.value) }
    }

    @Test func meshes() throws {
        #expect(try parse("""
            CREATE MESH sales_analytics
              WITH (name = 'Sales Analytics', label = 'SAL', owner = 'sales-lead@acme.com', size = 8, flag = on);
            """) == .createMesh(name: "sales_analytics", options: opts(["name": "Sales Analytics", "label": "SAL",
                "owner": "sales-lead@acme.com", "size": "8", "flag": "on"]), ifNotExists: false))
        #expect(try parse("create mesh if not exists Sales") == .createMesh(name: "sales", options: [], ifNotExists: true))
        #expect(try parse("ALTER MESH s SET (description = 'x')") == .alterMesh(name: "s", set: opts(["description": "x"])))
        #expect(try parse("DROP MESH s") == .dropMesh(name: "s", ifExists: false, cascade: false))
        #expect(try parse("DROP MESH IF EXISTS s CASCADE") == .dropMesh(name: "s", ifExists: true, cascade: true))
    }

    @Test func connectors() throws {
        #expect(try parse("""
            CREATE CONNECTOR sales_pg FOR MESH sales_analytics
              TYPE postgres OPTIONS (dsn 'host=db dbname=sales', pool_size '8')
            """) == .createConnector(name: "sales_pg", mesh: "sales_analytics", type: "postgres",
                options: opts(["dsn": "host=db dbname=sales", "pool_size": "8"]), ifNotExists: false))
        #expect(try parse("ALTER CONNECTOR c OPTIONS (SET pool_size '4', ADD path 'x.db', DROP dsn)")
            == .alterConnector(name: "c", set: opts(["pool_size": "4", "path": "x.db"]), drop: ["dsn"]))
        #expect(try parse("DROP CONNECTOR IF EXISTS c") == .dropConnector(name: "c", ifExists: true))
        #expect(try parse("DROP CONNECTOR c") == .dropConnector(name: "c", ifExists: false))
        #expect(try parse("TEST CONNECTOR sales_pg") == .testConnector(name: "sales_pg"))
    }

    @Test func dataProducts() throws {
        #expect(try parse("""
            CREATE DATA PRODUCT sales_analytics.orders FROM sales_pg.public.orders
              WITH (description = 'Orders', freshness = '1 hour')
            """) == .createProduct(name: QualifiedName(["sales_analytics", "orders"]),
                source: QualifiedName(["sales_pg", "public", "orders"]),
                options: opts(["description": "Orders", "freshness": "1 hour"]), ifNotExists: false))
        #expect(try parse("CREATE DATA PRODUCT m.p FROM c.t") == .createProduct(name: QualifiedName(["m", "p"]),
            source: QualifiedName(["c", "t"]), options: [], ifNotExists: false))
        #expect(try parse("IMPORT DATA PRODUCTS FROM CONNECTOR sales_pg") ==
            .importProducts(connector: "sales_pg", schema: nil, limitTo: []))
        #expect(try parse("IMPORT DATA PRODUCTS FROM CONNECTOR sales_pg SCHEMA public LIMIT TO (orders, items)") ==
            .importProducts(connector: "sales_pg", schema: "public", limitTo: ["orders", "items"]))
        #expect(try parse("ALTER DATA PRODUCT s.orders ALTER COLUMN email SET TAGS ('pii', 'contact')") ==
            .alterProductColumnTags(product: QualifiedName(["s", "orders"]), column: "email", tags: ["pii", "contact"]))
        #expect(try parse("REFRESH DATA PRODUCT s.orders") == .refreshProduct(QualifiedName(["s", "orders"])))
        #expect(try parse("DROP DATA PRODUCT IF EXISTS s.orders") == .dropProduct(QualifiedName(["s", "orders"]), ifExists: true))
    }

    @Test func viewKeepsExactQueryText() throws {
        let sql = "CREATE DATA PRODUCT finance.revenue AS\n  SELECT region, sum(x) FROM s.orders o GROUP BY region -- done\n;"
        guard case .createView(let name, let query, let text, let options) = try parse(sql) else {
            Issue.record("not a view"); return
        }
        #expect(name.parts == ["finance", "revenue"])
        #expect(text == "SELECT region, sum(x) FROM s.orders o GROUP BY region")
        #expect(options.isEmpty)
        #expect(query == (try Parser.parseQuery(text)))
        guard case .createView(_, _, _, let withOptions) = try parse("CREATE DATA PRODUCT m.v WITH (owner = 'a') AS SELECT 1") else {
            Issue.record("not a view"); return
        }
        #expect(withOptions == opts(["owner": "a"]))
    }

    @Test func sessionStatements() throws {
        #expect(try parse("SHOW MESHES") == .show(.meshes))
        #expect(try parse("SHOW CONNECTORS") == .show(.connectors(inMesh: nil)))
        #expect(try parse("SHOW CONNECTORS IN sales") == .show(.connectors(inMesh: "sales")))
        #expect(try parse("SHOW DATA PRODUCTS IN sales") == .show(.dataProducts(inMesh: "sales")))
        #expect(try parse("SHOW POLICIES IN sales") == .show(.policies(inMesh: "sales")))
        #expect(try parse("DESCRIBE sales.orders") == .describe(QualifiedName(["sales", "orders"])))
        #expect(try parse("DESC orders") == .describe(QualifiedName(["orders"])))
        #expect(try parse("USE sales") == .use(mesh: "sales"))
        #expect(try parse("SET mesh = sales") == .use(mesh: "sales"))
        #expect(try parse("set MESH to Sales") == .use(mesh: "sales"))
        guard case .explain(_, analyze: true) = try parse("EXPLAIN ANALYZE SELECT 1") else { Issue.record("explain"); return }
        guard case .explain(_, analyze: false) = try parse("EXPLAIN SELECT 1") else { Issue.record("explain"); return }
    }

    @Test func quotedNamesRoundTrip() throws {
        #expect(try parse(#"CREATE MESH "Sales Mesh" WITH ("Key" = 'it''s')"#) ==
            .createMesh(name: "Sales Mesh", options: opts(["Key": "it's"]), ifNotExists: false))
        #expect(try parse(#"DESCRIBE "select"."from""#) == .describe(QualifiedName(["select", "from"])))
    }

    @Test func scripts() throws {
        let script = """
            -- set up
            CREATE MESH sales;;
            USE sales;
              SELECT 1
                ; /* trailing */
            SHOW MESHES
            """
        let statements = try Parser.parseStatements(script)
        #expect(statements.map(\.text) == ["CREATE MESH sales", "USE sales", "SELECT 1", "SHOW MESHES"])
        #expect(statements.map(\.location.line) == [2, 3, 4, 6])
        #expect(statements[2].location.column == 3)
        #expect(try Parser.parseStatements("  ;; -- nothing\n").isEmpty)
    }
}
