import ConnectorKit
import MeshCore

extension PostgresConnector {
    /// Tables, views, materialized views, partitioned and foreign tables of a schema (default
    /// `public`), with columns in order. Domains are typed by their base type; partitions are
    /// left out (their parent is listed).
    public func discover(schema: String?) async throws -> [RemoteTable] {
        let pool = self.pool
        let secrets = self.secrets
        let schemaName = schema ?? "public"
        return try await onSourceThread("meshql-postgres-discover") {
            try Self.withConnection(pool, secrets) { c in
                let r = try c.exec(Self.discoverSQL, parameters: [schemaName], binaryResults: false)
                var tables: [RemoteTable] = []
                for row in 0..<r.rowCount {
                    let name = r.string(row, 0) ?? ""
                    let kind: RemoteTable.Kind = ["v", "m"].contains(r.string(row, 1) ?? "") ? .view : .table
                    let oid = UInt32(r.string(row, 3) ?? "") ?? 0
                    let typmod = Int32(r.string(row, 4) ?? "") ?? -1
                    let column = RemoteColumn(name: r.string(row, 2) ?? "",
                                              type: PGType.dataType(oid: oid, typmod: typmod),
                                              nativeType: r.string(row, 5) ?? "",
                                              nullable: r.string(row, 6) != "t")
                    if let last = tables.last, last.name == name {
                        tables[tables.count - 1].columns.append(column)
                    } else {
                        tables.append(RemoteTable(schema: schemaName, name: name, kind: kind, columns: [column]))
                    }
                }
                return tables
            }
        }
    }

    static let discoverSQL = """
        SELECT c.relname, c.relkind::text, a.attname,
               (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END)::int8,
               CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
               pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND NOT c.relispartition
        ORDER BY c.relname, a.attnum
        """
}
