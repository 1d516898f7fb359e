import ConnectorKit
import Foundation
import MeshCore
import MeshDialect

/// A PostgreSQL source, through libpq.
///
/// Options: `dsn` (required; a libpq conninfo string such as `host=db dbname=sales user=meshql`
/// or a `postgresql://` URI), `pool_size` (default 4), `pool_timeout` (seconds, default 30),
/// and the secret `password`, passed to
/// libpq as its own parameter and never printed. Results are read with binary COPY (or
/// streamed in binary, row by row, when the query has parameters) and decoded straight into
/// column buffers.
public struct PostgresConnector: Connector {
    public var typeName: String { "postgres" }
    public var dialect: any SQLDialect { PostgresDialect() }

    public static let defaultPoolSize = 4

    let pool: ConnectionPool<PGConnection>
    /// Strings scrubbed from every message (the password, also one embedded in the DSN).
    let secrets: [String]
    /// The server and database, as OpenLineage names PostgreSQL datasets (never the password).
    let lineageServer: (host: String, port: String, database: String)

    /// - Parameters:
    ///   - dsn: libpq conninfo string or URI.
    ///   - password: sent as libpq's `password` parameter, overriding one in the DSN.
    ///   - poolSize: most connections open at once.
    ///   - poolTimeout: seconds a query waits for a free connection.
    public init(dsn: String, password: String? = nil, poolSize: Int = PostgresConnector.defaultPoolSize,
                poolTimeout: TimeInterval = PoolOptions.defaultTimeout) throws {
        guard !dsn.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MeshError(.invalidParameter, "option \"dsn\" of a postgres connector must not be empty")
        }
        try PoolOptions(size: poolSize, timeout: poolTimeout).check()
        var secrets: [String] = []
        if let password, !password.isEmpty { secrets.append(password) }
        // A bare word is a database name; anything else must parse as conninfo or URI.
        let looksLikeConninfo = dsn.contains("=") || dsn.hasPrefix("postgres://") || dsn.hasPrefix("postgresql://")
        if looksLikeConninfo {
            switch PGConninfo.parse(dsn) {
            case .success(let embedded):
                if let embedded, !embedded.isEmpty { secrets.append(embedded) }
            case .failure:
                // libpq's complaint may quote part of the DSN, which may hold a password.
                throw MeshError(.invalidParameter, "option \"dsn\" is not a valid libpq connection string or URI")
            }
        }
        self.secrets = secrets
        let settings = looksLikeConninfo ? PGConninfo.settings(dsn) ?? [:] : ["dbname": dsn]
        let host = (settings["host"] ?? settings["hostaddr"]).flatMap { $0.split(separator: ",").first.map(String.init) }
        lineageServer = (host: host ?? "localhost",
                         port: settings["port"].flatMap { $0.split(separator: ",").first.map(String.init) } ?? "5432",
                         database: settings["dbname"] ?? settings["user"] ?? "postgres")

