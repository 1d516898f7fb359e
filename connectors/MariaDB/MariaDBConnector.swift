import ConnectorKit
import Foundation
import MeshCore
import MeshDialect

/// A MariaDB (or MySQL) source, through libmariadb.
///
/// Options: `dsn` (required; `mariadb://user@host:port/database`, `mysql://` too, with
/// `?socket=/path` for a Unix socket), `pool_size` (default 4), `pool_timeout` (seconds,
/// default 30), and the secret `password`, never printed (one written in the DSN is
/// scrubbed from messages as well). Queries run as prepared statements with typed bound
/// values; rows stream from the server unbuffered, decoded straight into column buffers.
public struct MariaDBConnector: Connector {
    public var typeName: String { "mariadb" }
    public var dialect: any SQLDialect { MariaDBDialect() }

    public static let defaultPoolSize = 4

    let settings: MariaDBSettings
    let pool: ConnectionPool<MariaDBConnection>
    /// Strings scrubbed from every message (the password, also one embedded in the DSN).
    let secrets: [String]

    public init(dsn: String, password: String? = nil, poolSize: Int = MariaDBConnector.defaultPoolSize,
                poolTimeout: TimeInterval = PoolOptions.defaultTimeout) throws {
        guard var settings = MariaDBSettings.parse(dsn) else {
            throw MeshError(.invalidParameter, "option \"dsn\" of a mariadb connector is not a MariaDB URL",
                            hint: "e.g. OPTIONS (dsn 'mariadb://meshql@db.example:3306/sales')")
        }
        try PoolOptions(size: poolSize, timeout: poolTimeout).check()
        var secrets: [String] = []
        if let embedded = settings.password, !embedded.isEmpty { secrets.append(embedded) }
        if let password, !password.isEmpty {
            secrets.append(password)
            settings.password = password
        }
        self.settings = settings
        self.secrets = secrets
        let scrub = secrets
        let connectTo = settings
        self.pool = ConnectionPool(sourceKind: "MariaDB", size: poolSize, acquireTimeout: poolTimeout,
                                   stillUsable: { $0.isReusable }) {
            do {
                return try MariaDBConnection(connectTo)
            } catch let f as MariaDBFailure {
                throw MeshError(.connection, "cannot connect to MariaDB source: " + SourceError.oneLine(f.message, hiding: scrub))
            }
        }
    }

    /// Registers type `mariadb`, and `mysql` as another name of it, with options `dsn`,
    /// `pool_size`, `pool_timeout` and secret `password`.
    public static func register(in registry: inout ConnectorRegistry) {
        for type in ["mariadb", "mysql"] {
            registry.register(type, options: PoolOptions.names.union(["dsn", "password"]), secrets: ["password"],
                              locate: sourceAddress) { options, _ in
                guard let dsn = options["dsn"] else {
                    throw MeshError(.invalidParameter, "a \(type) connector needs option \"dsn\"",
                                    hint: "e.g. OPTIONS (dsn 'mariadb://meshql@db.example:3306/sales')")
                }
                let pool = try PoolOptions.parse(options, defaultSize: defaultPoolSize)
                return try MariaDBConnector(dsn: dsn, password: options["password"], poolSize: pool.size,
                                            poolTimeout: pool.timeout)
            }
        }
    }

    // MARK: Connector

    public func check() async throws -> ConnectorHealth {
        let pool = self.pool
        let secrets = self.secrets
        return try await onSourceThread("meshql-mariadb-check") {
            let start = DispatchTime.now()
            let version = try Self.withConnection(pool, secrets) { c in
                (try c.rows("SELECT VERSION()").first?.first ?? nil) ?? ""
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            return ConnectorHealth(latencyMilliseconds: ms, version: "MariaDB " + version)
        }
    }

    /// `TABLE_ROWS`: exact for MyISAM and Aria, InnoDB's estimate otherwise.
    public func estimatedRowCount(schema: String, table: String) async throws -> Int? {
        let pool = self.pool
        let secrets = self.secrets
        return try await onSourceThread("meshql-mariadb-stats") {
            try Self.withConnection(pool, secrets) { c in
                let rows = try c.rows("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                      [.string(schema), .string(table)])
                return rows.first?.first.flatMap { $0.flatMap { Int($0) } }
            }
        }
    }

    /// From the engine-independent statistics `ANALYZE TABLE … PERSISTENT FOR ALL` keeps
    /// (`mysql.column_stats`: rows per value), else from the cardinality of an index that
    /// begins with the column.
    public func distinctCounts(schema: String, table: String, columns: [String]) async throws -> [String: Double] {
        guard !columns.isEmpty else { return [:] }
        let pool = self.pool
        let secrets = self.secrets
        return try await onSourceThread("meshql-mariadb-stats") {
            try Self.withConnection(pool, secrets) { c in
                var counts: [String: Double] = [:]
                let wanted = Set(columns)
                for row in try c.rows("""
                    SELECT COLUMN_NAME, MAX(CARDINALITY) FROM information_schema.STATISTICS
                    WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND SEQ_IN_INDEX = 1 GROUP BY COLUMN_NAME
                    """, [.string(schema), .string(table)]) {
                    guard let name = row[0], wanted.contains(name), let d = row[1].flatMap(Double.init), d > 0 else { continue }
                    counts[name] = d
                }
                // Readable only with a grant on the mysql database; without one, indexes tell.
                let rows = (try? c.rows("""
                    SELECT s.column_name, t.TABLE_ROWS / s.avg_frequency FROM mysql.column_stats s
                    JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.db_name AND t.TABLE_NAME = s.table_name
                    WHERE s.db_name = ? AND s.table_name = ? AND s.avg_frequency > 0
                    """, [.string(schema), .string(table)])) ?? []
                for row in rows {
                    guard let name = row[0], wanted.contains(name), let d = row[1].flatMap(Double.init), d > 0 else { continue }
                    counts[name] = d
                }
                return counts
            }
        }
    }

    /// `mysql://host:port` and `database.table`, OpenLineage's naming for MySQL and MariaDB.
    public func lineageName(schema: String?, table: String) -> LineageDatasetName? {
        LineageDatasetName(namespace: "mysql://\(settings.host):\(settings.port)", name: "\(schema ?? settings.database).\(table)")
    }

    public func shutdown() { pool.shutdown() }
    public func drain(timeout: TimeInterval) { pool.drain(timeout: timeout) }

    /// Borrows a connection for blocking work; server errors become `MeshError`s.
    static func withConnection<T>(_ pool: ConnectionPool<MariaDBConnection>, _ secrets: [String],
                                  _ body: (MariaDBConnection) throws -> T) throws -> T {
        do {
            // A statement the server refused leaves the connection as it was.
            return try pool.withConnection(keepAfter: { ($0 as? MariaDBFailure)?.connectionBroken == false }, body)
        } catch let f as MariaDBFailure {
            throw sourceError(f, secrets).meshError
        }
    }
}
