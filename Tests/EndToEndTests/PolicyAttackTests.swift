import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Attacks on a masked, row-filtered product (Done-when 2 of the policies issue). Each runs
/// twice: as an analyst on the real product `crm.customers`, and as the local superuser on
/// `ref.customers`, a copy of exactly what the analyst may see (their rows, masked emails, no
/// balance). An attack that learns anything the policy hides gives a different answer — a
/// different row, a different count, an error the reference does not raise.
@Suite(.serialized) struct PolicyAttackTests {
    /// crm's customers live in SQLite, PostgreSQL or MariaDB; every attack runs with pushdown on and off.
    static let placements: [E2EFixture.Placement] = [
        .init(shop: .sqlite, crm: .sqlite), .init(shop: .sqlite, crm: .postgres), .init(shop: .sqlite, crm: .mariadb),
    ]

    static let policies = [
        "GRANT SELECT ON crm.* TO ROLE analyst, ROLE steward",
        "GRANT SELECT ON shop.* TO PUBLIC",
        "MASK crm.customers.email USING mask_email(email) FOR PUBLIC EXCEPT ROLE steward",
        "FILTER crm.customers USING country = current_attr('country') FOR ROLE analyst",
        "DENY SELECT (balance) ON crm.customers TO ROLE analyst",
    ]

    static let analyst = Principal(user: "ann@acme.test", roles: ["analyst"], attributes: ["country": "DE"])

    /// `{c}` is the customers product under attack.
    static let attacks: [String] = [
        // WHERE, LIKE and ranges on the masked column
        "SELECT customer_id FROM {c} WHERE email = 'lena.devries5@Example.org'",
        "SELECT customer_id FROM {c} WHERE email LIKE 'l%'",
        "SELECT customer_id FROM {c} WHERE email LIKE '%devries%'",
        "SELECT customer_id FROM {c} WHERE email >= 'l' AND email < 'm'",
        "SELECT customer_id FROM {c} WHERE upper(email) = 'LENA.DEVRIES5@EXAMPLE.ORG'",
        // ORDER BY, LIMIT, top-N
        "SELECT customer_id, email FROM {c} ORDER BY email, customer_id",
        "SELECT customer_id FROM {c} ORDER BY email DESC, customer_id LIMIT 2",
        "SELECT customer_id FROM {c} ORDER BY customer_id LIMIT 3 OFFSET 1",
        // GROUP BY, DISTINCT, aggregates
        "SELECT email, count(*) FROM {c} GROUP BY email ORDER BY email",
        "SELECT DISTINCT email FROM {c} ORDER BY email",
        "SELECT count(DISTINCT email), min(email), max(email), count(*) FROM {c}",
        "SELECT sum(length(email)), avg(length(email)), sum(credit_limit), avg(credit_limit) FROM {c}",
        "SELECT country, count(*), max(customer_id) FROM {c} GROUP BY country ORDER BY country",
        "SELECT count(*) FROM {c} HAVING count(*) > 0",
        // joins, self-joins, subqueries, EXISTS
        "SELECT a.customer_id, b.customer_id FROM {c} a JOIN {c} b ON a.email = b.email ORDER BY 1, 2",
        "SELECT count(*) FROM crm.interactions i JOIN {c} c ON i.customer_id = c.customer_id",
        "SELECT c.customer_id, count(i.interaction_id) FROM {c} c LEFT JOIN crm.interactions i ON i.customer_id = c.customer_id GROUP BY c.customer_id ORDER BY 1",
        "SELECT count(*) FROM crm.interactions i WHERE EXISTS (SELECT 1 FROM {c} c WHERE c.customer_id = i.customer_id)",
        "SELECT count(*) FROM crm.interactions i WHERE i.customer_id IN (SELECT customer_id FROM {c} WHERE email LIKE 'k%')",
        "SELECT count(*) FROM crm.interactions i WHERE i.customer_id NOT IN (SELECT customer_id FROM {c})",
        "SELECT (SELECT max(email) FROM {c}) AS m",
        "SELECT count(*) FROM shop.orders o JOIN {c} c ON o.customer_id = c.customer_id",
        "SELECT count(*) FROM {c} a, {c} b WHERE a.referrer_id = b.customer_id",
        // error oracles on rows the filter removes (customer 2 is in BR, São Paulo)
        "SELECT count(*) FROM {c} WHERE 1 / (customer_id - 2) > 0",
        "SELECT count(*) FROM {c} WHERE customer_id = 2 AND city LIKE '\\'",
        "SELECT count(*) FROM shop.orders o JOIN (SELECT 1 / (customer_id - 2) AS k FROM {c}) c ON c.k = o.customer_id",
        "SELECT count(*) FROM {c} WHERE CASE WHEN city = 'São Paulo' THEN 1 / 0 ELSE 0 END = 0",
        "SELECT count(*) FROM {c} WHERE CASE WHEN country <> 'DE' THEN CAST(full_name AS integer) ELSE 0 END = 0",
        "SELECT count(*) FROM {c} WHERE CAST(city AS integer) = 1 OR country = 'DE'",
        "SELECT count(*) FROM {c} WHERE CASE WHEN email = 'kai.silva2@example.com' THEN 1 / 0 ELSE 0 END = 0",
        "SELECT count(*) FROM {c} c JOIN crm.interactions i ON i.customer_id = c.customer_id AND 1 / (c.customer_id - 2) > 0",
        "SELECT sum(100 / (customer_id - 2)) FROM {c}",
        "SELECT customer_id FROM {c} WHERE 10 / (credit_limit - 2500) > 0 ORDER BY 1",
        // a denied column anywhere
        "SELECT balance FROM {c}",
        "SELECT customer_id FROM {c} WHERE balance > 0",
        "SELECT count(*) FROM {c} a JOIN {c} b ON a.balance = b.balance",
        "SELECT country FROM {c} GROUP BY country HAVING sum(balance) > 0",
        "SELECT * FROM {c} ORDER BY customer_id",
        "SELECT c.* FROM {c} c ORDER BY customer_id",
        // a CTE shadowing the names a policy uses
        "WITH customers AS (SELECT 1 AS customer_id) SELECT count(*) FROM {c}",
        "WITH crm AS (SELECT 'DE' AS country) SELECT count(*) FROM {c}",
        "WITH x AS (SELECT * FROM {c}) SELECT count(*), max(email) FROM x",
        // the emulated PostgreSQL catalog, as psql's \\d and JDBC read it
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname || '.' || c.relname = '{c}' ORDER BY a.attnum",
        "SELECT column_name, ordinal_position FROM information_schema.columns WHERE table_schema || '.' || table_name = '{c}' ORDER BY 2",
        "SELECT count(*) FROM pg_attribute WHERE attrelid = '{c}'::regclass AND attname = 'balance'",
        "SELECT count(*) FROM pg_description WHERE objoid = '{c}'::regclass",
    ]

