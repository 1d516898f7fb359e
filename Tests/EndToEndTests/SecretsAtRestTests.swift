import Foundation
import MeshCore
import MeshEngine
import MeshREPL
import MeshTestSupport
import SQLiteDB
import Testing

/// A connector's password is in no file meshql writes: the catalog and its WAL hold it sealed
/// (the key lives in a 0600 file beside the catalog), the catalog itself is 0600, and the
/// REPL's history skips lines that carry one.
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    static let password = "zebra-hunter-7431"

    /// Every byte of every file in `folder`.
    func filesContaining(_ needle: String, in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            return data.range(of: Data(needle.utf8)) != nil
        }
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func passwordsAreSealedInTheCatalogAndItsWAL() async throws {
        guard let pg = try await E2EFixture.postgres() else {
            print("SKIP (no PostgreSQL): secrets at rest")
            return
        }
        let folder = tempDirectory()
        let catalog = folder + "/catalog.db"
        let engine = try Engine(catalogPath: catalog)
        let session = engine.makeSession()
        // Trust authentication lets any password in: the query proves the secret still works.
        _ = try await session.execute("CREATE MESH shop")
        _ = try await session.execute("""
            CREATE CONNECTOR shop_pg FOR MESH shop TYPE postgres
            OPTIONS (dsn \(E2EFixture.literal(pg.conninfo + " password=" + Self.password)), password '\(Self.password)-2')
            """)
        _ = try await session.execute("IMPORT DATA PRODUCTS FROM CONNECTOR shop_pg SCHEMA shop")
        guard case .rows(let r) = try await session.execute("SELECT count(*) FROM shop.orders") else { return }
        #expect(try await r.collectRows().count == 1)
        guard case .rows(let list) = try await session.execute("SHOW CONNECTORS") else { return }
        let shown = try await list.collectRows().flatMap { $0.map(\.description) }.joined(separator: " ")
        #expect(!shown.contains(Self.password))
        _ = try await session.execute("ALTER CONNECTOR shop_pg OPTIONS (SET password '\(Self.password)-3')")
        engine.shutdown()

        #expect(try filesContaining(Self.password, in: folder) == [])
        #expect(try mode(catalog) == 0o600)
        #expect(try mode(catalog + ".key") == 0o600)

        // Reopened: the sealed secrets open with the key file, and queries still run.
        let again = try Engine(catalogPath: catalog)
        defer { again.shutdown() }
        guard case .rows(let r2) = try await again.makeSession().execute("SELECT count(*) FROM shop.orders") else { return }
        #expect(try await r2.collectRows().count == 1)
    }

    /// A catalog written before secrets were sealed: its plain-text passwords are sealed when
    /// it opens, and no copy stays in the file or its WAL.
    @Test func plainTextSecretsOfAnOlderCatalogAreSealedOnOpen() async throws {
        let folder = tempDirectory()
        let catalog = folder + "/catalog.db"
        let engine = try Engine(catalogPath: catalog)
        let session = engine.makeSession()
        _ = try await session.execute("CREATE MESH m")
        _ = try await session.execute("CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn 'host=h', password 'x') NO CHECK")
        engine.shutdown()
        do {
            let db = try SQLiteDatabase(path: catalog)
            // As an older meshql stored them: the password plain, and a DSN holding one as a
            // plain option.
            let update = try db.prepare("UPDATE connectors SET secret_options = ?, options = ?")
            try update.bind([.text("{\"password\":\"\(Self.password)\"}"),
                             .text("{\"dsn\":\"postgresql://u:\(Self.password)-dsn@h/d\"}")])
            _ = try update.step()
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        #expect(try filesContaining(Self.password, in: folder) == ["catalog.db"])

        let reopened = try Engine(catalogPath: catalog)
        reopened.shutdown()
        #expect(try filesContaining(Self.password, in: folder) == [])
    }

    @Test func historySkipsLinesWithCredentials() {
        #expect(!HistoryPolicy.mayRemember("CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (password 'x')"))
        #expect(!HistoryPolicy.mayRemember("ALTER CONNECTOR c SET OPTIONS (dsn 'postgresql://u:pw@h/d')"))
        #expect(!HistoryPolicy.mayRemember("  dsn 'host=h PASSWORD=pw'"))
        #expect(HistoryPolicy.mayRemember("SELECT * FROM shop.orders"))
    }
}
