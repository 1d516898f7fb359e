import Foundation
import MeshCatalog
import MeshCore
import MeshEngine
import MeshREPL
import MeshTestSupport
import SQLiteDB
import Testing

/// The rules of SQL.md §5 one by one, on a small SQLite mesh: default deny, DENY beats GRANT,
/// masks by column and by tag, named policies, validation when a list is saved, the audit log.
@Suite struct PolicySemanticsTests {
    /// A catalog with mesh `hr` (owner olga@acme.test) over one SQLite file: `people` and `teams`.
    func makeEngine() async throws -> (Engine, Session) {
        let folder = tempDirectory()
        try SQLiteDatabase(path: folder + "/hr.db").execute("""
            CREATE TABLE people (id INTEGER, name TEXT, email TEXT, region TEXT, salary INTEGER, born DATE, team INTEGER);
            INSERT INTO people VALUES (1, 'Alice Smith', 'alice@acme.test', 'EU', 100, '1980-05-17', 1),
                                      (2, 'Bob Jones', 'bob@acme.test', 'US', 200, '1990-01-02', 1),
                                      (3, 'Chen Li', 'chen@acme.test', 'EU', 300, '1975-12-31', 2),
                                      (4, 'Dana', NULL, 'APAC', 400, '2000-07-07', 2);
            CREATE TABLE teams (id INTEGER, title TEXT);
            INSERT INTO teams VALUES (1, 'Platform'), (2, 'Data');
            """)
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        let admin = engine.makeSession()
        for s in ["CREATE MESH hr WITH (owner = 'olga@acme.test')",
                  "CREATE CONNECTOR hr_src FOR MESH hr TYPE sqlite OPTIONS (path '\(folder)/hr.db')",
                  "IMPORT DATA PRODUCTS FROM CONNECTOR hr_src"] {
            _ = try await admin.execute(s)
        }
        return (engine, admin)
    }

    func session(_ engine: Engine, _ user: String, roles: Set<String> = [], attrs: [String: String] = [:]) -> Session {
        let s = engine.makeSession()
        s.principal = Principal(user: user, roles: roles, attributes: attrs)
        return s
    }

