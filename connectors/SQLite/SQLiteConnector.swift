import ConnectorKit
import Foundation
import MeshCore
import MeshDialect
import SQLiteDB

/// A SQLite file as a source, opened read-only.
///
/// Options: `path` (required; relative paths resolve against the catalog's folder),
/// `pool_size` (default 4) and `pool_timeout` (seconds, default 30). Columns take their
/// meshql type from the declared type (`DECIMAL(15,2)` is a decimal, `DATE` a date); values
/// are checked against it when read.
public struct SQLiteConnector: Connector {
    public var typeName: String { "sqlite" }
    public var dialect: any SQLDialect { SQLiteDialect() }

    public static let defaultPoolSize = 4

    /// The absolute path of the file.
    public let path: String
    let pool: ConnectionPool<SQLiteDatabase>

    /// - Parameters:
    ///   - path: the file; relative to `baseDirectory` unless absolute.
    ///   - baseDirectory: the folder relative paths resolve against.
    ///   - poolSize: most connections open at once.
    ///   - poolTimeout: seconds a query waits for a free connection.
    public init(path: String, baseDirectory: String = FileManager.default.currentDirectoryPath,
                poolSize: Int = SQLiteConnector.defaultPoolSize, poolTimeout: TimeInterval = PoolOptions.defaultTimeout) throws {
        guard !path.isEmpty else {
            throw MeshError(.invalidParameter, "option \"path\" of a sqlite connector must not be empty")
        }
        try PoolOptions(size: poolSize, timeout: poolTimeout).check()
        self.path = URL(fileURLWithPath: Self.absolute(path, baseDirectory: baseDirectory)).standardizedFileURL.path
        let file = self.path
        self.pool = ConnectionPool(sourceKind: "SQLite", size: poolSize, acquireTimeout: poolTimeout) { try Self.openReadOnly(path: file) }
    }

    /// Registers type `sqlite` with options `path`, `pool_size` and `pool_timeout`. The file
    /// is opened on first use, so a connector can be created before its file exists;
    /// `check()` reports it.
    public static func register(in registry: inout ConnectorRegistry) {
        registry.register("sqlite", options: PoolOptions.names.union(["path"]), locate: sourceAddress) { options, baseDirectory in
            guard let path = options["path"] else {
                throw MeshError(.invalidParameter, "a sqlite connector needs option \"path\"",
                                hint: "e.g. OPTIONS (path 'domains/crm.db')")
            }
            let pool = try PoolOptions.parse(options, defaultSize: defaultPoolSize)
            return try SQLiteConnector(path: path, baseDirectory: baseDirectory, poolSize: pool.size, poolTimeout: pool.timeout)
        }
    }

