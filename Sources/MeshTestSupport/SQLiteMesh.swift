import Foundation
import MeshEngine
import MeshCore
import SQLiteDB

/// An engine on a catalog in a new folder with mesh `m` over one SQLite file (`s.db`, made by
/// `script`), its tables imported as `m.<table>` through connector `src`; then `more`
/// statements, all as the local superuser. The caller shuts the engine down.
public func engineOverSQLite(_ script: String, then more: [String] = []) async throws -> (engine: Engine, folder: String) {
    let folder = tempDirectory()
    try SQLiteDatabase(path: folder + "/s.db").execute(script)
    let engine = try Engine(catalogPath: folder + "/c.db")
    let s = engine.makeSession()
    for sql in ["CREATE MESH m", "CREATE CONNECTOR src FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/s.db')",
                "IMPORT DATA PRODUCTS FROM CONNECTOR src"] + more {
        _ = try await s.execute(sql)
    }
    return (engine, folder)
}

extension Session {
    /// The rows `sql` answers, each value as text (none for a statement with a message).
    public func textRows(_ sql: String) async throws -> [[String]] {
        guard case .rows(let r) = try await execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description) }
    }

    /// The error `sql` ends with, nil when it answers.
    public func refusal(_ sql: String) async -> MeshError? {
        do {
            _ = try await textRows(sql)
            return nil
        } catch {
            return error as? MeshError
        }
    }
}