    func rows(_ s: Session, _ sql: String) async throws -> [String] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
    }

    func code(_ s: Session, _ sql: String) async -> String? {
        do {
            _ = try await rows(s, sql)
            return nil
        } catch let e as MeshError {
            return e.sqlState
        } catch {
            return "?"
        }
    }

    @Test func defaultDenyAndDenyBeatsGrant() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        let ann = session(engine, "ann@acme.test", roles: ["analyst"])
        // No policy: the product does not exist for a principal; the superuser reads it.
        #expect(await code(ann, "SELECT * FROM hr.people") == "42P01")
        #expect(try await rows(admin, "SELECT count(*) FROM hr.people") == ["4"])
        // DENY first, GRANT after: DENY still wins.
        _ = try await admin.execute("DENY SELECT ON hr.teams TO ROLE analyst")
        _ = try await admin.execute("GRANT SELECT ON hr.* TO ROLE analyst")
        #expect(try await rows(ann, "SELECT count(*) FROM hr.people") == ["4"])
        #expect(await code(ann, "SELECT * FROM hr.teams") == "42P01")
        // EXCEPT removes a principal from a grant.
        _ = try await admin.execute("DENY SELECT (salary) ON hr.people TO PUBLIC EXCEPT USER 'ann@acme.test'")
        #expect(try await rows(ann, "SELECT sum(salary) FROM hr.people") == ["1000"])
        let bob = session(engine, "bob@acme.test", roles: ["analyst"])
        #expect(await code(bob, "SELECT sum(salary) FROM hr.people") == "42703")
        // Through a view too: DESCRIBE lists what binding it as bob gives.
        _ = try await admin.execute("CREATE DATA PRODUCT hr.pay AS SELECT name, salary FROM hr.people")
        #expect(try await rows(bob, "DESCRIBE hr.pay").isEmpty)
        #expect(await code(bob, "SELECT name FROM hr.pay") == "42501")
        #expect(try await rows(ann, "DESCRIBE hr.pay").map { $0.split(separator: "|")[0] } == ["name", "salary"])
        #expect(try await rows(bob, "SELECT * FROM hr.people WHERE id = 1") == ["1|Alice Smith|alice@acme.test|EU|1980-05-17|1"])
        // current_user() and friends bind to the principal.
        #expect(try await rows(ann, "SELECT current_user, current_org(), has_role('analyst'), has_role('hr'), current_attr('x')")
                    == ["ann@acme.test|default|t|f|"])
        #expect(try await rows(admin, "SELECT current_user") == ["meshql"])
    }

    @Test func masksByColumnAndByTag() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        for s in ["GRANT SELECT ON hr.* TO PUBLIC",
                  "ALTER DATA PRODUCT hr.people ALTER COLUMN name SET TAGS ('pii')",
                  "ALTER DATA PRODUCT hr.people ALTER COLUMN email SET TAGS ('pii')",
                  "MASK COLUMNS TAGGED 'pii' USING show_first(value, 1) FOR PUBLIC EXCEPT ROLE steward",
                  "MASK hr.people.email USING mask_email(email) FOR PUBLIC EXCEPT ROLE steward",
                  "MASK hr.people.born USING year(born) FOR PUBLIC EXCEPT ROLE steward",
                  "MASK hr.people.id USING hash(id) FOR ROLE analyst",
                  "MASK hr.people.region USING show_first(region, 1) FOR ROLE analyst"] {
            _ = try await admin.execute(s)
        }
        let ann = session(engine, "ann@acme.test", roles: ["analyst"])
        let got = try await rows(ann, "SELECT name, email, born, region FROM hr.people ORDER BY salary")
        // The column mask beats the tag mask on email; name gets the tag's mask, which reads
        // the tagged column as `value`.
        #expect(got == ["A**********|a****@acme.test|1980-01-01|E*", "B********|b****@acme.test|1990-01-01|U*",
                        "C******|c****@acme.test|1975-01-01|E*", "D***||2000-01-01|A***"])
        // Tags an org-wide mask uses are for org admins to change; two masked tags would compete.
        let olga = session(engine, "olga@acme.test")
        #expect(await code(olga, "ALTER DATA PRODUCT hr.people ALTER COLUMN name SET TAGS ()") == "42501")
        _ = try await admin.execute("MASK COLUMNS TAGGED 'secret' USING redact() FOR PUBLIC")
        #expect(await code(admin, "ALTER DATA PRODUCT hr.people ALTER COLUMN name SET TAGS ('pii', 'secret')") == "22023")
        // hash() keeps joins working (same value, same hash) without showing the value.
        let hashed = try await rows(ann, "SELECT a.id FROM hr.people a JOIN hr.people b ON a.id = b.id ORDER BY a.salary")
        #expect(hashed.count == 4 && !hashed.contains("1") && Set(hashed).count == 4)
        #expect(await code(ann, "SELECT hash(name) FROM hr.people") == "42883")
        let steward = session(engine, "sam@acme.test", roles: ["steward"])
        #expect(try await rows(steward, "SELECT name, email FROM hr.people WHERE id = 1") == ["Alice Smith|alice@acme.test"])
        // Column lineage says which columns were read through a mask, and only for whom.
        let unmasked = try #require(steward.lastLineage)
        #expect(unmasked.fields.map { $0.inputs.map { "\($0.source.description) \($0.masked)" } }
                == [["hr.people.name false"], ["hr.people.email false"]])
        _ = try await rows(ann, "SELECT name, upper(email) AS e, born FROM hr.people WHERE id = 1")
        let masked = try #require(ann.lastLineage)
        #expect(masked.fields.map { $0.inputs.map { "\($0.source.description) \($0.subtype.rawValue) \($0.masked)" } }
                == [["hr.people.name IDENTITY true"], ["hr.people.email TRANSFORMATION true"], ["hr.people.born IDENTITY true"]])
        // A policy's own row filter is not the query's lineage; the query's filter is.
        #expect(masked.dataset.map { "\($0.source.description) \($0.subtype.rawValue) \($0.masked)" } == ["hr.people.id FILTER true"])
        // The system mesh holds the org-wide statement.
        #expect(try await rows(admin, "SHOW MESHES").contains { $0.hasPrefix("system|") })
        // A view over a masked product shows masked values to the analyst (invoker rights).
        _ = try await admin.execute("CREATE DATA PRODUCT hr.directory AS SELECT name, email, team FROM hr.people")
        #expect(try await rows(ann, "SELECT email FROM hr.directory ORDER BY email") == ["a****@acme.test", "b****@acme.test", "c****@acme.test", ""])
        // Through the view, lineage names the base product's column, read through its mask.
        let viaView = try #require(ann.lastLineage)
        #expect(viaView.fields.map { $0.inputs.map { "\($0.source.description) \($0.subtype.rawValue) \($0.masked)" } }
                == [["hr.people.email IDENTITY true"]])
        _ = try await rows(steward, "SELECT email FROM hr.directory ORDER BY email")
        #expect(try #require(steward.lastLineage).fields.map { $0.inputs.map { "\($0.source.description) \($0.masked)" } }
                == [["hr.people.email false"]])
    }

    @Test func rowFiltersAreAndedAndFailClosed() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        for s in ["GRANT SELECT ON hr.* TO PUBLIC",
                  "FILTER hr.people USING region = current_attr('region') FOR ROLE manager",
                  "FILTER hr.people USING salary < 300 FOR ATTRIBUTE clearance = 'low'"] {
            _ = try await admin.execute(s)
        }
        let eu = session(engine, "m@acme.test", roles: ["manager"], attrs: ["region": "EU"])
        #expect(try await rows(eu, "SELECT id FROM hr.people ORDER BY id") == ["1", "3"])
        let euLow = session(engine, "m@acme.test", roles: ["manager"], attrs: ["region": "EU", "clearance": "low"])
        #expect(try await rows(euLow, "SELECT id FROM hr.people ORDER BY id") == ["1"])
        let noRegion = session(engine, "m@acme.test", roles: ["manager"])
        #expect(try await rows(noRegion, "SELECT count(*) FROM hr.people") == ["0"])
        // However the filter is written: a missing attribute keeps no row.
        _ = try await admin.execute("FILTER hr.people USING current_attr('site') IS NULL OR team = 1 FOR ROLE visitor")
        let visitor = session(engine, "v@acme.test", roles: ["visitor"])
        #expect(try await rows(visitor, "SELECT count(*) FROM hr.people") == ["0"])
        let atSite = session(engine, "v@acme.test", roles: ["visitor"], attrs: ["site": "x"])
        #expect(try await rows(atSite, "SELECT count(*) FROM hr.people") == ["2"])
    }

    @Test func namedPoliciesAndTheSeedsEntries() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        // The seed's client saves ["default_policy"]; its sample request ["statement_1"].
        try admin.setSecurityPolicy(["default_policy"], forMesh: "hr")
        let olga = session(engine, "olga@acme.test")
        let ann = session(engine, "ann@acme.test", roles: ["analyst"])
        let root = session(engine, "root@acme.test", roles: ["admin"])
        #expect(try await rows(olga, "SELECT count(*) FROM hr.people") == ["4"])
        #expect(try await rows(root, "SELECT count(*) FROM hr.people") == ["4"])
        #expect(await code(ann, "SELECT count(*) FROM hr.people") == "42P01")
        #expect(await code(ann, "USE hr") == "42704")
        #expect(await code(ann, "TEST CONNECTOR hr_src") == "42501")
        // EXPLAIN names the policies applied; their text only for those who manage the mesh.
        let plan = try await rows(olga, "EXPLAIN SELECT * FROM hr.people")
        #expect(plan.contains("Policies applied: hr#1"))
        #expect(plan.contains { $0.contains("hr#1: GRANT SELECT ON hr.* TO ROLE admin, USER 'olga@acme.test'") })

        // An undefined name is stored, denies everything it governs, and marks the mesh.
        try admin.setSecurityPolicy(["default_policy", "statement_1"], forMesh: "hr")
        #expect(await code(olga, "SELECT count(*) FROM hr.people") == "42P01")
        let meshes = try await rows(admin, "SHOW MESHES")
        #expect(meshes.contains { $0.hasPrefix("hr|") && $0.contains("unhealthy") && $0.contains("statement_1") })
        // The mesh's own `state`, which the seed API returns, says so too.
        let stored = try #require(try engine.catalog.mesh(sqlName: "hr"))
        #expect(!stored.state.healthy && stored.state.reason.contains("statement_1"))
        _ = try await admin.execute("CREATE POLICY statement_1 AS 'GRANT SELECT ON hr.people TO ROLE analyst; MASK hr.people.email USING redact() FOR ROLE analyst'")
        #expect(try await rows(olga, "SELECT count(*) FROM hr.people") == ["4"])
        #expect(try engine.catalog.mesh(sqlName: "hr")?.state.healthy == true)
        #expect(try await rows(ann, "SELECT DISTINCT email FROM hr.people") == ["****"])
        #expect(try await rows(admin, "SHOW POLICIES").contains { $0.hasPrefix("statement_1|") })
        _ = try await admin.execute("DROP POLICY statement_1")
        #expect(await code(ann, "SELECT count(*) FROM hr.people") == "42P01")
        #expect(await code(olga, "SELECT count(*) FROM hr.people") == "42P01")
    }

    @Test func invalidListsAreRejectedWholeWithIndexAndPosition() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        _ = try await admin.execute("CREATE MESH other")
        try admin.setSecurityPolicy(["GRANT SELECT ON hr.people TO PUBLIC"], forMesh: "hr")
        let cases: [([String], String, Int?)] = [
            (["default_policy", "GRANT SELEC ON hr.people TO PUBLIC"], "security_policy[1]: syntax error at or near \"SELEC\"", 7),
            (["GRANT SELECT ON hr.nope TO PUBLIC"], "security_policy[0]: data product \"hr.nope\" does not exist", 17),
            (["DENY SELECT (nope) ON hr.people TO PUBLIC"], "security_policy[0]: column \"nope\" of data product \"hr.people\" does not exist", 23),
            (["GRANT SELECT ON other.* TO PUBLIC"], "security_policy[0]: a mesh's policies may name only its own products (hr.*)", 17),
            (["MASK hr.people.email USING redact() FOR PUBLIC", "MASK hr.people.email USING NULL FOR ROLE x"],
             "security_policy[1]: this mask conflicts with the one in security_policy[0]: one mask per column", nil),
            (["FILTER hr.people USING (SELECT 1) = 1 FOR PUBLIC"], "security_policy[0]: no aggregates, window functions or subqueries are allowed in a policy", nil),
            (["MASK hr.people.salary USING 'x' FOR PUBLIC"], "security_policy[0]: invalid input syntax for type integer", nil),
            (["MASK hr.people.salary USING name FOR PUBLIC"], "security_policy[0]: the mask gives type text, not the column's type integer", nil),
        ]
        for (entries, message, column) in cases {
            let e = #expect(throws: MeshError.self) { try admin.setSecurityPolicy(entries, forMesh: "hr") }
            #expect(e?.message.hasPrefix(message) == true, "\(entries): \(e?.message ?? "")")
            if let column { #expect(e?.location?.column == column, "\(entries)") }
        }
        // Nothing changed.
        #expect(try await rows(admin, "SHOW POLICIES IN hr").map { $0.split(separator: "|").last.map(String.init) ?? "" }
                    == ["GRANT SELECT ON hr.people TO PUBLIC"])
        // A policy statement run as SQL is checked the same way, and needs a manager.
        #expect(await code(admin, "MASK hr.people.nope USING NULL FOR PUBLIC") == "42703")
        let ann = session(engine, "ann@acme.test", roles: ["analyst"])
        #expect(await code(ann, "GRANT SELECT ON hr.* TO PUBLIC") == "42501")
        #expect(await code(ann, "SHOW POLICIES IN hr") == "42501")
        #expect(await code(ann, "CREATE CONNECTOR x FOR MESH hr TYPE sqlite OPTIONS (path 'x.db') NO CHECK") == "42501")
    }

    @Test func everyStatementLeavesOneAuditRecordWithoutLiterals() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        _ = try await admin.execute("GRANT SELECT ON hr.people TO ROLE analyst")
        _ = try await admin.execute("FILTER hr.people USING region = 'EU' FOR ROLE analyst")
        let ann = session(engine, "ann@acme.test", roles: ["analyst"])
        engine.flushAudit()
        let before = try engine.catalog.auditRecords().count
        _ = try await rows(ann, "SELECT name FROM hr.people WHERE email = 'secret-literal@x.test' AND salary > 123456")
        _ = await code(ann, "SELECT * FROM hr.teams WHERE title = 'hidden-literal'")  // refused: no grant
        _ = await code(ann, "SELEC 'unparsed-literal'")                              // refused: syntax
        _ = await code(ann, "SELECT 1 / (salary - 100) FROM hr.people")              // failed at run time
        if case .rows(let r) = try await ann.execute("SELECT id FROM hr.people") { r.close() }  // closed early
        engine.flushAudit()
        let records = try engine.catalog.auditRecords()
        #expect(records.count - before == 5)
        let mine = Array(records.prefix(5).reversed())
        #expect(mine.map(\.decision) == [.allowed, .refused, .refused, .failed, .allowed])
        #expect(mine[0].principal == "ann@acme.test" && mine[0].roles == ["analyst"])
        #expect(mine[0].statement == "SELECT name FROM hr.people WHERE email = ? AND salary > ?")
        #expect(mine[0].products == ["hr.people"])
        #expect(Set(mine[0].columns) == ["hr.people.name", "hr.people.email", "hr.people.salary", "hr.people.region"])
        #expect(mine[0].policies.count == 2)
        #expect(mine[0].rowCount == 0)
        #expect(!mine[0].remoteQueries.isEmpty)
        for r in mine {
            let text = "\(r.statement) \(r.remoteQueries.map(\.sql))"
            for literal in ["secret-literal", "123456", "hidden-literal", "unparsed-literal", "'EU'"] {
                #expect(!text.contains(literal), "\(text)")
            }
        }
        // SHOW AUDIT is for org admins.
        #expect(await code(ann, "SHOW AUDIT") == "42501")
        let root = session(engine, "root@acme.test", roles: ["admin"])
        let refused = try await rows(root, "SHOW AUDIT WHERE decision = 'refused' AND principal = 'ann@acme.test'")
        // The two above, and the analyst's own attempt at SHOW AUDIT.
        #expect(refused.count == 3)
    }
}

