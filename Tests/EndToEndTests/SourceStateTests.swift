import Foundation
import MeshCatalog
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Connectors' and products' `state` follow their sources: schema drift makes a product
/// unhealthy (and queries on it fail with the reason) until REFRESH; an unreachable source
/// makes its connector unhealthy until it answers again.
@Suite struct SourceStateTests {
    func error(_ s: Session, _ sql: String) async -> MeshError? {
        do {
            guard case .rows(let r) = try await s.execute(sql) else { return nil }
            _ = try await r.collectRows()
            return nil
        } catch let e as MeshError {
            return e
        } catch {
            return MeshError(.internalError, "\(error)")
        }
    }

    @Test func aColumnGoneAtTheSourceMakesTheProductUnhealthyUntilRefresh() async throws {
        let folder = tempDirectory()
        let db = try SQLiteDatabase(path: folder + "/d.db")
        try db.execute("CREATE TABLE t (id INTEGER, name TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH m", "CREATE CONNECTOR src FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/d.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR src"] { _ = try await s.execute(sql) }
        #expect(await error(s, "SELECT id, name FROM m.t") == nil)
        try db.execute("ALTER TABLE t DROP COLUMN name")
        #expect(await error(s, "SELECT name FROM m.t")?.code == .undefinedColumn)
        engine.flushAudit()
        let product = try #require(try engine.catalog.products(org: "default").first { $0.name == "t" })
        #expect(!product.state.healthy)
        #expect(product.state.reason.hasPrefix("Schema drift:"))
        // Every query on it now says why, even one that reads a column still there.
        let refused = await error(s, "SELECT id FROM m.t")
        #expect(refused?.sqlState == "55000")
        #expect(refused?.message.contains("unhealthy: Schema drift") == true)
        _ = try await s.execute("REFRESH DATA PRODUCT m.t")
        #expect(await error(s, "SELECT id FROM m.t") == nil)
        #expect(try engine.catalog.products(org: "default").first { $0.name == "t" }?.state.healthy == true)
    }

    @Test func readersSeeNeitherHiddenColumnsNorTheSourceNorTheDriftDetail() async throws {
        let folder = tempDirectory()
        let db = try SQLiteDatabase(path: folder + "/d.db")
        try db.execute("CREATE TABLE t (id INTEGER, secret TEXT); INSERT INTO t VALUES (1, 'x')")
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        defer { engine.shutdown() }
        let admin = engine.makeSession()
        for sql in ["CREATE MESH m WITH (owner = 'olga@acme.test')", "CREATE CONNECTOR src FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/d.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR src", "GRANT SELECT ON m.t TO ROLE analyst",
                    "DENY SELECT (secret) ON m.t TO ROLE analyst"] { _ = try await admin.execute(sql) }
        let ann = engine.makeSession()
        ann.principal = Principal(user: "ann@acme.test", roles: ["analyst"])
        let product = try #require(try engine.catalog.products(org: "default").first)
        let (seen, mesh) = try #require(try ann.visibleProduct(id: product.id))
        let view = try ann.readerView(of: seen, in: mesh)
        #expect(view.columns.map(\.name) == ["id"])
        #expect(view.connectorId == nil && view.remoteName == nil && view.viewSQL == nil)
        let olga = engine.makeSession()
        olga.principal = Principal(user: "olga@acme.test")
        #expect(try olga.readerView(of: seen, in: mesh).columns.count == 2)
        // A drift's detail names columns: readers are told only that there is one.
        try db.execute("ALTER TABLE t DROP COLUMN secret")
        #expect(await error(admin, "SELECT secret FROM m.t")?.code == .undefinedColumn)
        engine.flushAudit()
        let refused = await error(ann, "SELECT id FROM m.t")
        #expect(refused?.sqlState == "55000")
        #expect(refused?.message.contains("secret") == false)
    }

    @Test func anUnreachableSourceMakesItsConnectorUnhealthyUntilItAnswers() async throws {
        guard let pg = try await TestPostgres.shared() else { return }
        let name = "meshql_state_\(getpid())"
        let conninfo = try pg.createDatabase(name)
        try pg.execute("CREATE TABLE t (id integer); INSERT INTO t VALUES (1)", database: name)
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH m", "CREATE CONNECTOR src FOR MESH m TYPE postgres OPTIONS (dsn '\(conninfo.replacingOccurrences(of: "'", with: "''"))', pool_size '1')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR src"] { _ = try await s.execute(sql) }
        #expect(await error(s, "SELECT id FROM m.t") == nil)
        try pg.execute("DROP DATABASE \(name) WITH (FORCE)")
        #expect(await error(s, "SELECT id FROM m.t")?.code == .connection)
        engine.flushAudit()
        let down = try #require(try engine.catalog.connector(name: "src", org: "default"))
        #expect(!down.state.healthy)
        #expect(down.state.reason.hasPrefix("Unreachable:"))
        #expect(await error(s, "TEST CONNECTOR src")?.code == .connection)
        _ = try pg.createDatabase(name)
        try pg.execute("CREATE TABLE t (id integer); INSERT INTO t VALUES (1)", database: name)
        #expect(await error(s, "SELECT id FROM m.t") == nil)
        engine.flushAudit()
        #expect(try engine.catalog.connector(name: "src", org: "default")?.state.healthy == true)
    }
}
