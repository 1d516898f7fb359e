import Foundation
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Two SQLite files as two meshes, `facts` and `dims` (a connector each, products imported),
/// and SQLite itself over both files attached under the meshes' names: the reference a
/// query's answer is compared with.
struct TwoFileMeshes {
    let engine: Engine
    let session: Session
    let reference: SQLiteDatabase

    /// `facts` and `dims` are the SQL scripts that fill each file.
    init(facts: String, dims: String) async throws {
        let folder = tempDirectory()
        try SQLiteDatabase(path: folder + "/facts.db").execute(facts)
        try SQLiteDatabase(path: folder + "/dims.db").execute(dims)
        reference = try SQLiteDatabase(path: folder + "/reference.db")
        try reference.execute("ATTACH DATABASE '\(folder)/facts.db' AS facts; ATTACH DATABASE '\(folder)/dims.db' AS dims")
        engine = try Engine(catalogPath: folder + "/catalog.db")
        session = engine.makeSession()
        for sql in ["CREATE MESH facts", "CREATE MESH dims",
                    "CREATE CONNECTOR facts_db FOR MESH facts TYPE sqlite OPTIONS (path '\(folder)/facts.db')",
                    "CREATE CONNECTOR dims_db FOR MESH dims TYPE sqlite OPTIONS (path '\(folder)/dims.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR facts_db", "IMPORT DATA PRODUCTS FROM CONNECTOR dims_db"] {
            _ = try await session.execute(sql)
        }
    }

    /// SQLite's rows for `sql`, each as its fields joined by `|` (NULL as `NULL`).
    func expected(_ sql: String) throws -> [String] {
        let statement = try reference.prepare(sql)
        var rows: [String] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.isNull($0) ? "NULL" : statement.text($0) }.joined(separator: "|"))
        }
        return rows
    }

    /// meshql's rows for `sql`, spelt as `expected` spells SQLite's.
    func actual(_ sql: String) async throws -> [String] {
        guard case .rows(let result) = try await session.execute(sql) else { return [] }
        return try await result.collectRows().map { row in row.map { $0.isNull ? "NULL" : $0.description }.joined(separator: "|") }
    }

    /// The lines of `EXPLAIN [ANALYZE] sql`.
    func plan(_ sql: String, analyze: Bool = false) async throws -> [String] {
        guard case .rows(let explain) = try await session.execute((analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + sql) else { return [] }
        return try await explain.collectRows().map { $0[0].description }
    }
}
