import Foundation
import MeshCore
import MeshEngine
import MeshFormat
import MeshREPL
import MeshTestSupport
import SQLiteDB
import Testing

/// Catalog and connector reproducers of issue 6, each once wrong: a read-only catalog that could
/// not be queried, connectors to nothing accepted, a silent empty import, drift not reported.
@Suite("Catalog hardening")
struct CatalogHardeningTests {
    func rows(_ s: Session, _ sql: String) async throws -> [[String]] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description) }
    }

    func message(_ s: Session, _ sql: String) async throws -> String {
        guard case .message(let m) = try await s.execute(sql) else { return "" }
        return m
    }

    /// A catalog in a new folder with mesh `m` over one SQLite file made by `script`, its
    /// tables imported; the engine is shut down again. Returns the folder and the file.
    func catalogOverSQLite(_ script: String) async throws -> (folder: String, source: String) {
        let folder = tempDirectory()
        let source = folder + "/a.db"
        try SQLiteDatabase(path: source).execute(script)
        let engine = try Engine(catalogPath: folder + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH m", "CREATE CONNECTOR l FOR MESH m TYPE sqlite OPTIONS (path '\(source)')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR l"] { _ = try await s.execute(sql) }
        return (folder, source)
    }

    @Test func readOnlyCatalogServesQueriesAndRefusesChanges() async throws {
        let (folder, _) = try await catalogOverSQLite("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")

        let reader = try Engine(catalogPath: folder + "/c.db", readOnly: true)
        defer { reader.shutdown() }
        let r = reader.makeSession()
        #expect(try await rows(r, "SELECT x FROM m.t") == [["7"]])
        let refused = await #expect(throws: MeshError.self) { _ = try await r.execute("CREATE MESH other") }
        #expect(refused?.message.contains("read-only") == true)
    }

    @Test func createConnectorReachesTheSourceFirst() async throws {
        let folder = tempDirectory()
        try "not a database\n".write(toFile: folder + "/text.txt", atomically: true, encoding: .utf8)
        try SQLiteDatabase(path: folder + "/empty.db").execute("PRAGMA user_version = 1")
        let engine = try Engine(catalogPath: folder + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        _ = try await s.execute("CREATE MESH m")
        for (i, path) in [folder + "/missing.db", folder, folder + "/text.txt", "/dev/null"].enumerated() {
            let e = await #expect(throws: MeshError.self) {
                _ = try await s.execute("CREATE CONNECTOR c\(i) FOR MESH m TYPE sqlite OPTIONS (path '\(path)')")
            }
            #expect(e?.message.hasPrefix("cannot reach the source of connector \"c\(i)\"") == true, "\(e?.message ?? "")")
            #expect(e?.hint?.contains("NO CHECK") == true)
        }
        #expect(try await rows(s, "SHOW CONNECTORS").isEmpty)
        #expect(try await message(s, "CREATE CONNECTOR later FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/later.db') NO CHECK")
            == "CREATE CONNECTOR")
        let found = try await message(s, "CREATE CONNECTOR e FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/empty.db')")
        #expect(found.hasPrefix("CREATE CONNECTOR — found SQLite"))
        // An empty source: the import says so instead of a bare count.
        #expect(try await message(s, "IMPORT DATA PRODUCTS FROM CONNECTOR e").contains("shows no tables"))
    }

    @Test func refreshReportsDrift() async throws {
        let (folder, source) = try await catalogOverSQLite("CREATE TABLE customers (customer_id INTEGER, name TEXT)")
        try FileManager.default.removeItem(atPath: source)
        try SQLiteDatabase(path: source).execute("CREATE TABLE customers (id INTEGER, name TEXT)")
        let again = try Engine(catalogPath: folder + "/c.db")
        defer { again.shutdown() }
        let m = try await message(again.makeSession(), "REFRESH DATA PRODUCT m.customers")
        #expect(m.contains("drift"), "\(m)")
        #expect(m.contains("added id") && m.contains("removed customer_id"), "\(m)")
    }
}

@Suite struct OutputStartTests {
    /// A result that fails before its first batch (a source refusing the query) prints nothing:
    /// no orphan CSV header before the error.
    @Test func nothingIsWrittenBeforeTheFirstBatch() async {
        var sink = StringSink()
        await #expect(throws: MeshError.self) {
            try await ResultRenderer.render(fields: [Field(name: "a", type: .bigint)], format: .csv, to: &sink) {
                throw MeshError(.source, "target lists can have at most 1664 entries")
            }
        }
        #expect(sink.text.isEmpty)
    }
}
