import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Sources belong to the operator, then to an org (the tenancy issue, problem 1): a mesh
/// manager or org admin may point a connector only at a file or server the operator allowed
/// the org, never at another mesh's source, and learns nothing about anything else — one
/// error text for a missing file, a folder, a file outside the roots, the catalog, its key, a
/// symlink out of a root, a closed port and a DSN that would read a file of the server's.
@Suite(.serialized) struct SourceConfinementTests {
    /// Folder `acme/` (the org's SQLite root) with crm.db and cx.db, `outside/` with
    /// secret.db, a symlink from acme/ to the secret, and org acme with meshes sales (owned by
    /// sam) and cx (whose connector the operator made on acme/cx.db).
    struct World {
        let dir: String
        let engine: Engine

        init() async throws {
            dir = tempDirectory()
            let fm = FileManager.default
            for folder in ["acme", "acme/folder", "outside"] { try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true) }
            for file in ["acme/crm.db", "acme/cx.db", "outside/secret.db"] {
                try SQLiteDatabase(path: dir + "/" + file).execute("CREATE TABLE t (id INTEGER, secret TEXT); INSERT INTO t VALUES (1, 'raw')")
            }
            try fm.createSymbolicLink(atPath: dir + "/acme/link.db", withDestinationPath: dir + "/outside/secret.db")
            engine = try Engine(catalogPath: dir + "/catalog.db")
            let op = engine.makeSession()
            op.org = "acme"
            for sql in ["CREATE MESH sales WITH (owner = 'sam@acme.test')", "CREATE MESH cx WITH (owner = 'cy@acme.test')",
                        "CREATE CONNECTOR cx_file FOR MESH cx TYPE sqlite OPTIONS (path '\(dir)/acme/cx.db')",
                        "IMPORT DATA PRODUCTS FROM CONNECTOR cx_file",
                        "DENY SELECT (secret) ON cx.t TO PUBLIC"] {
                _ = try await op.execute(sql)
            }
            try engine.allowSQLiteRoot(org: "acme", path: dir + "/acme")
        }

