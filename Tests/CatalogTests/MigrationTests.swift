import Foundation
import MeshCore
import Testing
@testable import MeshCatalog

@Suite("Catalog file and migrations")
struct MigrationTests {
    @Test("a new catalog gets every migration once; reopening applies nothing")
    func migrationsRunOnce() throws {
        try withTempDirectory { dir in
            let path = dir + "/nested/folder/meshql.db"
            let first = try CatalogStore(path: path)
            #expect(try first.schemaVersion == Migrations.latestVersion)
            let versions = try first.withDatabase { db in
                try db.query("SELECT version FROM schema_migrations ORDER BY version") { Int($0.int64(0)) }
            }
            #expect(versions == Migrations.all.map(\.version))
            try first.createMesh(Mesh(name: "Sales"))

            let second = try CatalogStore(path: path)
            let count = try second.withDatabase { try $0.scalarInt("SELECT count(*) FROM schema_migrations") }
            #expect(count == Migrations.all.count)
            #expect(try second.meshes().map(\.sqlName) == ["sales"])
        }
    }

    @Test("the catalog is in WAL mode with foreign keys on, and every table exists")
    func pragmasAndTables() throws {
        try withStore { store in
            let mode = try store.withDatabase { db in try db.query("PRAGMA journal_mode") { $0.text(0) } }
            #expect(mode == ["wal"])
            #expect(try store.withDatabase { try $0.scalarInt("PRAGMA foreign_keys") } == 1)
            let tables = try store.withDatabase { db in
                try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
            }
            for name in ["audit_log", "connectors", "lineage_edges", "meshes", "products", "schema_migrations"] {
                #expect(tables.contains(name), "missing table \(name)")
            }
        }
    }

    @Test("migrations are numbered strictly increasing")
    func migrationOrder() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == versions.sorted())
        #expect(Set(versions).count == versions.count)
        #expect(versions.first == 1)
    }

    @Test("a garbage file gives a clear error and is left untouched")
    func garbageFile() throws {
        try withTempDirectory { dir in
            let path = dir + "/garbage.db"
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: MeshError.self) { try CatalogStore(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains("is not a meshql catalog") == true)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
    }

    @Test("a short text file gives a clear error")
    func textFile() throws {
        try withTempDirectory { dir in
            let path = dir + "/notes.txt"
            try "just some notes\n".write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: MeshError.self) { try CatalogStore(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains("is not a meshql catalog") == true)
        }
    }

    @Test("another application's SQLite database is refused, not migrated")
    func foreignDatabase() throws {
        try withTempDirectory { dir in
            let path = dir + "/other.db"
            do {
                // Turn a catalog into a plain database with one unrelated table.
                let store = try CatalogStore(path: path)
                try store.withDatabase { db in
                    for table in ["lineage_edges", "audit_log", "products", "connectors", "meshes", "schema_migrations"] {
                        try db.execute("DROP TABLE \(table)")
                    }
                    try db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); PRAGMA application_id = 0")
                }
            }
            let error = #expect(throws: MeshError.self) { try CatalogStore(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains("is not a meshql catalog") == true)
        }
    }

    @Test("a catalog written by a newer meshql is refused and left untouched")
    func futureVersion() throws {
        try withTempDirectory { dir in
            let path = dir + "/meshql.db"
            do {
                let store = try CatalogStore(path: path)
                try store.createMesh(Mesh(name: "Sales"))
                try store.withDatabase { db in
                    try db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                               [.int(Int64(Migrations.latestVersion + 7)), .text("2099-01-01T00:00:00.000000Z")])
                }
            }
            let error = #expect(throws: MeshError.self) { try CatalogStore(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains("newer") == true)
            #expect(error?.message.contains("version \(Migrations.latestVersion + 7)") == true)
        }
    }

    @Test("an older catalog is brought up to date, keeping its data")
    func upgradeFromVersionOne() throws {
        try withTempDirectory { dir in
            let path = dir + "/meshql.db"
            do {
                let store = try CatalogStore(path: path)
                try store.createMesh(fullMesh())
                // Roll back to what a version-1 meshql would have written.
                try store.withDatabase { db in
                    try db.execute("DROP TABLE hash_domains; DROP TABLE source_rules; DROP TABLE api_tokens; DROP TABLE named_policies; DROP TABLE source_statistics; DROP TABLE lineage_edges; DROP TABLE audit_log; DELETE FROM schema_migrations WHERE version > 1")
                }
            }
            let store = try CatalogStore(path: path)
            #expect(try store.schemaVersion == Migrations.latestVersion)
            #expect(try store.meshes().count == 1)
            #expect(try store.withDatabase { try $0.scalarInt("SELECT count(*) FROM audit_log") } == 0)
        }
    }

    @Test("several stores on one file see each other's writes")
    func twoStoresOneFile() throws {
        try withTempDirectory { dir in
            let path = dir + "/meshql.db"
            let a = try CatalogStore(path: path)
            let b = try CatalogStore(path: path)
            try a.createMesh(Mesh(name: "Sales"))
            #expect(try b.mesh(sqlName: "sales") != nil)
        }
    }
}
