import Foundation
import MeshCore

/// The PostgreSQL server tests run against.
///
/// With `MESHQL_TEST_PG` set (a libpq conninfo string or URI) that server is used. Otherwise,
/// when `initdb` is on PATH, one private throwaway cluster per test process is created in a
/// new temporary directory on 127.0.0.1 (through the `postgres` user when running as root),
/// started on first use and stopped when the process exits. Where neither is possible,
/// `shared()` prints a loud SKIP and returns nil — or, with `MESHQL_REQUIRE_PG=1`, throws.
///
/// ```swift
/// guard let pg = try await TestPostgres.shared() else { return }   // skipped
/// let conninfo = try pg.createDatabase("connector_tests")
/// ```
///
/// `@unchecked Sendable`: every stored property is immutable after init except `stopped` and
/// `created`, which are guarded by `lock`.
public final class TestPostgres: @unchecked Sendable {
    /// conninfo of the server's `postgres` database (or of `MESHQL_TEST_PG` as given).
    public let conninfo: String
    /// The private cluster, or nil when an external server is used.
    let cluster: Cluster?
    let psqlPath: String
    private let lock = NSLock()
    private var stopped = false
    /// Databases made by `createDatabase`, dropped at exit on an external server.
    private var created: [String] = []

    init(conninfo: String, cluster: Cluster?, psqlPath: String) {
        self.conninfo = conninfo
        self.cluster = cluster
        self.psqlPath = psqlPath
    }

    // MARK: the shared instance