/// The REPL's `\as`: switching identity changes what queries, listings and completion show.
@Suite struct IdentitySwitchTests {
    @Test func asSwitchesThePrincipalAndCompletionFollows() async throws {
        let folder = tempDirectory()
        try SQLiteDatabase(path: folder + "/a.db").execute("CREATE TABLE t (id INTEGER, secret TEXT); INSERT INTO t VALUES (1, 'x')")
        let engine = try Engine(catalogPath: folder + "/c.db")
        defer { engine.shutdown() }
        let session = engine.makeSession()
        for s in ["CREATE MESH m", "CREATE CONNECTOR l FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/a.db')",
                  "IMPORT DATA PRODUCTS FROM CONNECTOR l", "GRANT SELECT ON m.t TO ROLE analyst",
                  "DENY SELECT (secret) ON m.t TO ROLE analyst"] {
            _ = try await session.execute(s)
        }
        let backend = SessionBackend(session: session)
        #expect(backend.columnNames(mesh: "m", product: "t") == ["id", "secret"])
        guard case .message(let m)? = try await backend.metaCommand("as", argument: "ann@acme.test role analyst attr region=EU") else {
            Issue.record("\\as gave no message")
            return
        }
        #expect(m == "acting as ann@acme.test role analyst attr region=EU")
        #expect(backend.promptIdentity == "ann@acme.test")
        #expect(backend.columnNames(mesh: "m", product: "t") == ["id"])
        _ = try await backend.metaCommand("as", argument: "bob@acme.test")
        #expect(backend.productNames(mesh: "m").isEmpty)
        #expect(backend.meshNames().isEmpty)
        await #expect(throws: MeshError.self) { _ = try await backend.metaCommand("as", argument: "bob@acme.test role") }
        _ = try await backend.metaCommand("as", argument: "none")
        #expect(backend.promptIdentity == nil)
        #expect(backend.productNames(mesh: "m") == ["t"])
    }
}