        func session(_ user: String, org: String = "acme", roles: Set<String> = []) -> Session {
            let s = engine.makeSession()
            s.org = org
            s.principal = Principal(user: user, roles: roles)
            return s
        }
    }

    static func refusal(_ s: Session, _ sql: String) async -> String? {
        do {
            _ = try await s.execute(sql)
            return nil
        } catch let e as MeshError {
            return "\(e.code) \(e.message)"
        } catch {
            return "\(error)"
        }
    }

    static let refused = "\(MeshError.Code.permission) this source is not open to connectors of this organisation"

    @Test func aManagerReachesOnlyTheOrgsRootsWithOneErrorForEverythingElse() async throws {
        let w = try await World()
        defer { w.engine.shutdown() }
        let sam = w.session("sam@acme.test")
        let dir = w.dir
        let paths = [
            "\(dir)/outside/secret.db",                 // outside the root
            "\(dir)/acme/../outside/secret.db",         // .. out of it
            "\(dir)/acme/link.db",                      // a symlink out of it
            "\(dir)/acme/missing.db",                   // not there
            "\(dir)/outside/missing.db",
            "\(dir)/catalog.db", "\(dir)/catalog.db.key", // meshql's own
            "/etc/passwd", "/dev/null", "\(dir)/outside",
            "\(dir)/acme/cx.db",                        // inside, but mesh cx's source
            "\(dir)/acme/./cx.db",
        ]
        for (i, path) in paths.enumerated() {
            for check in ["", " NO CHECK"] {
                let got = await Self.refusal(sam, "CREATE CONNECTOR c\(i) FOR MESH sales TYPE sqlite OPTIONS (path '\(path)')\(check)")
                #expect(got == Self.refused, "\(path): \(got ?? "accepted")")
            }
        }
        #expect(try w.engine.catalog.connectors(org: "acme").map(\.name) == ["cx_file"])
        // Inside the root: accepted, and a later ALTER out of it refused the same way.
        _ = try await sam.execute("CREATE CONNECTOR crm FOR MESH sales TYPE sqlite OPTIONS (path '\(dir)/acme/crm.db')")
        for path in ["\(dir)/outside/secret.db", "\(dir)/acme/cx.db", "\(dir)/acme/link.db"] {
            let got = await Self.refusal(sam, "ALTER CONNECTOR crm OPTIONS (SET path '\(path)')")
            #expect(got == Self.refused, "\(path): \(got ?? "accepted")")
        }
        // Within the root, ALTER is accepted.
        _ = try await sam.execute("ALTER CONNECTOR crm OPTIONS (SET path '\(dir)/acme/crm.db')")
    }

    @Test func anotherOrgsAdminReachesNothingOfTheFirstOrg() async throws {
        let w = try await World()
        defer { w.engine.shutdown() }
        let op = w.engine.makeSession()
        op.org = "other"
        _ = try await op.execute("CREATE MESH spy")
        let admin = w.session("root@other.test", org: "other", roles: ["admin"])
        for path in ["\(w.dir)/acme/cx.db", "\(w.dir)/acme/crm.db", "\(w.dir)/outside/secret.db", "\(w.dir)/nothing.db"] {
            let got = await Self.refusal(admin, "CREATE CONNECTOR c FOR MESH spy TYPE sqlite OPTIONS (path '\(path)')")
            #expect(got == Self.refused, "\(path): \(got ?? "accepted")")
        }
    }

    /// PostgreSQL DSNs are refused before any connection: a closed port and an open one, a
    /// DSN without a host (the local socket), one that reads a service or certificate file.
    @Test func postgresSourcesNeedARuleAndAreNotProbed() async throws {
        let w = try await World()
        defer { w.engine.shutdown() }
        let sam = w.session("sam@acme.test")
        let closed = try LoopbackPort.free()
        let dsns = [
            "host=127.0.0.1 port=\(closed) dbname=x", "host=localhost port=5432 dbname=x", "dbname=x",
            "postgres://127.0.0.1:\(closed)/x", "host=127.0.0.1 port=\(closed) dbname=x service=evil",
            "host=127.0.0.1 port=\(closed) dbname=x sslrootcert=/etc/passwd", "not a dsn",
        ]
        for (i, dsn) in dsns.enumerated() {
            let got = await Self.refusal(sam, "CREATE CONNECTOR p\(i) FOR MESH sales TYPE postgres OPTIONS (dsn '\(dsn)')")
            #expect(got == Self.refused, "\(dsn): \(got ?? "accepted")")
        }
        // Allowed: one database on one server; the host compared by address.
        try w.engine.allowPostgres(org: "acme", pattern: "localhost:\(closed)/sales")
        _ = try await sam.execute("CREATE CONNECTOR pg FOR MESH sales TYPE postgres OPTIONS (dsn 'host=127.0.0.1 port=\(closed) dbname=sales') NO CHECK")
        for dsn in ["host=127.0.0.1 port=\(closed) dbname=other", "host=127.0.0.1 port=\(closed + 1) dbname=sales",
                    "host=127.0.0.1,10.1.2.3 port=\(closed) dbname=sales",
                    "host=127.0.0.1 hostaddr=10.1.2.3 port=\(closed) dbname=sales"] {
            let got = await Self.refusal(sam, "ALTER CONNECTOR pg OPTIONS (SET dsn '\(dsn)')")
            #expect(got == Self.refused, "\(dsn): \(got ?? "accepted")")
        }
    }

    /// A MariaDB connector needs a rule for its server too (the same host:port[/database]
    /// rules), and a socket it names is a source of its own.
    @Test func mariadbSourcesNeedARuleToo() async throws {
        let w = try await World()
        defer { w.engine.shutdown() }
        let sam = w.session("sam@acme.test")
        let closed = try LoopbackPort.free()
        for (i, dsn) in ["mariadb://u@127.0.0.1:\(closed)/sales", "mysql://u@localhost/sales", "mariadb://u@h/sales?socket=/tmp/x.sock",
                         "mariadb://nonsense"].enumerated() {
            let got = await Self.refusal(sam, "CREATE CONNECTOR m\(i) FOR MESH sales TYPE mariadb OPTIONS (dsn '\(dsn)')")
            #expect(got == Self.refused, "\(dsn): \(got ?? "accepted")")
        }
        try w.engine.allowPostgres(org: "acme", pattern: "localhost:\(closed)/sales")
        _ = try await sam.execute("CREATE CONNECTOR maria FOR MESH sales TYPE mariadb OPTIONS (dsn 'mariadb://u@127.0.0.1:\(closed)/sales') NO CHECK")
        for dsn in ["mariadb://u@127.0.0.1:\(closed)/other", "mariadb://u@127.0.0.1:\(closed + 1)/sales",
                    "mariadb://u@127.0.0.1:\(closed)/sales?socket=/tmp/x.sock"] {
            let got = await Self.refusal(sam, "ALTER CONNECTOR maria OPTIONS (SET dsn '\(dsn)')")
            #expect(got == Self.refused, "\(dsn): \(got ?? "accepted")")
        }
    }

    /// A connector whose rule the operator removes is refused to principals at query time
    /// (and listed by `checkSources`); the operator still reads it.
    @Test func aRevokedSourceIsRefusedAtQueryTime() async throws {
        let w = try await World()
        defer { w.engine.shutdown() }
        _ = try await w.engine.makeSession().execute("SELECT 1")
        let op = w.engine.makeSession()
        op.org = "acme"
        _ = try await op.execute("GRANT SELECT ON cx.* TO PUBLIC")
        let cy = w.session("cy@acme.test")
        guard case .rows(let r) = try await cy.execute("SELECT count(*) FROM cx.t") else { return }
        #expect(try await r.collectRows().map { $0.map(\.description) } == [["1"]])
        #expect(try w.engine.checkSources(org: "acme").allSatisfy(\.allowed))

        // The operator's connector added an exact rule; the root allows it too. Remove both.
        #expect(try w.engine.disallowSource(org: "acme", kind: .sqlite, pattern: w.dir + "/acme"))
        #expect(try w.engine.disallowSource(org: "acme", kind: .sqlite, pattern: w.dir + "/acme/cx.db"))
        #expect(try w.engine.checkSources(org: "acme").map(\.allowed) == [false])
        #expect(await Self.refusal(cy, "SELECT count(*) FROM cx.t") == Self.refused)
        #expect(await Self.refusal(cy, "IMPORT DATA PRODUCTS FROM CONNECTOR cx_file") == Self.refused)
        guard case .rows(let again) = try await op.execute("SELECT count(*) FROM cx.t") else { return }
        #expect(try await again.collectRows().map { $0.map(\.description) } == [["1"]])
    }
}
