import Foundation
import MeshCore
import MeshEngine
@testable import MeshLineage
import MeshTestSupport
import SQLiteDB

/// The TPC-H-shaped data set of sql/tests/tpch (made by the project's own SQL, identical on
/// both engines), loaded once per test process: one SQLite file per mesh, and one PostgreSQL
/// database with a schema per mesh, which is also the co-located reference.
enum TPCHFixture {
    static let directory = E2EFixture.goldenDirectory + "/tpch"
    static let meshes = ["sales", "crm", "supply"]
    static let queryDirectory = E2EFixture.packageRoot + "/sql/bench/tpch"

    static func script(_ mesh: String) throws -> String {
        try String(contentsOfFile: directory + "/\(mesh).sql", encoding: .utf8)
    }

    /// The 22 queries, by file name.
    static func queries() throws -> [(name: String, sql: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: queryDirectory)
            .filter { $0.hasPrefix("q") && $0.hasSuffix(".sql") }.sorted()
        return try names.map { name in
            var sql = try String(contentsOfFile: queryDirectory + "/" + name, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            while sql.hasSuffix(";") { sql.removeLast() }
            return (String(name.dropLast(4)), sql)
        }
    }

    /// Mesh → SQLite file.
    static func sqlite() async throws -> [String: String] {
        try await sqliteOnce.get {
            let dir = tempDirectory()
            var paths: [String: String] = [:]
            for mesh in meshes {
                let path = dir + "/\(mesh).db"
                let db = try SQLiteDatabase(path: path)
                try db.execute(try script(mesh))
                paths[mesh] = path
            }
            return paths
        }
    }

    /// All three meshes in one database (C collation), schemas named like the meshes.
    static func postgres() async throws -> E2EFixture.PGDatabase? {
        try await pgOnce.get {
            guard let server = try await TestPostgres.shared() else { return nil }
            let name = "meshql_tpch_\(getpid())"
            let conninfo = try server.createDatabase(name)
            try server.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
            try server.execute("CREATE DATABASE \"\(name)\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
            for mesh in meshes {
                let sql = "SET client_min_messages = warning;\nCREATE SCHEMA \(mesh);\nSET search_path = \(mesh);\n"
                    + (try script(mesh))
                try server.execute(sql, database: name)
            }
            try server.execute("ANALYZE", database: name)
            return E2EFixture.PGDatabase(server: server, name: name, conninfo: conninfo)
        }
    }

    /// Mesh → DSN of a MariaDB database holding that mesh's tables, copied from the
    /// PostgreSQL fixture (the scripts compute their rows with functions MariaDB lacks): the
    /// tables as the scripts declare them, the rows as pg_dump's INSERTs.
    static func mariadb() async throws -> [String: String]? {
        try await mariaOnce.get {
            guard let server = try await TestMariaDB.shared(), let pg = try await postgres() else { return nil }
            guard let pgDump = Subprocess.which("pg_dump") else {
                throw MeshError(.internalError, "copying the TPC-H fixture into MariaDB needs pg_dump on PATH")
            }
            var dsns: [String: String] = [:]
            for mesh in meshes {
                let database = "meshql_tpch_\(getpid())_\(mesh)"
                dsns[mesh] = try server.createDatabase(database)
                let dump = try Subprocess.check(pgDump, ["--data-only", "--inserts", "--rows-per-insert=500", "--no-owner",
                                                         "--schema=\(mesh)", "-d", pg.server.conninfo(database: pg.name)],
                                                what: "pg_dump")
                let rows = dump.split(separator: "\n", omittingEmptySubsequences: false)
                    // Not its settings, comments, or psql meta-commands (`\restrict`).
                    .filter { !$0.hasPrefix("SET ") && !$0.hasPrefix("SELECT pg_catalog.") && !$0.hasPrefix("--") && !$0.hasPrefix("\\") }
                    .joined(separator: "\n").replacingOccurrences(of: "INSERT INTO \(mesh).", with: "INSERT INTO ")
                let tables = tableDefinitions(try script(mesh))
                try server.execute("SET FOREIGN_KEY_CHECKS = 0;\n" + tables.map(\.sql).joined(separator: ";\n") + ";\n" + rows
                                   + "\n" + tables.map { "ANALYZE TABLE \($0.name) PERSISTENT FOR ALL;" }.joined(separator: "\n"),
                                   database: database)
            }
            return dsns
        }
    }

    /// The `CREATE TABLE` statements of a mesh's script, but for its scratch tables (`tpch_…`).
    static func tableDefinitions(_ script: String) -> [(name: String, sql: String)] {
        var found: [(String, String)] = []
        var rest = script[...]
        while let start = rest.range(of: "CREATE TABLE ") {
            guard let end = rest[start.upperBound...].range(of: "\n);") else { break }
            let sql = String(rest[start.lowerBound..<end.upperBound].dropLast())
            let name = String(rest[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            if !name.hasPrefix("tpch_") { found.append((name, sql)) }
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// Where each mesh lives: PostgreSQL, MariaDB, else a SQLite file.
    struct Placement: Sendable, Hashable, CustomStringConvertible {
        var inPostgres: Set<String>
        var inMariaDB: Set<String> = []
        func kind(_ mesh: String) -> E2EFixture.SourceKind {
            inPostgres.contains(mesh) ? .postgres : inMariaDB.contains(mesh) ? .mariadb : .sqlite
        }
        var description: String {
            TPCHFixture.meshes.map { "\($0)=\(kind($0))" }.joined(separator: ", ")
        }

        static let all: [Placement] = [
            Placement(inPostgres: []),
            Placement(inPostgres: ["sales", "crm", "supply"]),
            // The benchmark's placement, and its mirror image.
            Placement(inPostgres: ["sales"]),
            Placement(inPostgres: ["crm", "supply"]),
            // One mesh in each kind of source, two ways round.
            Placement(inPostgres: ["crm"], inMariaDB: ["sales"]),
            Placement(inPostgres: ["supply"], inMariaDB: ["crm"]),
        ]
    }

    /// One engine per placement, shared by the tests that only read.
    static func engine(_ placement: Placement) async throws -> Engine? {
        try await engines.get(placement) { try await freshEngine(placement) }
    }

    /// An engine of its own (for tests that change the catalog); nil without PostgreSQL.
    /// - Parameter lineage: where the engine sends OpenLineage events.
    static func freshEngine(_ placement: Placement, lineage: LineageOptions = .none) async throws -> Engine? {
        var statements: [String] = []
        for mesh in meshes {
            statements.append("CREATE MESH \(mesh)")
            switch placement.kind(mesh) {
            case .postgres:
                guard let pg = try await postgres() else { return nil }
                statements.append("CREATE CONNECTOR \(mesh)_src FOR MESH \(mesh) TYPE postgres OPTIONS (dsn \(E2EFixture.literal(pg.conninfo)))")
                statements.append("IMPORT DATA PRODUCTS FROM CONNECTOR \(mesh)_src SCHEMA \(mesh)")
            case .mariadb:
                guard let dsn = try await mariadb()?[mesh] else { return nil }
                statements.append("CREATE CONNECTOR \(mesh)_src FOR MESH \(mesh) TYPE mariadb OPTIONS (dsn \(E2EFixture.literal(dsn)))")
                statements.append("IMPORT DATA PRODUCTS FROM CONNECTOR \(mesh)_src")
            case .sqlite:
                let path = try await sqlite()[mesh]!
                statements.append("CREATE CONNECTOR \(mesh)_src FOR MESH \(mesh) TYPE sqlite OPTIONS (path \(E2EFixture.literal(path)))")
                statements.append("IMPORT DATA PRODUCTS FROM CONNECTOR \(mesh)_src")
            }
        }
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db", lineage: lineage)
        let session = engine.makeSession()
        for s in statements { _ = try await session.execute(s) }
        return engine
    }

    private static let sqliteOnce = Once<[String: String]>()
    private static let pgOnce = Once<E2EFixture.PGDatabase?>()
    private static let mariaOnce = Once<[String: String]?>()
    private static let engines = KeyedOnce<Placement, Engine?>()
}