        var parameters: [(String, String)] = [("connect_timeout", "10"), ("dbname", dsn)]
        if let password, !password.isEmpty { parameters.append(("password", password)) }
        parameters += [("fallback_application_name", "meshql"), ("client_encoding", "UTF8")]
        let connectParameters = parameters
        let scrub = secrets
        self.pool = ConnectionPool(sourceKind: "PostgreSQL", size: poolSize, acquireTimeout: poolTimeout, stillUsable: { $0.isReusable }) {
            let c: PGConnection
            do {
                c = try PGConnection(parameters: connectParameters)
            } catch let f as PGFailure {
                throw MeshError(.connection, "cannot connect to PostgreSQL source: " + Self.clean(f.message, scrub))
            }
            // Session settings the decoders and text parameters rely on: timestamptz values
            // are UTC, dates and timestamps print ISO. And some for speed:
            // - JIT compilation costs more than it saves on queries of a few seconds (TPC-H
            //   q10's fragment at SF 1: 1.6 s with it, 1.06 s without).
            // - The queries meshql sends scan and group large tables; PostgreSQL's default
            //   costs for starting parallel workers and passing them rows are set for mixed
            //   loads, under which it scans alone (q13's grouped scan of orders: 0.98 s alone,
            //   0.63 s with two workers). Point queries are far below the size that gets
            //   workers either way.
            do {
                try c.exec("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET IntervalStyle TO 'postgres'; "
                    + "SET extra_float_digits TO 3")
                // jit exists from PostgreSQL 11 on, the parallel costs from 9.6; an older (or a
                // compatible) server just keeps its defaults.
                _ = try? c.exec("SET jit TO off")
                _ = try? c.exec("SET parallel_setup_cost TO 100; SET parallel_tuple_cost TO 0.01")
            } catch let f as PGFailure {
                throw MeshError(.connection, "cannot set up PostgreSQL session: " + Self.clean(f.message, scrub))
            }
            return c
        }
    }

    /// Registers type `postgres` with options `dsn`, `pool_size`, `pool_timeout` and secret
    /// `password`.
    public static func register(in registry: inout ConnectorRegistry) {
        registry.register("postgres", options: PoolOptions.names.union(["dsn", "password"]), secrets: ["password"],
                          locate: sourceAddress) { options, _ in
            guard let dsn = options["dsn"] else {
                throw MeshError(.invalidParameter, "a postgres connector needs option \"dsn\"",
                                hint: "e.g. OPTIONS (dsn 'host=localhost dbname=sales')")
            }
            let pool = try PoolOptions.parse(options, defaultSize: defaultPoolSize)
            return try PostgresConnector(dsn: dsn, password: options["password"], poolSize: pool.size, poolTimeout: pool.timeout)
        }
    }

    // MARK: Connector

    public func check() async throws -> ConnectorHealth {
        let pool = self.pool
        let secrets = self.secrets
        return try await onSourceThread("meshql-postgres-check") {
            let start = DispatchTime.now()
            let version = try Self.withConnection(pool, secrets) { c in
                try c.exec("SELECT version()").string(0, 0) ?? ""
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            return ConnectorHealth(latencyMilliseconds: ms, version: version)
        }
    }

    /// `reltuples`, which is -1 until the table was first vacuumed or analyzed.
    public func estimatedRowCount(schema: String, table: String) async throws -> Int? {
        guard let d = try await pgClassNumber(.reltuples, schema: schema, table: table), d >= 0 else { return nil }
        return Int(exactly: d.rounded())
    }

    /// `relpages` (kept by VACUUM and ANALYZE).
    public func estimatedPageCount(schema: String, table: String) async throws -> Int? {
        guard let d = try await pgClassNumber(.relpages, schema: schema, table: table), d > 0 else { return nil }
        return Int(exactly: d.rounded())
    }

    /// The `pg_class` columns read for statistics.
    private enum PGClassColumn: String {
        case reltuples, relpages
    }

    /// A number from a table's `pg_class` row.
    private func pgClassNumber(_ column: PGClassColumn, schema: String, table: String) async throws -> Double? {
        let pool = self.pool
        let secrets = self.secrets
        return try await onSourceThread("meshql-postgres-stats") {
            try Self.withConnection(pool, secrets) { c in
                let r = try c.exec("""
                    SELECT c.\(column.rawValue)::float8 FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = $2
                    """, parameters: [schema, table], binaryResults: false)
                guard r.rowCount == 1, let text = r.string(0, 0) else { return nil }
                return Double(text)
            }
        }
    }

    /// From `pg_stats` (filled by ANALYZE), in one query: `n_distinct`, which is a fraction of
    /// the rows when negative.
    public func distinctCounts(schema: String, table: String, columns: [String]) async throws -> [String: Double] {
        guard !columns.isEmpty else { return [:] }
        let pool = self.pool
        let secrets = self.secrets
        let wanted = KeySetEncoding.postgresArray(columns.map { .string($0) }) ?? "{}"
        return try await onSourceThread("meshql-postgres-stats") {
            try Self.withConnection(pool, secrets) { c in
                let r = try c.exec("""
                    SELECT s.attname::text, s.n_distinct::float8, c.reltuples::float8 FROM pg_catalog.pg_stats s
                    JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
                    JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
                    WHERE s.schemaname = $1 AND s.tablename = $2 AND s.attname = ANY($3::text[])
                    """, parameters: [schema, table, wanted], binaryResults: false)
                var counts: [String: Double] = [:]
                for row in 0..<r.rowCount {
                    guard let column = r.string(row, 0), let text = r.string(row, 1), let d = Double(text) else { continue }
                    if d >= 0 { counts[column] = d; continue }
                    guard let rowsText = r.string(row, 2), let rows = Double(rowsText), rows > 0 else { continue }
                    counts[column] = -d * rows
                }
                return counts
            }
        }
    }

    /// `postgres://host:port` and `database.schema.table`, OpenLineage's naming for PostgreSQL.
    public func lineageName(schema: String?, table: String) -> LineageDatasetName? {
        let s = lineageServer
        return LineageDatasetName(namespace: "postgres://\(s.host):\(s.port)", name: "\(s.database).\(schema ?? "public").\(table)")
    }

    public func shutdown() { pool.shutdown() }
    public func drain(timeout: TimeInterval) { pool.drain(timeout: timeout) }

    // MARK: helpers

    /// Borrows a connection for blocking work; server errors become `MeshError`s.
    static func withConnection<T>(_ pool: ConnectionPool<PGConnection>, _ secrets: [String], _ body: (PGConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection(body)
        } catch let f as PGFailure {
            throw meshError(f, secrets)
        }
    }

    /// Only the server's primary message goes into the error — never the DSN, never a value
    /// libpq might echo from the connection string.
    static func meshError(_ f: PGFailure, _ secrets: [String]) -> MeshError {
        sourceError(f, secrets).meshError
    }

    /// The failure classified by its SQLSTATE (and, where PostgreSQL gives one code to two
    /// causes, by its own message).
    static func sourceError(_ f: PGFailure, _ secrets: [String]) -> SourceError {
        let message = clean(f.message, secrets)
        let code = f.sqlState.map { "PostgreSQL SQLSTATE \($0)" }
        // 08P01 (protocol violation) is in the connection class, but the server says it of a
        // message it refused (a Bind with the wrong number of values) and carries on: that is
        // a failed query, not a lost connection.
        if f.connectionBroken || (f.sqlState?.hasPrefix("08") == true && f.sqlState != "08P01") {
            return SourceError(.connection, "lost connection to PostgreSQL source: " + message)
        }
        let state = f.sqlState ?? ""
        switch state {
        case "22012": return SourceError(.data(.divisionByZero), message)
        case "22003": return SourceError(.data(.numericOverflow), message)
        case "22P02", "22007": return SourceError(.data(.invalidText), message)
        case "22008": return SourceError(.data(.datetimeOverflow), message)
        case "57014":
            return SourceError(f.message.contains("statement timeout") ? .timeout : .cancelled, message)
        case "55P03": return SourceError(.timeout, message, sourceCode: code)
        case "42P01", "3F000": return SourceError(.missingTable, message, sourceCode: code)
        case "42703": return SourceError(.missingColumn(Self.undefinedColumn(in: f.message)), message, sourceCode: code)
        case "42501": return SourceError(.permission, message, sourceCode: code)
        case "53300", "57P03": return SourceError(.busy, message, sourceCode: code)
        default:
            if state.hasPrefix("22") { return SourceError(.data(.source), message, sourceCode: code) }
            if state.hasPrefix("28") { return SourceError(.permission, message, sourceCode: code) }
            if state.hasPrefix("53") { return SourceError(.busy, message, sourceCode: code) }
            return SourceError(.other, message, sourceCode: code)
        }
    }

    /// The column PostgreSQL's 42703 names (`column s0.name does not exist`, `column "Name"
    /// does not exist`), without meshql's table alias; nil for another wording.
    static func undefinedColumn(in message: String) -> String? {
        guard message.hasPrefix("column "), let end = message.range(of: " does not exist") else { return nil }
        return SourceError.columnName(message[message.index(message.startIndex, offsetBy: 7)..<end.lowerBound])
    }

    /// One line, secrets replaced.
    static func clean(_ message: String, _ secrets: [String]) -> String {
        SourceError.oneLine(message, hiding: secrets)
    }
}
