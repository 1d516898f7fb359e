import ConnectorKit
import MeshCore
import SQLiteDB

extension SQLiteConnector {
    /// Tables and views of a schema (default `main`), with columns typed from their declared
    /// types (`sqlite_master` + `pragma_table_info`).
    public func discover(schema: String?) async throws -> [RemoteTable] {
        let pool = self.pool
        let schemaName = schema ?? "main"
        let quotedSchema = SQLiteDialect().quoteIdentifier(schemaName)
        return try await onSourceThread("meshql-sqlite-discover") {
            try Self.withDatabase(pool, path: path) { db in
                let schemas = try db.prepare("SELECT name FROM pragma_database_list")
                var known: [String] = []
                while try schemas.step() { known.append(schemas.text(0)) }
                guard known.contains(schemaName) else {
                    throw MeshError(.undefinedObject, "schema \"\(schemaName)\" does not exist in the SQLite source")
                }
                let list = try db.prepare("""
                    SELECT name, type FROM \(quotedSchema).sqlite_master
                    WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                    ORDER BY name
                    """)
                var objects: [(String, RemoteTable.Kind)] = []
                while try list.step() { objects.append((list.text(0), list.text(1) == "view" ? .view : .table)) }

                let info = try db.prepare("SELECT name, type, \"notnull\" FROM pragma_table_info(?1, ?2) ORDER BY cid")
                return try objects.map { name, kind in
                    try info.bind([.text(name), .text(schemaName)])
                    var columns: [RemoteColumn] = []
                    while try info.step() {
                        let declared = info.text(1)
                        columns.append(RemoteColumn(name: info.text(0), type: Self.dataType(declared: declared),
                                                    nativeType: declared, nullable: info.int64(2) == 0))
                    }
                    return RemoteTable(schema: schemaName, name: name, kind: kind, columns: columns)
                }
            }
        }
    }

    /// The meshql type of a declared SQLite column type. Names meshql knows map as written,
    /// as PostgreSQL would read the same DDL (`INTEGER` is integer, `BIGINT` bigint,
    /// `DECIMAL(15,2)`, `DATE`, `TIMESTAMP`/`DATETIME`, `BOOLEAN`, `VARCHAR(n)`, `BLOB`), so a
    /// table has the same types, and its sums the same result types, in either source; a
    /// stored value outside the declared range is an error when read. Other names follow
    /// SQLite's affinity rules (any other integer name is bigint, SQLite integers being
    /// 64-bit); numeric affinity and an empty type (expressions in views) read as text, which
    /// holds any value exactly.
    public static func dataType(declared: String) -> DataType {
        if let t = DataType.parse(declared) {
            return t
        }
        let upper = declared.uppercased()
        if upper.contains("INT") { return .bigint }
        if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") { return .text }
        if upper.contains("BLOB") { return .bytea }
        if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") { return .double }
        return .text
    }
}
