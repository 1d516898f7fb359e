import Foundation
import MeshCore

/// A private PostgreSQL cluster inside the demo folder, on loopback, started and stopped by
/// `meshql demo`. Uses the server's own tools (`initdb`, `pg_ctl`, `psql`); as root they run
/// as the `postgres` user, since PostgreSQL refuses to run as root.
public final class LocalPostgres: @unchecked Sendable {
    public let directory: String
    public let port: Int
    private var running = false

    var dataDirectory: String { directory + "/data" }
    public var conninfo: String { "host=127.0.0.1 port=\(port) user=postgres dbname=finance" }

    /// Finds `initdb` on PATH or in Debian's versioned folder.
    public static func toolDirectory() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var dirs = path.split(separator: ":").map(String.init)
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            dirs += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        }
        return dirs.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") && FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    /// Prepares (once) and starts the cluster kept in `directory`. The port is chosen on
    /// first use and remembered, because the catalog's connector names it.
    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            port = p
        } else {
            port = try LoopbackPort.free()
            try String(port).write(toFile: portFile, atomically: true, encoding: .utf8)
        }
    }

    var isRoot: Bool { getuid() == 0 }

    /// Runs a server tool, as `postgres` when we are root. Returns (status, output).
    @discardableResult
    func run(_ tool: String, _ args: [String], input: String? = nil) throws -> (Int32, String) {
        guard let bin = Self.toolDirectory() else { throw MeshError(.connection, "PostgreSQL server tools (initdb) not found") }
        let exe = tool == "psql" && !FileManager.default.isExecutableFile(atPath: bin + "/psql") ? "/usr/bin/psql" : bin + "/" + tool
        var stdinFile: String?
        if let input {
            stdinFile = directory + "/input.sql"
            try input.write(toFile: stdinFile!, atomically: true, encoding: .utf8)
        }
        defer { if let stdinFile { try? FileManager.default.removeItem(atPath: stdinFile) } }
        let r: Subprocess.Output
        if isRoot, let runuser = Subprocess.which("runuser") {
            r = try Subprocess.run(runuser, ["-u", "postgres", "--", exe] + args, stdinFile: stdinFile)
        } else {
            r = try Subprocess.run(exe, args, stdinFile: stdinFile)
        }
        return (r.status, r.text)
    }

    /// True when the cluster had to be created (and so needs its data loaded).
    public func start() throws -> Bool {
        // A stop() from a signal handler waits for a start under way, then stops what it
        // started: otherwise the server would come up after the demo has gone.
        lifecycle.lock()
        defer { lifecycle.unlock() }
        let fm = FileManager.default
        var created = false
        if isRoot, let chown = Subprocess.which("chown") { _ = try? Subprocess.run(chown, ["-R", "postgres", directory]) }
        if !fm.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            let (status, output) = try run("initdb", ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "--no-locale", "-E", "UTF8"])
            guard status == 0 else { throw MeshError(.connection, "initdb failed: " + Self.lastLines(output)) }
            created = true
        }
        let opts = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"
        let (status, output) = try run("pg_ctl", ["-D", dataDirectory, "-o", opts, "-l", directory + "/log", "-w", "start"])
        guard status == 0 else { throw MeshError(.connection, "pg_ctl start failed: " + Self.lastLines(output)) }
        running = true
        if created {
            let (s, o) = try run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres",
                                          "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE finance"])
            guard s == 0 else { throw MeshError(.connection, "could not create the finance database: " + Self.lastLines(o)) }
        }
        return created
    }

    /// Runs a SQL script in the finance database.
    public func load(script: String) throws {
        let (s, o) = try run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "finance",
                                      "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input: script)
        guard s == 0 else { throw MeshError(.connection, "loading the finance data failed: " + Self.lastLines(o)) }
    }

    public func stop() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        // Also when a start failed half-way (pg_ctl interrupted): its server may be up anyway.
        guard running || FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") else { return }
        running = false
        _ = try? run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Held while the server starts or stops.
    private let lifecycle = NSLock()

    deinit { stop() }

    /// The end of a tool's output, whole lines only, for error messages.
    static func lastLines(_ text: String, _ n: Int = 3) -> String {
        text.split(separator: "\n").suffix(n).joined(separator: " / ")
    }
}
