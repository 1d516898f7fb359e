import ConnectorKit
import MeshCore

extension MariaDBConnector {
    /// Tables and views of a database (MariaDB's schemas are its databases; default: the
    /// DSN's), with columns in order.
    public func discover(schema: String?) async throws -> [RemoteTable] {
        let pool = self.pool
        let secrets = self.secrets
        let database = schema ?? settings.database
        return try await onSourceThread("meshql-mariadb-discover") {
            try Self.withConnection(pool, secrets) { c in
                let known = try c.rows("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [.string(database)])
                guard !known.isEmpty else {
                    throw MeshError(.undefinedObject, "schema \"\(database)\" does not exist in the MariaDB source")
                }
                let rows = try c.rows(Self.discoverSQL, [.string(database)])
                var tables: [RemoteTable] = []
                for row in rows {
                    guard row.count == 5, let name = row[0], let column = row[2], let columnType = row[3] else { continue }
                    let kind: RemoteTable.Kind = row[1] == "VIEW" || row[1] == "SYSTEM VIEW" ? .view : .table
                    let remote = RemoteColumn(name: column, type: Self.dataType(columnType: columnType),
                                              nativeType: columnType, nullable: row[4] != "NO")
                    if let last = tables.last, last.name == name {
                        tables[tables.count - 1].columns.append(remote)
                    } else {
                        tables.append(RemoteTable(schema: database, name: name, kind: kind, columns: [remote]))
                    }
                }
                return tables
            }
        }
    }

    static let discoverSQL = """
        SELECT t.TABLE_NAME, t.TABLE_TYPE, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE
        FROM information_schema.TABLES t
        JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
        WHERE t.TABLE_SCHEMA = ?
        ORDER BY BINARY t.TABLE_NAME, c.ORDINAL_POSITION
        """

    /// The meshql type of a MariaDB column type (`COLUMN_TYPE`: `int(11)`, `bigint(20)
    /// unsigned`, `decimal(15,2)`, `varchar(25)`). Unsigned integers widen to the next type
    /// that holds them; `tinyint(1)` is MariaDB's BOOLEAN; `TIMESTAMP` is a point in time
    /// (read in the session's UTC), `DATETIME` a wall-clock time. Text, ENUM, SET, JSON and
    /// TIME read as text; binary strings and BLOBs as bytea.
    public static func dataType(columnType: String) -> DataType {
        let lowered = columnType.lowercased()
        let unsigned = lowered.contains("unsigned")
        let base = String(lowered.prefix { $0.isLetter })
        switch base {
        case "tinyint":
            return lowered.hasPrefix("tinyint(1)") && !unsigned ? .boolean : .smallint
        case "bool", "boolean": return .boolean
        case "smallint": return unsigned ? .integer : .smallint
        case "mediumint": return .integer
        case "int", "integer": return unsigned ? .bigint : .integer
        case "bigint": return unsigned ? .decimal(precision: 20, scale: 0) : .bigint
        case "decimal", "numeric", "fixed":
            // `decimal(p,s)`; MariaDB allows 65 digits, meshql holds 38 (a wider value fails
            // when read, naming its column). No arguments: MariaDB's DECIMAL(10,0).
            let arguments = lowered.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }.split(separator: ",")
                .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let p = arguments.first ?? 10, s = arguments.count > 1 ? arguments[1] : 0
            return .decimal(precision: min(p, DataType.maxDecimalPrecision), scale: min(s, DataType.maxDecimalPrecision))
        case "float", "double", "real": return .double
        case "date": return .date
        case "datetime": return .timestamp
        case "timestamp": return .timestamptz
        case "year": return .integer
        case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit": return .bytea
        default: return .text
        }
    }
}