    /// `path` as the connector opens it: a relative one is under `baseDirectory`.
    static func absolute(_ path: String, baseDirectory: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory.hasSuffix("/") ? baseDirectory : baseDirectory + "/") + path
    }

    /// The real path of the file option `path` names (symlinks and `..` resolved, as the file
    /// would be opened), or `.unclear` when there is no such file.
    @Sendable static func sourceAddress(options: [String: String], baseDirectory: String) -> SourceAddress {
        guard let path = options["path"], !path.isEmpty else { return .unclear }
        guard let real = realpath(absolute(path, baseDirectory: baseDirectory), nil) else { return .unclear }
        defer { free(real) }
        return .file(String(cString: real))
    }

    // MARK: Connector

    public func check() async throws -> ConnectorHealth {
        // A folder or a device (/dev/null opens as an empty database) is no data source.
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType, type != .typeRegular {
            throw MeshError(.connection, "\(path) is \(type == .typeDirectory ? "a folder" : "not a regular file"), not an SQLite database file")
        }
        let pool = self.pool
        return try await onSourceThread("meshql-sqlite-check") {
            let start = DispatchTime.now()
            let version = try Self.withDatabase(pool, path: path) { db -> String in
                // Reading the schema proves the file really is a database.
                let s = try db.prepare("SELECT sqlite_version(), (SELECT count(*) FROM sqlite_master)")
                _ = try s.step()
                return "SQLite " + s.text(0)
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            return ConnectorHealth(latencyMilliseconds: ms, version: version)
        }
    }

    /// From `sqlite_stat1` when ANALYZE has run, else an exact count.
    public func estimatedRowCount(schema: String, table: String) async throws -> Int? {
        let pool = self.pool
        let dialect = SQLiteDialect()
        return try await onSourceThread("meshql-sqlite-stats") {
            try Self.withDatabase(pool, path: path) { db -> Int? in
                let schemaName = schema.isEmpty ? "main" : schema
                if let s = try? db.prepare(
                    "SELECT stat FROM \(dialect.quoteIdentifier(schemaName)).sqlite_stat1 WHERE tbl = ? AND idx IS NULL") {
                    try s.bind([.text(table)])
                    if try s.step(), let n = Int(s.text(0).split(separator: " ").first ?? "") { return n }
                }
                let s = try db.prepare(
                    "SELECT count(*) FROM \(dialect.quoteIdentifier(schemaName)).\(dialect.quoteIdentifier(table))")
                guard try s.step() else { return nil }
                return Int(s.int64(0))
            }
        }
    }

    /// From `sqlite_stat1` where an index starts with the column (rows / rows per key); the
    /// other columns estimated from the first rows or counted (see `distinctCount`), on tables
    /// of at most `maxRowsToCount` rows. A first query over TPC-H's customers waited 1.2 s for
    /// seven full counts, which spilled to temporary files. The catalog keeps the results.
    public func distinctCounts(schema: String, table: String, columns: [String]) async throws -> [String: Double] {
        guard !columns.isEmpty else { return [:] }
        let pool = self.pool
        let dialect = SQLiteDialect()
        let s = dialect.quoteIdentifier(schema.isEmpty ? "main" : schema)
        let t = dialect.quoteIdentifier(table)
        return try await onSourceThread("meshql-sqlite-stats") {
            try Self.withDatabase(pool, path: path) { db -> [String: Double] in
                var counts: [String: Double] = [:]
                if let stmt = try? db.prepare("""
                    SELECT st.stat FROM \(s).sqlite_stat1 st
                    JOIN pragma_index_info(st.idx) ii ON ii.seqno = 0
                    WHERE st.tbl = ? AND ii.name = ? LIMIT 1
                    """) {
                    for column in columns {
                        stmt.reset()
                        try stmt.bind([.text(table), .text(column)])
                        guard try stmt.step() else { continue }
                        let parts = stmt.text(0).split(separator: " ").compactMap { Double($0) }
                        if parts.count >= 2, parts[1] > 0 { counts[column] = parts[0] / parts[1] }
                    }
                }
                let rest = columns.filter { counts[$0] == nil }
                let count = try db.prepare("SELECT count(*) FROM \(s).\(t)")
                guard !rest.isEmpty, try count.step() else { return counts }
                let rows = count.int64(0)
                guard rows <= Self.maxRowsToCount else { return counts }
                // One column after another (each a pass over the table), in memory only on
                // tables small enough that a count's sort cannot grow large; a column that
                // cannot be counted stays unknown.
                let inMemory = rows <= Self.rowsCountedInMemory
                if inMemory { try db.execute("PRAGMA temp_store = MEMORY") }
                defer { if inMemory { try? db.execute("PRAGMA temp_store = DEFAULT") } }
                for column in rest {
                    if let d = try? Self.distinctCount(db, s, t, dialect.quoteIdentifier(column), rows: rows) { counts[column] = d }
                }
                return counts
            }
        }
    }

    /// The distinct values of column `c`. The first rows first: where nearly every value among
    /// them differs (names, comments, keys), the count is estimated from them, as the number
    /// of values a uniform draw of that many rows would find that many of; otherwise counted.
    static func distinctCount(_ db: SQLiteDatabase, _ s: String, _ t: String, _ c: String, rows: Int64) throws -> Double? {
        if rows > sampleRows {
            let sample = try db.prepare("SELECT count(DISTINCT \(c)), count(\(c)) FROM (SELECT \(c) FROM \(s).\(t) LIMIT \(sampleRows))")
            if try sample.step() {
                let seen = Double(sample.int64(0)), nonNull = Double(sample.int64(1))
                if nonNull > 0, seen >= nearlyUnique * nonNull {
                    return DistinctEstimate.fromSample(distinct: seen, of: nonNull, rows: Double(rows) * nonNull / Double(sampleRows))
                }
            }
        }
        let distinct = try db.prepare("SELECT count(DISTINCT \(c)) FROM \(s).\(t)")
        return try distinct.step() ? Double(distinct.int64(0)) : nil
    }

    static let maxRowsToCount: Int64 = 2_000_000
    /// Rows looked at first, and the share of them distinct from which the count is estimated
    /// from them.
    static let sampleRows: Int64 = 20_000
    static let nearlyUnique = 0.9
    /// Rows up to which a count sorts in memory rather than in temporary files.
    static let rowsCountedInMemory: Int64 = 200_000

    /// OpenLineage's naming has no entry for SQLite; as for its other databases, the namespace
    /// is where the database lives (`sqlite://` and the file's path) and the name
    /// `schema.table`.
    public func lineageName(schema: String?, table: String) -> LineageDatasetName? {
        LineageDatasetName(namespace: "sqlite://" + path, name: "\(schema ?? "main").\(table)")
    }

    public func shutdown() { pool.shutdown() }
    public func drain(timeout: TimeInterval) { pool.drain(timeout: timeout) }

    // MARK: helpers

    /// Borrows a connection for blocking work; sqlite errors become `MeshError`s.
    static func withDatabase<T>(_ pool: ConnectionPool<SQLiteDatabase>, path: String, _ body: (SQLiteDatabase) throws -> T) throws -> T {
        do {
            // A failed statement leaves the database open and usable.
            return try pool.withConnection(keepAfter: { _ in true }, body)
        } catch let e as SQLiteDatabase.Error {
            throw meshError(e, path: path)
        }
    }

    static func meshError(_ e: SQLiteDatabase.Error, path: String) -> MeshError {
        sourceError(e, path: path).meshError
    }

    /// The failure classified by its result code (primary codes in the low byte of extended
    /// ones), and for SQLITE_ERROR, which covers every failure to prepare, by SQLite's own
    /// wording of the two that mean the file's schema changed.
    static func sourceError(_ e: SQLiteDatabase.Error, path: String) -> SourceError {
        let code = "SQLite result code \(e.code)"
        switch e.primaryCode {
        case 26, 11:    // SQLITE_NOTADB, SQLITE_CORRUPT
            return SourceError(.connection, "not an SQLite database (or damaged): \(path)")
        case 14:        // SQLITE_CANTOPEN
            return SourceError(.connection, "cannot open the SQLite file: \(path)")
        case 9:         // SQLITE_INTERRUPT
            return SourceError(.cancelled, "canceling statement due to user request")
        case 5, 6:      // SQLITE_BUSY, SQLITE_LOCKED
            return SourceError(.busy, e.message, sourceCode: code)
        case 3, 23:     // SQLITE_PERM, SQLITE_AUTH
            return SourceError(.permission, e.message, sourceCode: code)
        case 1 where e.message.hasPrefix("no such table: "):
            return SourceError(.missingTable, e.message, sourceCode: code)
        case 1 where e.message.hasPrefix("no such column: "):
            let column = SourceError.columnName(e.message.dropFirst("no such column: ".count))
            return SourceError(.missingColumn(column), e.message, sourceCode: code)
        default:
            return SourceError(.other, e.message, sourceCode: code)
        }
    }
}
