import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// The emulated PostgreSQL catalog (pg_catalog, information_schema) as the principal may see
/// it, and every catalog statement psql, JDBC and SQLAlchemy were seen to send against a real
/// PostgreSQL 15 (ClientCatalogQueries/, one file per client action): each runs, as an analyst
/// who may not read mesh `ref` nor column `balance`, and as the local superuser.
@Suite(.serialized) struct PostgresCatalogTests {
    static let placement = E2EFixture.Placement(shop: .sqlite, crm: .sqlite)
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/ClientCatalogQueries"

    func rows(_ s: Session, _ sql: String) async throws -> [[String]] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description) }
    }

    /// The statements of one captured file, their names and OIDs those of `crm.customers`.
    static func statements(_ file: String, oid: String) throws -> [String] {
        let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
        return text.components(separatedBy: "\n-- next\n").compactMap { chunk in
            let sql = chunk.split(separator: "\n").filter { !$0.hasPrefix("-- parameters") }.joined(separator: "\n")
            let first = sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(6).lowercased()
            // The catalog's statements (not a client's reads of the products it found).
            guard first.hasPrefix("select") || first.hasPrefix("with"), !sql.contains("$1"),
                  sql.contains("pg_") || sql.contains("information_schema") else { return nil }
            var out = sql
            for (a, b) in [("sales.orders", "crm.customers"), ("'sales'", "'crm'"), ("(sales)", "(crm)"),
                           ("'orders'", "'customers'"), ("(orders)", "(customers)"), ("16386", oid)] {
                out = out.replacingOccurrences(of: a, with: b)
            }
            return out
        }
    }

    @Test func everyCapturedClientStatementRuns() async throws {
        guard let (engine, admin, analyst) = try await PolicyAttackTests().setUp(Self.placement) else { return }
        defer { engine.shutdown() }
        let oid = try await rows(analyst, "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'crm' AND c.relname = 'customers'")
        #expect(oid.count == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count > 40)
        var ran = 0
        for file in files {
            for sql in try Self.statements(file, oid: oid.first?.first ?? "0") {
                for (who, session) in [("analyst", analyst), ("superuser", admin)] {
                    do {
                        _ = try await rows(session, sql)
                        ran += 1
                    } catch {
                        Issue.record("\(file) as \(who): \(error)\n\(sql)")
                    }
                }
            }
        }
        #expect(ran > 150)
    }

    @Test func theCatalogShowsWhatThePrincipalMayRead() async throws {
        guard let (engine, admin, analyst) = try await PolicyAttackTests().setUp(Self.placement) else { return }
        defer { engine.shutdown() }
        // psql's \dn: the analyst may read crm and shop, not ref.
        let dn = try Self.statements("psql_02_dn.sql", oid: "0")[0]
        #expect(try await rows(analyst, dn).map { $0[0] } == ["crm", "shop"])
        #expect(try await rows(admin, dn).map { $0[0] } == ["crm", "ref", "shop"])
        // psql's \dt lists products as tables; \d's column query leaves the denied column out.
        let dt = try Self.statements("psql_03_dt.sql", oid: "0")[0]
        let tables = try await rows(analyst, dt)
        #expect(tables.contains(["crm", "customers", "table", "ann@acme.test"]))
        #expect(!tables.contains { $0[0] == "ref" })
        guard case .rows(let star) = try await analyst.execute("SELECT * FROM crm.customers LIMIT 0") else { return }
        let visible = star.fields.map(\.name)
        let oid = try await rows(analyst, "SELECT 'crm.customers'::regclass")[0][0]
        let describe = try Self.statements("psql_05_d_sales_orders.sql", oid: oid)
        #expect(try await rows(analyst, describe[0]).map { $0[1] + "." + $0[2] } == ["crm.customers"])
        #expect(try await rows(analyst, describe[2]).map { $0[0] } == visible)
        #expect(try await rows(admin, describe[2]).map { $0[0] }.contains("balance"))
        // JDBC's getColumns and information_schema agree.
        let jdbc = try Self.statements("jdbc_04_getColumns_sales_orders.sql", oid: oid)[0]
        #expect(try await rows(analyst, jdbc).map { $0[2] } == visible)
        #expect(try await rows(analyst, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'crm' "
                                    + "AND table_name = 'customers' ORDER BY ordinal_position").map { $0[0] } == visible)
        // What the analyst may not read does not exist, whichever way it is asked.
        for sql in ["SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ref'",
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ref'",
                    "SELECT count(*) FROM pg_attribute WHERE attname = 'balance'",
                    "SELECT count(*) FROM information_schema.columns WHERE column_name = 'balance'",
                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'ref'"] {
            #expect(try await rows(analyst, sql) == [["0"]], "\(sql)")
            #expect(try await rows(admin, sql) != [["0"]], "\(sql)")
        }
        #expect(try await rows(analyst, "SELECT to_regclass('ref.customers') IS NULL") == [["t"]])
        let refused = await #expect(throws: MeshError.self) { _ = try await rows(analyst, "SELECT 'ref.customers'::regclass") }
        #expect(refused?.code == .undefinedTable)
        // OIDs are stable from statement to statement (clients look a table up, then use its OID).
        #expect(try await rows(analyst, "SELECT 'crm.customers'::regclass")[0][0] == oid)
        // A one-part pg_… name not in the catalog may still be a product of the session's mesh.
        _ = try await admin.execute("CREATE DATA PRODUCT crm.pg_things AS SELECT 1 AS x")
        _ = try await admin.execute("USE crm")
        #expect(try await rows(admin, "SELECT x FROM pg_things") == [["1"]])
        #expect(try await rows(admin, "SELECT count(*) FROM pg_class WHERE relname = 'pg_things'") == [["1"]])
    }

    @Test func functionsAndSyntaxOfTheCatalog() async throws {
        guard let (engine, _, analyst) = try await PolicyAttackTests().setUp(Self.placement) else { return }
        defer { engine.shutdown() }
        let cases: [(String, [[String]])] = [
            ("SELECT 'abc' ~ '^a', 'abc' !~ 'b', 'ABC' ~* 'b', 'x' OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default", [["t", "f", "t", "t"]]),
            // POSIX regular expressions: no backtracking blow-up; \d as PostgreSQL reads it.
            ("SELECT '\(String(repeating: "a", count: 40))!' ~ '(.*a){25}$', 'a1' ~ '^a\\d$', 'ab' ~ '^a\\d$', 'A b' ~* '^a\\s[B]$'",
             [["f", "t", "f", "t"]]),
            ("SELECT format_type(1700, 786438), format_type(1043, 44), format_type(23, NULL), format_type(1007, -1)",
             [["numeric(12,2)", "character varying(40)", "integer", "integer[]"]]),
            ("SELECT (current_schemas(true))[1], array_to_string(ARRAY['a', 'b c'], '/'), 'r' = ANY (ARRAY['p', 'r'])",
             [["pg_catalog", "a/b c", "t"]]),
            ("SELECT x FROM generate_series(1, 3) AS s(x) ORDER BY x DESC", [["3"], ["2"], ["1"]]),
            ("SELECT n FROM pg_catalog.unnest('{a,\"b,c\",NULL}') n", [["a"], ["b,c"], [""]]),
            ("SELECT E'a\\tb', length(E'\\n'), 6 & 3, 6 | 1", [["a\tb", "1", "2", "7"]]),
            ("SELECT pg_get_userbyid(10), pg_table_is_visible(1259), current_setting('server_version_num')",
             [["ann@acme.test", "t", "150000"]]),
            ("SELECT 'pg_class'::regclass, 'int4'::regtype, 'integer'::regtype::text, 1259::regclass",
             [["1259", "23", "integer", "pg_class"]]),
            // unnest over a value of each row (psql's \d+), in a correlated subquery.
            ("SELECT relname, (SELECT count(*) FROM unnest('{' || c.relname || ',x}') u) FROM pg_class c WHERE relname LIKE 'pg_a%' ORDER BY 1",
             [["pg_am", "2"], ["pg_attrdef", "2"], ["pg_attribute", "2"], ["pg_auth_members", "2"]]),
            ("SELECT array_to_string(ARRAY(SELECT 'toast.' || x FROM unnest('{' || relname || '}') x), ';') FROM pg_class WHERE relname = 'pg_am'",
             [["toast.pg_am"]]),
            ("SELECT ARRAY(SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pg%' ORDER BY 1)", [["{pg_catalog}"]]),
        ]
        for (sql, expected) in cases {
            do {
                #expect(try await rows(analyst, sql) == expected, "\(sql)")
            } catch {
                Issue.record("\(sql): \(error)")
            }
        }
    }
}
