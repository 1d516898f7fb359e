import Foundation
import MeshCore
import SQLiteDB

extension SQLiteConnector {
    /// Opens one read-only connection to the file, set up to match PostgreSQL's LIKE.
    static func openReadOnly(path: String) throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MeshError(.connection, "SQLite file not found: \(path)")
        }
        do {
            let db = try SQLiteDatabase(path: path, mode: .readOnly)
            // LIKE as PostgreSQL has it; and no writes even through a function with side effects.
            try db.execute("PRAGMA case_sensitive_like = ON; PRAGMA query_only = ON")
            return db
        } catch let e as SQLiteDatabase.Error {
            throw MeshError(.connection, "cannot open SQLite source \(path): \(e.message)")
        }
    }
}
