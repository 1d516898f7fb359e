import Foundation
import MeshCore
import MeshEngine
import SQLiteDB

/// The random differential test's world: the tables of `RandomQueryGenerator` filled with
/// seeded NULL-heavy data, held whole by one PostgreSQL database (the oracle, schema `m`,
/// byte-order collation) and spread over PostgreSQL databases and SQLite files in several
/// placements, each registered as mesh `m` of an engine of its own. `check` runs a query in
/// the oracle and in every placement with pushdown on and off, and says where they differ.
public final class RandomDifferential: Sendable {
    /// Where each table lives.
    public struct Placement: Sendable, CustomStringConvertible {
        public var name: String
        /// The tables in PostgreSQL and in MariaDB; the rest are in SQLite.
        public var inPostgres: Set<String>
        public var inMariaDB: Set<String> = []
        public var description: String { name }
    }

    public static let placements = [
        Placement(name: "postgres", inPostgres: Set(RandomQueryGenerator.tables)),
        Placement(name: "sqlite", inPostgres: []),
        Placement(name: "split", inPostgres: ["ta", "tb"]),
        Placement(name: "mixed", inPostgres: ["ta", "tc"]),
    ]

    /// The placements with MariaDB, run when there is a MariaDB server.
    public static let mariadbPlacements = [
        Placement(name: "mariadb", inPostgres: [], inMariaDB: Set(RandomQueryGenerator.tables)),
        Placement(name: "maria_mixed", inPostgres: ["tc"], inMariaDB: ["ta", "tb"]),
    ]

    /// One way of running a query: an engine of a placement, with pushdown on or off.
    public struct Mode: Sendable, CustomStringConvertible {
        public var placement: Placement
        public var pushdown: Bool
        let engine: Engine
        public var description: String { "\(placement), pushdown \(pushdown ? "on" : "off")" }
    }