    func result(_ session: Session, _ sql: String) async -> String {
        do {
            guard case .rows(let r) = try await session.execute(sql) else { return "message" }
            let rows = try await r.collectRows()
            return r.fields.map(\.name).joined(separator: ",") + "\n"
                + rows.map { $0.map(\.description).joined(separator: "|") }.joined(separator: "\n")
        } catch let e as MeshError {
            // The message may name the product as written; the code must agree.
            return "error \(e.sqlState)"
        } catch {
            return "error \(error)"
        }
    }

    /// An engine with the placement's meshes, the policies, and `ref.customers` holding what
    /// the analyst sees.
    func setUp(_ placement: E2EFixture.Placement) async throws -> (Engine, Session, Session)? {
        guard let sql = try await E2EFixture.registrationSQL(placement) else { return nil }
        let folder = tempDirectory()
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        let admin = engine.makeSession()
        for s in sql.split(separator: "\n") { _ = try await admin.execute(String(s)) }
        for p in Self.policies { _ = try await admin.execute(p) }
        let analyst = engine.makeSession()
        analyst.principal = Self.analyst

        // The reference: the analyst's view, copied into a table of its own.
        guard case .rows(let visible) = try await analyst.execute("SELECT * FROM crm.customers") else { return nil }
        let rows = try await visible.collectRows()
        let names = visible.fields.map(\.name)
        #expect(!names.contains("balance"))
        let ref = try SQLiteDatabase(path: folder + "/ref.db")
        try ref.execute("""
            CREATE TABLE customers (customer_id INTEGER NOT NULL, full_name TEXT NOT NULL, email TEXT, country VARCHAR(2),
              city TEXT, vip BOOLEAN NOT NULL, credit_limit INTEGER, created_on DATE NOT NULL, referrer_id INTEGER)
            """)
        #expect(names == ["customer_id", "full_name", "email", "country", "city", "vip", "credit_limit", "created_on", "referrer_id"])
        for row in rows {
            let statement = try ref.prepare("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            try statement.bind(row.map { v -> SQLiteStatement.Bindable in
                switch v {
                case .null: .null
                case .int(let i): .int(i)
                case .bool(let b): .int(b ? 1 : 0)
                default: .text(v.description)
                }
            })
            _ = try statement.step()
        }
        for s in ["CREATE MESH ref", "CREATE CONNECTOR ref_src FOR MESH ref TYPE sqlite OPTIONS (path '\(folder)/ref.db')",
                  "IMPORT DATA PRODUCTS FROM CONNECTOR ref_src"] {
            _ = try await admin.execute(s)
        }
        return (engine, admin, analyst)
    }

    @Test(arguments: placements)
    func attacksLearnNothingTheReferenceDoesNotShow(_ placement: E2EFixture.Placement) async throws {
        guard let (engine, admin, analyst) = try await setUp(placement) else { return }
        defer { engine.shutdown() }

        // The reference is what the policy promises: German customers only, emails masked.
        let check = await result(admin, "SELECT count(*) FROM crm.customers WHERE country = 'DE'")
        let refCount = await result(admin, "SELECT count(*) FROM ref.customers")
        #expect(check == refCount)
        let emails = await result(admin, "SELECT count(*) FROM ref.customers WHERE email NOT LIKE '_****@%'")
        #expect(emails.hasSuffix("\n0"))

        for pushdown in [true, false] {
            analyst.pushdownEnabled = pushdown
            admin.pushdownEnabled = pushdown
            for attack in Self.attacks {
                let seen = await result(analyst, attack.replacingOccurrences(of: "{c}", with: "crm.customers"))
                let allowed = await result(admin, attack.replacingOccurrences(of: "{c}", with: "ref.customers"))
                #expect(seen == allowed, "\(placement), pushdown \(pushdown): \(attack)")
            }
        }
    }

    /// The same attacks as a PostgreSQL client (psql, the analyst's token) against
    /// `meshql serve --pg-port` over the same catalog: each answer is the reference's, as
    /// in-process.
    @Test(.enabled(if: PGWireTests.canRun, "needs the built binary, python3 and psql"), arguments: placements)
    func attacksOverThePostgreSQLProtocolLearnNothingMore(_ placement: E2EFixture.Placement) async throws {
        guard let (engine, admin, _) = try await setUp(placement) else { return }
        defer { engine.shutdown() }
        let port = try LoopbackPort.free()
        let server = try ServerTests.Server(options: ["--pg-port", String(port)], catalog: engine.catalog.path)
        defer { _ = server.stop() }
        let token = try server.token(org: "default", user: Self.analyst.user, role: "analyst", attributes: ["country=DE"])
        for pushdown in [true, false] {
            admin.pushdownEnabled = pushdown
            for attack in Self.attacks {
                let seen = try Self.psql(port: port, token: token, pushdown: pushdown, attack.replacingOccurrences(of: "{c}", with: "crm.customers"))
                let allowed = await result(admin, attack.replacingOccurrences(of: "{c}", with: "ref.customers"))
                #expect(seen == allowed.trimmingCharacters(in: .newlines), "\(placement), pushdown \(pushdown): \(attack)")
            }
        }
    }

    /// psql's answer to `sql` as the analyst, in `result`'s form: the header and the rows, or
    /// the error's SQLSTATE.
    static func psql(port: Int, token: String, pushdown: Bool, _ sql: String) throws -> String {
        let run = try Subprocess.run("/usr/bin/env", [
            "PGPASSWORD=\(token)", "psql", "host=127.0.0.1 port=\(port) user=\(analyst.user) dbname=default", "-X", "-A", "-F", "|",
            "-P", "footer=off", "-v", "VERBOSITY=verbose", "-c", "SET pushdown = \(pushdown ? "on" : "off")", "-c", sql,
        ])
        let lines = run.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { $0 != "SET" }
        if let error = lines.first(where: { $0.hasPrefix("ERROR:  ") }) {
            return "error " + error.dropFirst("ERROR:  ".count).prefix(5)
        }
        guard let header = lines.first else { return run.text }
        return ([header.replacingOccurrences(of: "|", with: ",")] + lines.dropFirst()).joined(separator: "\n")
            .trimmingCharacters(in: .newlines)
    }

    /// EXPLAIN ANALYZE counts never include the rows the filter removed; DESCRIBE and the
    /// listings leave the denied column and unreadable products out.
    @Test(arguments: placements)
    func explainAndCatalogShowOnlyWhatIsAllowed(_ placement: E2EFixture.Placement) async throws {
        guard let (engine, admin, analyst) = try await setUp(placement) else { return }
        defer { engine.shutdown() }
        let total = await result(admin, "SELECT count(*) FROM crm.customers")
        let visible = await result(admin, "SELECT count(*) FROM ref.customers")
        let visibleCount = Int(visible.split(separator: "\n").last!)!
        #expect(total != visible)
        for pushdown in [true, false] {
            analyst.pushdownEnabled = pushdown
            let plan = await result(analyst, "EXPLAIN ANALYZE SELECT * FROM crm.customers")
            let counts = plan.matches(of: /actual rows=(\d+)/).map { Int($0.1)! }
            #expect(!counts.isEmpty)
            #expect(counts.allSatisfy { $0 <= visibleCount }, "\(plan)")
            #expect(plan.contains("Policies applied:"))
            // Ids only: the analyst does not manage crm, so no policy text.
            #expect(!plan.contains("current_attr"))
        }
        // Errors name no value: a source's own text quoting a row is cut, and a denied
        // column is as unknown as one that never existed.
        for pushdown in [true, false] {
            analyst.pushdownEnabled = pushdown
            for sql in ["SELECT CAST(email AS integer) FROM crm.customers", "SELECT CAST(city AS integer) FROM crm.customers",
                        "SELECT CAST(full_name AS date) FROM crm.customers"] {
                let e = await #expect(throws: MeshError.self) {
                    if case .rows(let r) = try await analyst.execute(sql) { _ = try await r.collectRows() }
                }
                let text = "\(e?.message ?? "") \(e?.hint ?? "")"
                #expect(!text.contains("@") && !text.contains("Berlin") && !text.contains("Vries"), "\(text)")
            }
            let denied = await #expect(throws: MeshError.self) { _ = try await analyst.execute("SELECT balance FROM crm.customers") }
            let unknown = await #expect(throws: MeshError.self) { _ = try await analyst.execute("SELECT balancx FROM crm.customers") }
            #expect(denied?.message.replacingOccurrences(of: "balance", with: "X") == unknown?.message.replacingOccurrences(of: "balancx", with: "X"))
            #expect(denied?.hint == unknown?.hint)
        }
        let described = await result(analyst, "DESCRIBE crm.customers")
        #expect(!described.contains("balance"))
        #expect(described.contains("masked"))
        // A principal no GRANT matches sees no product at all.
        let stranger = engine.makeSession()
        stranger.principal = Principal(user: "eve@acme.test", roles: ["intern"])
        #expect(await result(stranger, "SELECT count(*) FROM crm.customers") == "error 42P01")
        #expect(!(await result(stranger, "SHOW DATA PRODUCTS")).contains("crm"))
        #expect(!(await result(stranger, "SHOW MESHES")).contains("crm"))
        #expect(stranger.visibleProductNames(mesh: "crm").isEmpty)
        #expect(analyst.visibleColumnNames(mesh: "crm", product: "customers").contains("balance") == false)
        // The steward sees real emails and every row; the superuser too.
        let steward = engine.makeSession()
        steward.principal = Principal(user: "sam@acme.test", roles: ["steward"])
        #expect(await result(steward, "SELECT count(*) FROM crm.customers WHERE email LIKE '%@%' AND email NOT LIKE '_****@%'")
                    == result(admin, "SELECT count(*) FROM crm.customers WHERE email LIKE '%@%'"))
    }

    /// Attribute values are bound, never spliced: quotes in them are just characters.
    @Test(arguments: placements)
    func quotesInAttributesAreValues(_ placement: E2EFixture.Placement) async throws {
        guard let (engine, _, _) = try await setUp(placement) else { return }
        defer { engine.shutdown() }
        let session = engine.makeSession()
        for pushdown in [true, false] {
            session.pushdownEnabled = pushdown
            for value in ["DE' OR '1'='1", "' OR 1=1 --", "DE\"", "\\'DE"] {
                session.principal = Principal(user: "q@acme.test", roles: ["analyst"], attributes: ["country": value])
                #expect(await result(session, "SELECT count(*) FROM crm.customers") == "count\n0", "\(value)")
            }
            // A missing attribute fails closed.
            session.principal = Principal(user: "q@acme.test", roles: ["analyst"])
            #expect(await result(session, "SELECT count(*) FROM crm.customers") == "count\n0")
        }
    }
}
