import Foundation
import MeshCore
import SQLiteDB

/// Recognises a catalog file and brings its schema up to date.
enum CatalogSchema {
    static func prepare(_ db: SQLiteDatabase, path: String, readOnly: Bool = false) throws {
        func notACatalog(_ why: String) -> MeshError {
            MeshError(.catalog, "\(path) is not a meshql catalog (\(why))",
                      hint: "point --catalog at a meshql catalog file or at a new file name")
        }
        do {
            // Read-only checks first: nothing is written to a file we refuse.
            let appID = try db.scalarInt("PRAGMA application_id") ?? 0
            let tables = try db.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") { $0.text(0) }
            if appID != 0 && appID != Int(CatalogStore.applicationID) {
                throw notACatalog("it is another application's database")
            }
            let hasMigrations = tables.contains("schema_migrations")
            if !tables.isEmpty && !hasMigrations {
                throw notACatalog("it is an SQLite database with other tables")
            }
            let current = try hasMigrations
                ? db.scalarInt("SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0 : 0
            if current > Migrations.latestVersion {
                throw MeshError(
                    .catalog,
                    "catalog \(path) has schema version \(current), newer than this meshql knows (\(Migrations.latestVersion))",
                    hint: "use a newer meshql; the catalog was left untouched")
            }

            if readOnly {
                guard current == Migrations.latestVersion else {
                    throw MeshError(.catalog, "catalog \(path) is read-only and needs an upgrade to this meshql's schema",
                                    hint: "open it once with write access")
                }
                try db.execute("PRAGMA foreign_keys = ON")
                return
            }
            try db.execute("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA foreign_keys = ON")
            for migration in Migrations.all where migration.version > current {
                try apply(migration, to: db)
            }
        } catch let error as SQLiteDatabase.Error where error.isNotADatabase {
            throw notACatalog("not an SQLite database, or damaged")
        } catch let error as SQLiteDatabase.Error {
            throw MeshError(.catalog, "cannot prepare catalog \(path): \(error.message)")
        }
    }

    /// Applies one migration in its own transaction. The version is re-checked inside the
    /// transaction (BEGIN IMMEDIATE holds the write lock), so two processes opening a new
    /// catalog at once apply each migration exactly once.
    private static func apply(_ migration: Migration, to db: SQLiteDatabase) throws {
        try db.transaction {
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    applied_at TEXT NOT NULL
                )
                """)
            let done = try db.scalarInt("SELECT count(*) FROM schema_migrations WHERE version = ?",
                                        [.int(Int64(migration.version))]) ?? 0
            guard done == 0 else { return }
            try db.execute(migration.sql)
            try db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                       [.int(Int64(migration.version)), .text(CatalogTimestamp.format(Date()))])
            try db.execute("PRAGMA application_id = \(CatalogStore.applicationID)")
        }
    }
}
