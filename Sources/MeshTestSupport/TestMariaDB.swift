import Foundation
import MeshCore
import Synchronization

/// The MariaDB server tests run against.
///
/// With `MESHQL_TEST_MARIADB` set (`mariadb://user@host:port`, an account that may create
/// databases) that server is used. Otherwise, when `mariadbd` is installed, one private
/// throwaway server per test process is created in a new temporary directory on 127.0.0.1,
/// started on first use and stopped when the process exits. Where neither is possible,
/// `shared()` prints a loud SKIP and returns nil — or, with `MESHQL_REQUIRE_MARIADB=1`, throws.
///
/// `@unchecked Sendable`: immutable after init but for `stopped`, guarded by `lock`.
public final class TestMariaDB: @unchecked Sendable {
    /// `mariadb://user@127.0.0.1:port` — a connector's DSN without the database.
    public let server: String
    let client: String
    let clientArguments: [String]
    /// The private server's folder and process, or nil for an external server.
    let directory: String?
    let process: Process?
    private let lock = NSLock()
    private var stopped = false
    private var created: [String] = []

    init(server: String, client: String, clientArguments: [String], directory: String?, process: Process?) {
        self.server = server
        self.client = client
        self.clientArguments = clientArguments
        self.directory = directory
        self.process = process
    }

    public static var required: Bool { ProcessInfo.processInfo.environment["MESHQL_REQUIRE_MARIADB"] == "1" }