    /// What went wrong with one query in one mode.
    public struct Finding: Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case wrongAnswer = "wrong answer", error = "error where PostgreSQL answered",
                                                  slow = "slow", answeredWherePostgresFailed = "rows where PostgreSQL failed" }
        public var kind: Kind
        public var mode: String
        public var detail: String
        public var description: String { "\(kind.rawValue) [\(mode)]: \(detail)" }
    }

    /// What one query did everywhere.
    public struct Outcome: Sendable {
        public var findings: [Finding] = []
        /// PostgreSQL refused the query (and so did meshql in every mode).
        public var postgresFailed = false
        public var postgresMilliseconds: Double = 0
        /// PostgreSQL's row count, when it was over `rowCap` and the query was not compared.
        public var skippedRows: Int?
        /// PostgreSQL could not count the answer within twice `timeout`: not compared either (a
        /// join of joins on a key every row shares can have 10¹² rows).
        public var postgresTooSlow = false
    }

    let server: TestPostgres
    /// The PostgreSQL database holding every table (schema `m`).
    public let oracle: String
    public let modes: [Mode]

    /// A query may take this long in meshql before it is stopped.
    public let timeout: Duration
    /// A query slower than `slowFactor` × PostgreSQL's time and `slowFloor` is a finding.
    public let slowFactor: Double
    public let slowFloor: Duration

    /// Loads the data (seeded by `dataSeed`) into a fresh oracle database and one engine per
    /// placement, with catalogs and SQLite files under `directory`. By default the placements
    /// are `placements`, and `mariadbPlacements` too when `mariadb` is given.
    public init(server: TestPostgres, mariadb: TestMariaDB? = nil, directory: String, dataSeed: UInt64 = 42,
                placements: [Placement]? = nil, timeout: Duration = .seconds(30), slowFactor: Double = 10,
                slowFloor: Duration = .seconds(5)) async throws {
        let placements = placements ?? (Self.placements + (mariadb == nil ? [] : Self.mariadbPlacements))
        self.server = server
        self.timeout = timeout
        self.slowFactor = slowFactor
        self.slowFloor = slowFloor
        let tag = "\(getpid())_\(dataSeed)"
        let data = Self.data(seed: dataSeed)
        oracle = "meshql_rq_oracle_\(tag)"
        try server.createDatabase(oracle)
        try server.execute("DROP DATABASE IF EXISTS \(oracle) WITH (FORCE)")
        try server.execute("CREATE DATABASE \(oracle) TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
        try server.execute("SET client_min_messages = warning; CREATE SCHEMA m; SET search_path = m;\n"
                           + data.map(\.sql).joined(separator: "\n"), database: oracle)
        var modes: [Mode] = []
        for p in placements {
            let engine = try Engine(catalogPath: directory + "/\(p.name).db")
            let session = engine.makeSession()
            _ = try await session.execute("CREATE MESH m")
            let pgTables = data.filter { p.inPostgres.contains($0.name) }
            let mariaTables = data.filter { p.inMariaDB.contains($0.name) }
            let liteTables = data.filter { !p.inPostgres.contains($0.name) && !p.inMariaDB.contains($0.name) }
            if !pgTables.isEmpty {
                let db = "meshql_rq_\(p.name)_\(tag)"
                let conninfo = try server.createDatabase(db)
                try server.execute("SET client_min_messages = warning;\n" + pgTables.map(\.sql).joined(separator: "\n"), database: db)
                _ = try await session.execute("CREATE CONNECTOR pg FOR MESH m TYPE postgres OPTIONS (dsn \(Self.literal(conninfo)))")
                _ = try await session.execute("IMPORT DATA PRODUCTS FROM CONNECTOR pg")
            }
            if !mariaTables.isEmpty {
                guard let mariadb else { throw MeshError(.invalidParameter, "placement \(p.name) needs a MariaDB server") }
                let db = "meshql_rq_\(p.name)_\(tag)"
                let dsn = try mariadb.createDatabase(db)
                try mariadb.execute(mariaTables.map(\.sql).joined(separator: "\n"), database: db)
                _ = try await session.execute("CREATE CONNECTOR maria FOR MESH m TYPE mariadb OPTIONS (dsn \(Self.literal(dsn)))")
                _ = try await session.execute("IMPORT DATA PRODUCTS FROM CONNECTOR maria")
            }
            if !liteTables.isEmpty {
                let path = directory + "/\(p.name)-source.db"
                let db = try SQLiteDatabase(path: path)
                try db.execute(liteTables.map(\.sql).joined(separator: "\n"))
                _ = try await session.execute("CREATE CONNECTOR lite FOR MESH m TYPE sqlite OPTIONS (path \(Self.literal(path)))")
                _ = try await session.execute("IMPORT DATA PRODUCTS FROM CONNECTOR lite")
            }
            modes.append(Mode(placement: p, pushdown: true, engine: engine))
            modes.append(Mode(placement: p, pushdown: false, engine: engine))
        }
        self.modes = modes
    }

    public func shutdown() {
        var seen = Set<ObjectIdentifier>()
        for m in modes where seen.insert(ObjectIdentifier(m.engine)).inserted { m.engine.shutdown() }
    }

    // MARK: - Data

    struct Table {
        var name: String
        var sql: String
    }

    /// The four tables: 20–60 rows each (a three-way join of them stays small), `a` in 0…12 and `b` in -3…20 with a third NULL,
    /// `s` a short ASCII string (a quarter NULL), many duplicates, values without a partner.
    static func data(seed: UInt64) -> [Table] {
        var rng = SeededRandom(seed: seed)
        return RandomQueryGenerator.tables.enumerated().map { i, name in
            let rows = 20 + rng.below(41)
            var values: [String] = []
            for _ in 0..<rows {
                let a = rng.chance(33) ? "NULL" : "\(rng.below(13) + i)"
                let b = rng.chance(30) ? "NULL" : "\(rng.below(24) - 3)"
                let s = rng.chance(25) ? "NULL" : rng.pick(["'a'", "'b'", "'ab'", "'B'", "''", "'ba'", "'x'"])
                values.append("(\(a), \(b), \(s))")
            }
            return Table(name: name, sql: "CREATE TABLE \(name) (a integer, b integer, s text);\n"
                         + "INSERT INTO \(name) VALUES \(values.joined(separator: ", "));")
        }
    }

    static func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    // MARK: - Checking

    /// Answers compared row by row at most: a cross join of derived tables can have tens of
    /// millions of rows, which neither side should hold as text (one took 10 GB).
    public static let rowCap = 200_000

    /// Runs `sql` in the oracle and in every mode. `ordered`: the rows' order is defined.
    public func check(_ sql: String, ordered: Bool) async -> Outcome {
        var outcome = Outcome()
        // PostgreSQL counts first; an answer too big to compare is skipped, and said.
        let count = server.timedQuery("SELECT count(*) FROM (\(sql)) AS answer", database: oracle,
                                      statementTimeout: timeout * 2)
        if let n = count.rows?.first.flatMap({ Int($0) }), n > Self.rowCap {
            outcome.skippedRows = n
            return outcome
        }
        if count.error?.contains("statement timeout") == true {
            outcome.postgresTooSlow = true
            return outcome
        }
        let reference = server.timedQuery(sql, database: oracle, statementTimeout: timeout * 2)
        outcome.postgresMilliseconds = reference.milliseconds
        for mode in modes {
            let start = ContinuousClock.now
            let answer = await run(sql, mode)
            let ms = (ContinuousClock.now - start).milliseconds
            switch (reference.rows, answer) {
            case (nil, .failure):
                outcome.postgresFailed = true
            case (nil, .success):
                outcome.postgresFailed = true
                outcome.findings.append(Finding(kind: .answeredWherePostgresFailed, mode: mode.description,
                                                detail: "PostgreSQL: \(reference.error ?? "")"))
            case (.some, .failure(let message)):
                outcome.findings.append(Finding(kind: .error, mode: mode.description, detail: message))
            case (.some(let expected), .success(let actual)):
                if let difference = RowComparison.difference(expected: expected, actual: actual, ordered: ordered) {
                    outcome.findings.append(Finding(kind: .wrongAnswer, mode: mode.description, detail: difference))
                }
            }
            if ms > slowFloor.milliseconds, ms > slowFactor * max(reference.milliseconds, 1) {
                outcome.findings.append(Finding(kind: .slow, mode: mode.description,
                                                detail: String(format: "%.0f ms (PostgreSQL %.1f ms)", ms, reference.milliseconds)))
            }
        }
        return outcome
    }

    enum Answer {
        case success([String])
        case failure(String)
    }

    /// The query's rows in one mode as tab-separated text, or its error; stopped at `timeout`.
    func run(_ sql: String, _ mode: Mode) async -> Answer {
        let session = mode.engine.makeSession()
        session.pushdownEnabled = mode.pushdown
        session.memoryLimit = 512 << 20
        let box = AnswerBox()
        let verdict = await FuzzVerdict.run(sql: sql, timeout: timeout) {
            do {
                guard case .rows(let result) = try await session.execute(sql) else { throw MeshError(.internalError, "no rows") }
                defer { result.close() }
                var rows: [String] = []
                while rows.count <= Self.rowCap, let batch = try await result.next() {
                    for i in 0..<batch.rowCount { rows.append(RowComparison.line(batch.row(i))) }
                }
                box.rows = rows
            } catch {
                box.error = "\(error)"
                throw error
            }
        }
        switch verdict {
        case .rows: return .success(box.rows)
        case .slow, .hang: return .failure("still running after \(timeout) (\(verdict))")
        case .sqlError, .failure: return .failure(box.error ?? "\(verdict)")
        }
    }
}

/// The rows of one run, written by the task that ran it before its verdict is read.
/// `@unchecked Sendable`: written once by that task, read after it finished.
final class AnswerBox: @unchecked Sendable {
    var rows: [String] = []
    var error: String?
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
