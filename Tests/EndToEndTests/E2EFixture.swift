import Foundation
import MeshEngine
import MeshTestSupport
import SQLiteDB

/// The golden data sets (sql/tests/data/shop.sql and crm.sql) loaded once per test process:
/// into two SQLite files, and into one PostgreSQL database with a schema per data set (the
/// layout generate_expected.py uses, so the same database is the cross-source reference).
enum E2EFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let goldenDirectory = packageRoot + "/sql/tests"
    static let dataSets = ["shop", "crm"]

    static func script(_ name: String) throws -> String {
        try String(contentsOfFile: goldenDirectory + "/data/\(name).sql", encoding: .utf8)
    }

    // MARK: SQLite

    struct SQLiteFiles: Sendable {
        /// Data set name → absolute path of its database file.
        let paths: [String: String]
    }

    /// Both data sets as SQLite files in one temporary directory.
    static func sqlite() async throws -> SQLiteFiles {
        try await sqliteOnce.get {
            let dir = tempDirectory()
            var paths: [String: String] = [:]
            for name in dataSets {
                let path = dir + "/\(name).db"
                let db = try SQLiteDatabase(path: path)
                try db.execute(try script(name))
                paths[name] = path
            }
            return SQLiteFiles(paths: paths)
        }
    }

    // MARK: PostgreSQL

    struct PGDatabase: Sendable {
        let server: TestPostgres
        let name: String
        /// conninfo of the database (keyword/value form or a URI).
        let conninfo: String
    }

    /// Both data sets in one PostgreSQL database, in schemas `shop` and `crm`, created with C
    /// collation like the generator's. Nil after a loud SKIP when there is no PostgreSQL;
    /// throws with MESHQL_REQUIRE_PG=1.
    static func postgres() async throws -> PGDatabase? {
        try await pgOnce.get {
            guard let server = try await TestPostgres.shared() else { return nil }
            let name = "meshql_e2e_\(getpid())"
            // createDatabase registers the name for cleanup; re-create it with C collation
            // (byte order, as the expected results assume).
            let conninfo = try server.createDatabase(name)
            try server.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
            try server.execute("CREATE DATABASE \"\(name)\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
            for schema in dataSets {
                let sql = "SET client_min_messages = warning;\nCREATE SCHEMA \(schema);\nSET search_path = \(schema);\n"
                    + (try script(schema))
                try server.execute(sql, database: name)
            }
            return PGDatabase(server: server, name: name, conninfo: conninfo)
        }
    }

    // MARK: MariaDB

    /// Both data sets in MariaDB, one database each, in the server's default case-insensitive
    /// collation (what a MariaDB user has; the connector must compare text in byte order all
    /// the same). Data set → DSN; nil after a loud SKIP when there is no MariaDB (throws with
    /// MESHQL_REQUIRE_MARIADB=1).
    static func mariadb() async throws -> [String: String]? {
        try await mariaOnce.get {
            guard let server = try await TestMariaDB.shared() else { return nil }
            var dsns: [String: String] = [:]
            for name in dataSets {
                let database = "meshql_e2e_\(getpid())_\(name)"
                dsns[name] = try server.createDatabase(database)
                try server.execute(try script(name), database: database)
            }
            return dsns
        }
    }

    // MARK: engines

    enum SourceKind: String, Sendable, CaseIterable, CustomStringConvertible {
        case sqlite, postgres, mariadb
        var description: String { rawValue }
    }

    /// Where each data set lives.
    struct Placement: Sendable, Hashable, CustomStringConvertible {
        var shop: SourceKind
        var crm: SourceKind
        var description: String { "shop=\(shop), crm=\(crm)" }
        var needsPostgres: Bool { shop == .postgres || crm == .postgres }
        func kind(of dataSet: String) -> SourceKind { dataSet == "shop" ? shop : crm }
    }

    /// One engine per placement with meshes `shop` and `crm` registered through SQL; nil when
    /// the placement needs PostgreSQL and there is none (skipped).
    static func engine(_ placement: Placement) async throws -> Engine? {
        try await engines.get(placement) { try await makeEngine(placement) }
    }

    /// The registration statements for a placement (what a user would type).
    static func registrationSQL(_ placement: Placement) async throws -> String? {
        var sql = ""
        for name in dataSets {
            sql += "CREATE MESH \(name);\n"
            switch placement.kind(of: name) {
            case .sqlite:
                let path = try await sqlite().paths[name]!
                sql += "CREATE CONNECTOR \(name)_src FOR MESH \(name) TYPE sqlite OPTIONS (path \(literal(path)));\n"
                sql += "IMPORT DATA PRODUCTS FROM CONNECTOR \(name)_src;\n"
            case .postgres:
                guard let pg = try await postgres() else { return nil }
                sql += "CREATE CONNECTOR \(name)_src FOR MESH \(name) TYPE postgres OPTIONS (dsn \(literal(pg.conninfo)));\n"
                sql += "IMPORT DATA PRODUCTS FROM CONNECTOR \(name)_src SCHEMA \(name);\n"
            case .mariadb:
                guard let dsn = try await mariadb()?[name] else { return nil }
                sql += "CREATE CONNECTOR \(name)_src FOR MESH \(name) TYPE mariadb OPTIONS (dsn \(literal(dsn)));\n"
                sql += "IMPORT DATA PRODUCTS FROM CONNECTOR \(name)_src;\n"
            }
        }
        return sql
    }

    private static func makeEngine(_ placement: Placement) async throws -> Engine? {
        guard let sql = try await registrationSQL(placement) else { return nil }
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db")
        let session = engine.makeSession()
        for statement in sql.split(separator: "\n") {
            _ = try await session.execute(String(statement))
        }
        return engine
    }

    /// A SQL string literal.
    static func literal(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static let sqliteOnce = Once<SQLiteFiles>()
    private static let pgOnce = Once<PGDatabase?>()
    private static let mariaOnce = Once<[String: String]?>()
    private static let engines = KeyedOnce<Placement, Engine?>()
}

/// A value computed once per process by the first caller; later (and concurrent) callers
/// await the same task. A failure is cached too, so every test reports it.
///
/// `@unchecked Sendable`: `task` is only touched under `lock`.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<T, Error>?

    func get(_ make: @escaping @Sendable () async throws -> T) async throws -> T {
        let t = lock.withLock { () -> Task<T, Error> in
            if let task { return task }
            let t = Task { try await make() }
            task = t
            return t
        }
        return try await t.value
    }
}

/// `Once` per key. `@unchecked Sendable`: `tasks` is only touched under `lock`.
final class KeyedOnce<K: Hashable & Sendable, T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [K: Task<T, Error>] = [:]

    func get(_ key: K, _ make: @escaping @Sendable () async throws -> T) async throws -> T {
        let t = lock.withLock { () -> Task<T, Error> in
            if let task = tasks[key] { return task }
            let t = Task { try await make() }
            tasks[key] = t
            return t
        }
        return try await t.value
    }
}