    /// The process-wide server, started lazily on a thread of its own (it blocks for seconds).
    public static func shared() async throws -> TestMariaDB? {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<TestMariaDB?, Error>) in
            let thread = Thread {
                do { c.resume(returning: try sharedBlocking()) } catch { c.resume(throwing: error) }
            }
            thread.name = "meshql-test-mariadb"
            thread.start()
        }
    }

    public static func sharedBlocking() throws -> TestMariaDB? {
        try state.withLock { result in
            if result == nil { result = Result { try start() } }
            return try result!.get()
        }
    }

    /// The DSN of `database` on this server.
    public func dsn(database: String) -> String { server + "/" + database }

    /// Creates (or re-creates) a database in utf8mb4 with the server's default, case-insensitive
    /// collation (what a MariaDB user has), and returns its DSN.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        let quoted = "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        try execute("DROP DATABASE IF EXISTS \(quoted); CREATE DATABASE \(quoted) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        lock.withLock { created.append(name) }
        return dsn(database: name)
    }

    /// Leaves the databases made so far in place when an external server is let go: a tool
    /// that keeps its catalogs keeps the databases they read.
    public func keepCreatedDatabases() {
        lock.withLock { created.removeAll() }
    }

    /// Runs SQL through the `mariadb` client in ANSI mode without backslash escapes (so that
    /// scripts written for PostgreSQL and SQLite load as they are); throws with its output
    /// when a statement fails.
    public func execute(_ sql: String, database: String? = nil) throws {
        let file = NSTemporaryDirectory() + "meshql-mariadb-\(getpid())-\(UUID().uuidString).sql"
        let script = "SET SESSION sql_mode = 'ANSI,NO_BACKSLASH_ESCAPES';\n" + sql
        guard FileManager.default.createFile(atPath: file, contents: Data(script.utf8)) else {
            throw MeshError(.internalError, "cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Subprocess.check(client, clientArguments + (database.map { [$0] } ?? []), stdinFile: file, what: "mariadb")
    }

    /// Stops a private server and removes its folder; drops what `createDatabase` made on an
    /// external one. Safe to call more than once.
    public func stop() {
        let (already, databases) = lock.withLock { () -> (Bool, [String]) in
            defer { stopped = true; created = [] }
            return (stopped, created)
        }
        if already { return }
        if let process, let directory {
            Self.terminate(process.processIdentifier) { process.isRunning }
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            for name in databases { try? execute("DROP DATABASE IF EXISTS `\(name.replacingOccurrences(of: "`", with: "``"))`") }
        }
    }

    // MARK: starting

    private static let state = Mutex<Result<TestMariaDB?, Error>?>(nil)
    static let directoryPrefix = "meshql-maria-"

    private static func start() throws -> TestMariaDB? {
        let env = ProcessInfo.processInfo.environment
        guard let client = tool("mariadb") else { return try skip("the mariadb client is not installed") }
        if let external = env["MESHQL_TEST_MARIADB"], !external.isEmpty {
            guard let url = URLComponents(string: external), let host = url.host else {
                throw MeshError(.invalidParameter, "MESHQL_TEST_MARIADB is not a mariadb://user@host:port URL")
            }
            var args = ["--no-defaults", "-h", host, "-P", String(url.port ?? 3306), "-u", url.user ?? "root"]
            if let p = url.password { args.append("-p" + p) }
            let server = TestMariaDB(server: external.hasSuffix("/") ? String(external.dropLast()) : external,
                                     client: client, clientArguments: args, directory: nil, process: nil)
            started = server
            registerExit()
            return server
        }
        guard let mariadbd = tool("mariadbd"), let install = tool("mariadb-install-db") else {
            return try skip("mariadbd is not installed (apt-get install mariadb-server)")
        }
        // A short folder: the socket's path must stay under ~100 bytes.
        var base = NSTemporaryDirectory()
        while base.hasSuffix("/") { base.removeLast() }
        if base.utf8.count > 40 { base = "/tmp" }
        removeStaleServers(in: base)
        let dir = base + "/" + directoryPrefix + "\(getpid())-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "\(getpid())\n".write(toFile: dir + "/owner.pid", atomically: true, encoding: .utf8)
        let user = geteuid() == 0 ? ["--user=root"] : []
        do {
            try Subprocess.check(install, ["--no-defaults", "--datadir=\(dir)/data", "--auth-root-authentication-method=normal",
                                           "--skip-test-db"] + user, what: "mariadb-install-db")
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        let socket = dir + "/sock"
        var lastError: Error?
        for _ in 0..<3 {
            let port = try LoopbackPort.free()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: mariadbd)
            p.arguments = ["--no-defaults"] + user + [
                "--datadir=\(dir)/data", "--socket=\(socket)", "--port=\(port)", "--bind-address=127.0.0.1",
                "--pid-file=\(dir)/mariadbd.pid", "--log-error=\(dir)/error.log", "--skip-name-resolve",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--max-connections=300",
                "--innodb-buffer-pool-size=128M", "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
            ]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let root = ["--no-defaults", "--socket=\(socket)", "-u", "root"]
            // Ready when the client gets in; up to 60 s on a loaded machine.
            var ready = false
            for _ in 0..<600 where p.isRunning {
                if (try? Subprocess.run(client, root + ["-e", "SELECT 1"]))?.status == 0 { ready = true; break }
                usleep(100_000)
            }
            guard ready else {
                terminate(p.processIdentifier) { p.isRunning }
                let log = (try? String(contentsOfFile: dir + "/error.log", encoding: .utf8)) ?? ""
                lastError = MeshError(.connection, "the test MariaDB server did not start: " + String(log.suffix(800)))
                continue
            }
            do {
                try Subprocess.check(client, root + ["-e", """
                    CREATE USER IF NOT EXISTS 'meshql'@'%'; GRANT ALL PRIVILEGES ON *.* TO 'meshql'@'%';
                    """], what: "mariadb")
            } catch {
                terminate(p.processIdentifier) { p.isRunning }
                try? FileManager.default.removeItem(atPath: dir)
                throw error
            }
            let server = TestMariaDB(server: "mariadb://meshql@127.0.0.1:\(port)", client: client,
                                     clientArguments: ["--no-defaults", "-h", "127.0.0.1", "-P", String(port), "-u", "meshql"],
                                     directory: dir, process: p)
            started = server
            registerExit()
            return server
        }
        try? FileManager.default.removeItem(atPath: dir)
        throw lastError ?? MeshError(.internalError, "cannot start the test MariaDB server")
    }

    private static func skip(_ why: String) throws -> TestMariaDB? {
        if required { throw MeshError(.connection, "MariaDB required (MESHQL_REQUIRE_MARIADB=1) but \(why)") }
        FileHandle.standardError.write(Data("\n*** SKIP: MariaDB tests are SKIPPED — \(why). ***\n\n".utf8))
        return nil
    }

    private static func tool(_ name: String) -> String? {
        Subprocess.which(name) ?? ["/usr/sbin/", "/usr/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// SIGTERM, then SIGKILL if the server is still there after 30 s.
    static func terminate(_ pid: Int32, alive: () -> Bool) {
        guard pid > 0, kill(pid, SIGTERM) == 0 else { return }
        for _ in 0..<300 {
            if !alive() { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
    }

    /// Servers of earlier test processes that died without stopping them.
    private static func removeStaleServers(in base: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for entry in entries where entry.hasPrefix(directoryPrefix) {
            let dir = base + "/" + entry
            guard let owner = (try? String(contentsOfFile: dir + "/owner.pid", encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else { continue }
            if kill(owner, 0) == 0 || errno != ESRCH { continue }
            // Only that server: a pid file outlives its process, and the number may be reused.
            if let server = (try? String(contentsOfFile: dir + "/mariadbd.pid", encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
               let command = try? String(contentsOfFile: "/proc/\(server)/cmdline", encoding: .utf8),
               command.contains("mariadbd"), command.contains(dir) {
                terminate(server) { kill(server, 0) == 0 }
            }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// Stops the private server at exit. No signal handlers of its own: ignoring SIGINT and
    /// SIGTERM here before PostgreSQL's test cluster starts left that cluster's query cancels
    /// (SIGINT to a backend) unheard. PostgreSQL's test support turns those signals into an
    /// exit, which runs this; a server left by a kill is stopped by the next run.
    private static func registerExit() {
        atexit { TestMariaDB.started?.stop() }
    }

    /// The server once started, for the exit handler, which must not take `state`'s lock.
    /// Written once, under that lock.
    nonisolated(unsafe) static var started: TestMariaDB?
}