    /// The process-wide server, started lazily on a dedicated thread (starting a cluster
    /// blocks for a few seconds and must not tie up Swift's cooperative pool).
    public static func shared(caller: String = #function) async throws -> TestPostgres? {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<TestPostgres?, Error>) in
            let thread = Thread {
                do { c.resume(returning: try sharedBlocking(caller: caller)) } catch { c.resume(throwing: error) }
            }
            thread.name = "meshql-test-postgres"
            thread.start()
        }
    }

    /// The blocking form of `shared()`, for programs (the benchmark) and non-async callers.
    public static func sharedBlocking(caller: String = #function) throws -> TestPostgres? {
        try SharedState.instance.get(caller: caller)
    }

    /// True when PostgreSQL tests must not be skipped (CI).
    public static var required: Bool {
        ProcessInfo.processInfo.environment["MESHQL_REQUIRE_PG"] == "1"
    }

    // MARK: using the server

    /// conninfo for another database of the same server.
    public func conninfo(database: String) -> String {
        Self.replacingDatabase(in: conninfo, with: database)
    }

    /// Creates (or re-creates, dropping any leftover of an earlier run) a database and returns
    /// its conninfo.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        // Dropped only when a leftover exists: DROP DATABASE waits until every backend of the
        // server has taken a signal barrier, and a backend blocked writing to a client that
        // does not read (another test's stream, whose task waits for a thread this very psql
        // call holds) never takes it: the whole suite hung so.
        let literal = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
        if try query("SELECT 1 FROM pg_database WHERE datname = \(literal)") == "1" {
            try execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
        }
        try execute("CREATE DATABASE \(quoted)")
        lock.withLock { created.append(name) }
        return conninfo(database: name)
    }

    /// Leaves the databases made so far in place when an external server is stopped: a tool
    /// that keeps its catalogs keeps the databases they read.
    public func keepCreatedDatabases() {
        lock.withLock { created.removeAll() }
    }

    /// Runs SQL (one or more statements) through `psql -v ON_ERROR_STOP=1`; throws with psql's
    /// output when a statement fails.
    public func execute(_ sql: String, database: String? = nil) throws {
        _ = try runPSQL(sql, database: database, extra: ["-q"])
    }

    /// Runs a query through `psql -At` and returns its output (rows on lines, columns split
    /// by `|`), without the trailing newline.
    public func query(_ sql: String, database: String? = nil) throws -> String {
        var out = try runPSQL(sql, database: database, extra: ["-q", "-A", "-t"])
        while out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// One query's rows (tab-separated, NULL as `NULL`) and the time PostgreSQL took, as psql's
    /// `\timing` reports it, or psql's error (past `statementTimeout`, PostgreSQL's "canceling
    /// statement due to statement timeout"). For comparing answers, not for loading data.
    public func timedQuery(_ sql: String, database: String,
                           statementTimeout: Duration? = nil) -> (rows: [String]?, milliseconds: Double, error: String?) {
        let target = conninfo(database: database)
        let limit = statementTimeout.map { ["-c", "SET statement_timeout = \(Int($0.components.seconds * 1000))"] } ?? []
        guard let out = try? Subprocess.run(psqlPath, ["-X", "-q", "-A", "-t", "-F", "\t", "-P", "null=NULL",
                                                       "-v", "ON_ERROR_STOP=1", "-d", target] + limit
                                                       + ["-c", "\\timing on", "-c", sql])
        else { return (nil, 0, "psql did not start") }
        var lines = out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The output ends with a newline; a row of one empty string is an empty line.
        if lines.last == "" { lines.removeLast() }
        guard out.status == 0 else { return (nil, 0, lines.first { $0.contains("ERROR") } ?? out.text) }
        var ms = 0.0
        if let last = lines.last, last.hasPrefix("Time: ") {
            ms = Double(last.dropFirst(6).prefix { $0 != " " }) ?? 0
            lines.removeLast()
        }
        return (lines.filter { $0 != "Timing is on." }, ms, nil)
    }

    private func runPSQL(_ sql: String, database: String?, extra: [String]) throws -> String {
        let file = NSTemporaryDirectory() + "meshql-sql-\(getpid())-\(UUID().uuidString).sql"
        guard FileManager.default.createFile(atPath: file, contents: Data(sql.utf8)) else {
            throw MeshError(.internalError, "cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let target = database.map { conninfo(database: $0) } ?? conninfo
        return try Subprocess.check(psqlPath, ["-X", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", file] + extra,
                                    what: "psql")
    }

    /// Stops a private cluster (`pg_ctl stop -m fast`) and removes its directory; on an
    /// external server, drops the databases `createDatabase` made. Safe to call more than once.
    public func stop() {
        let (already, databases) = lock.withLock { () -> (Bool, [String]) in
            defer { stopped = true; created = [] }
            return (stopped, created)
        }
        if already { return }
        if let cluster {
            cluster.stop()
        } else {
            for name in databases {
                let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try? execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            }
        }
    }

    // MARK: helpers

    static func replacingDatabase(in conninfo: String, with database: String) -> String {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://"),
           var parts = URLComponents(string: conninfo) {
            parts.path = "/" + database
            return parts.string ?? conninfo
        }
        // In a keyword/value conninfo the last occurrence of a keyword wins.
        let escaped = database.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return conninfo + " dbname='\(escaped)'"
    }
}

/// The lazily created process-wide server, its stop at exit, and the skip decision.
///
/// `@unchecked Sendable`: `result` and `skipsReported` are only touched under `lock`; the
/// lock is held while the cluster starts so that concurrent tests wait for one start.
final class SharedState: @unchecked Sendable {
    static let instance = SharedState()
    private let lock = NSLock()
    private var result: Result<TestPostgres?, Error>?
    private var skipsReported = 0

    func get(caller: String) throws -> TestPostgres? {
        lock.lock()
        defer { lock.unlock() }
        if result == nil { result = Result { try start() } }
        let value = try result!.get()
        if value == nil {
            skipsReported += 1
            if skipsReported > 1 {
                FileHandle.standardError.write(Data("SKIP (no PostgreSQL): \(caller)\n".utf8))
            }
        }
        return value
    }

    private func start() throws -> TestPostgres? {
        let env = ProcessInfo.processInfo.environment
        if let external = env["MESHQL_TEST_PG"], !external.isEmpty {
            guard let psql = Subprocess.which("psql") else {
                throw MeshError(.internalError, "MESHQL_TEST_PG is set but psql is not on PATH")
            }
            registerExitHandlers()
            return TestPostgres(conninfo: external, cluster: nil, psqlPath: psql)
        }
        guard let initdb = Subprocess.which("initdb") else {
            if TestPostgres.required {
                throw MeshError(.connection, "PostgreSQL required but initdb not found and MESHQL_TEST_PG not set")
            }
            let banner = """

            ************************************************************************
            *  SKIP: PostgreSQL tests are SKIPPED — initdb is not on PATH and      *
            *  MESHQL_TEST_PG is not set. Set MESHQL_REQUIRE_PG=1 to fail instead. *
            ************************************************************************

            """
            FileHandle.standardError.write(Data(banner.utf8))
            return nil
        }
        let cluster = try TestPostgres.Cluster.create(initdb: initdb)
        registerExitHandlers()
        return TestPostgres(conninfo: cluster.conninfo, cluster: cluster, psqlPath: cluster.psql)
    }

    /// The instance if one was started; used at exit without starting one.
    func startedInstance() -> TestPostgres? {
        // No lock: exit handlers run when tests are over; taking the lock could deadlock if a
        // signal arrived while a start held it.
        if case .success(let pg)? = result { return pg }
        return nil
    }

    private func registerExitHandlers() {
        atexit { SharedState.instance.startedInstance()?.stop() }
        // Ctrl-C or a kill of the test run must not leave the server behind either.
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                SharedState.instance.startedInstance()?.stop()
                exit(128 + sig)
            }
            source.resume()
            SharedState.signalSources.append(source)
        }
    }

    /// Keeps the signal sources alive. Written once, under `lock`, while starting.
    nonisolated(unsafe) static var signalSources: [any DispatchSourceSignal] = []
}
