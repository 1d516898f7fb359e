import Foundation
import MeshCore
import MeshEngine
import SQLiteDB

/// Builds the demo's working folder: two SQLite domains, the finance domain in PostgreSQL
/// when one can be had (else SQLite), and a catalog registering all three. Idempotent: a
/// second run reuses what is there and only (re)starts the local PostgreSQL.
public final class DemoSetup: @unchecked Sendable {
    public enum FinancePlacement: Sendable, Equatable {
        case sqlite(reason: String)
        case localPostgres(port: Int)
        case externalPostgres
    }

    public let directory: String
    public private(set) var placement: FinancePlacement = .sqlite(reason: "")
    public var catalogPath: String { directory + "/meshql.db" }
    private var localPostgres: LocalPostgres?
    private let stopLock = NSLock()

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    /// - Parameters:
    ///   - postgresDSN: put finance in this PostgreSQL database (its `public` schema is replaced).
    ///   - useLocalPostgres: start a private cluster when `initdb` is available.
    ///   - log: progress lines for the user.
    public func prepare(postgresDSN: String?, useLocalPostgres: Bool, log: (String) -> Void) async throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)

        for (file, script) in [("sales.db", "sales_analytics.sql"), ("cx.db", "customer_experience.sql")] {
            try buildSQLite(file: file, script: script, log: log)
        }

        // Where finance lives this time.
        var financeOptions: (type: String, options: String)
        if let dsn = postgresDSN {
            log("Loading Financial Reporting into the PostgreSQL database you gave …")
            try Self.loadIntoExternal(dsn: dsn, script: try DemoFiles.text("financial_reporting.sql"))
            placement = .externalPostgres
            financeOptions = ("postgres", "dsn '\(dsn.replacingOccurrences(of: "'", with: "''"))'")
        } else if useLocalPostgres, LocalPostgres.toolDirectory() != nil {
            do {
                let pg = try LocalPostgres(directory: clusterDirectory())
                log("Starting a private PostgreSQL for Financial Reporting (127.0.0.1:\(pg.port)) …")
                // Known before it starts, so that stop() (a signal) can wait for it and stop it.
                stopLock.withLock { localPostgres = pg }
                let created = try pg.start()
                if created || !fm.fileExists(atPath: pg.directory + "/loaded") {
                    try pg.load(script: try DemoFiles.text("financial_reporting.sql"))
                    try "yes".write(toFile: pg.directory + "/loaded", atomically: true, encoding: .utf8)
                }
                placement = .localPostgres(port: pg.port)
                financeOptions = ("postgres", "dsn '\(pg.conninfo)'")
            } catch {
                localPostgres?.stop()
                localPostgres = nil
                let reason = "PostgreSQL could not be started (\(error))"
                log("\(reason); Financial Reporting uses SQLite instead.")
                try buildSQLite(file: "finance.db", script: "financial_reporting.sql", log: log)
                placement = .sqlite(reason: reason)
                financeOptions = ("sqlite", "path 'finance.db'")
            }
        } else {
            try buildSQLite(file: "finance.db", script: "financial_reporting.sql", log: log)
            placement = .sqlite(reason: useLocalPostgres ? "no PostgreSQL server tools (initdb) on PATH" : "asked for SQLite only")
            financeOptions = ("sqlite", "path 'finance.db'")
        }

        // The catalog is rebuilt when finance moved since the last run, or was made by a meshql
        // that did not yet record the operator's sources as allowed (principals would be
        // refused the demo's connectors).
        let stateFile = directory + "/placement"
        let stateNow = "sources-allowed \(financeOptions.type) \(financeOptions.options)"
        let previous = try? String(contentsOfFile: stateFile, encoding: .utf8)
        if previous != stateNow || !fm.fileExists(atPath: catalogPath) {
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: catalogPath + suffix) }
            let engine = try Engine(catalogPath: catalogPath)
            defer { engine.shutdown() }
            let session = engine.makeSession()
            let script = try DemoFiles.text("setup.sql")
                .replacingOccurrences(of: "{{SALES_PATH}}", with: "sales.db")
                .replacingOccurrences(of: "{{CX_PATH}}", with: "cx.db")
                .replacingOccurrences(of: "{{FINANCE_TYPE}}", with: financeOptions.type)
                .replacingOccurrences(of: "{{FINANCE_OPTIONS}}", with: financeOptions.options)
            for statement in try session.parse(script) {
                _ = try await session.execute(statement.statement)
            }
            try stateNow.write(toFile: stateFile, atomically: true, encoding: .utf8)
            log("Registered 3 meshes, 3 connectors, their data products and their policies in \(catalogPath).")
        }
    }

    /// A one-line account of where each domain lives.
    public var placementSummary: String {
        switch placement {
        case .localPostgres(let port):
            "Sales Analytics and Customer Experience are SQLite files; Financial Reporting lives in PostgreSQL (a private cluster on 127.0.0.1:\(port))."
        case .externalPostgres:
            "Sales Analytics and Customer Experience are SQLite files; Financial Reporting lives in the PostgreSQL database you gave."
        case .sqlite(let reason):
            "All three domains are SQLite files (Financial Reporting too: \(reason))."
        }
    }

    /// Stops the private PostgreSQL, if this run started one.
    /// Safe to call from a signal handler's queue while the main task runs.
    public func stop() {
        stopLock.lock()
        defer { stopLock.unlock() }
        localPostgres?.stop()
        localPostgres = nil
    }

    /// Where the private cluster lives: inside the demo folder, unless the server's `postgres`
    /// user could not reach it there (a root-only folder), then in a fixed place under /tmp
    /// derived from the folder's path, so later runs find it again.
    private func clusterDirectory() -> String {
        let inside = directory + "/postgres"
        guard getuid() == 0, let runuser = Subprocess.which("runuser"), let test = Subprocess.which("test"),
              let r = try? Subprocess.run(runuser, ["-u", "postgres", "--", test, "-x", directory]), r.status != 0 else {
            return inside
        }
        var hash: UInt64 = 1_469_598_103_934_665_603
        for b in directory.utf8 { hash = (hash ^ UInt64(b)) &* 1_099_511_628_211 }
        return "/tmp/meshql-demo-pg-" + String(hash, radix: 16)
    }

    private func buildSQLite(file: String, script: String, log: (String) -> Void) throws {
        let path = directory + "/" + file
        let done = path + ".ok"
        if FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: done) { return }
        try? FileManager.default.removeItem(atPath: path)
        log("Building \(file) …")
        let db = try SQLiteDatabase(path: path)
        try db.execute(try DemoFiles.text(script))
        try "".write(toFile: done, atomically: true, encoding: .utf8)
    }

    static func loadIntoExternal(dsn: String, script: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", dsn, "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw MeshError(.connection, "loading the finance data with psql failed: " + String(decoding: data, as: UTF8.self).suffix(300))
        }
    }
}
