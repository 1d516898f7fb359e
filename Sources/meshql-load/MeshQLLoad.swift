import ArgumentParser
import Foundation
import MeshCore
import MeshTestSupport
import Synchronization

/// Drives `meshql serve` with N concurrent clients on loopback, each running point queries
/// through PostgreSQL (pgbench's accounts table, by random key), and prints throughput and
/// p50/p99 latency; then, on the same server in the same run, `pgbench -S -c N` for the
/// select-only figure PostgreSQL reaches by itself. Run the release build.
@main
struct MeshQLLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshql-load",
        abstract: "Load-test meshql serve against pgbench -S on the same PostgreSQL.",
        discussion: """
        Example (release build, as the server issue measures it):
          swift build -c release && .build/release/meshql-load --clients 200 --seconds 60
        Without --dsn a private PostgreSQL cluster is started (initdb on PATH).
        """)

    @Option(help: "Concurrent clients (a keep-alive connection each), as pgbench's -c.")
    var clients = 200
    @Option(help: "Threads driving the clients, as pgbench's -j (both use the same number).")
    var threads = 2
    @Option(help: "Seconds each measurement runs.")
    var seconds = 60
    @Option(help: "pgbench scale (100,000 accounts each).")
    var scale = 10
    @Option(help: "pool_size of the PostgreSQL connector (default: 4 per core; more connections than that only queue at the server).")
    var poolSize = 4 * ProcessInfo.processInfo.activeProcessorCount
    @Option(help: ArgumentHelp("libpq conninfo of a PostgreSQL server to use instead of a private cluster.", valueName: "conninfo"))
    var dsn: String?
    @Option(help: ArgumentHelp("The meshql executable (default: beside this one).", valueName: "path"))
    var meshql: String?

    func validate() throws {
        guard clients >= 1, threads >= 1, seconds >= 1, scale >= 1, poolSize >= 1 else { throw ValidationError("every number must be at least 1") }
    }

    func run() throws {
        #if DEBUG
        print("WARNING: this is a debug build; measure with `swift build -c release`.\n")
        #endif
        guard let pgbench = Subprocess.which("pgbench"), let psql = Subprocess.which("psql") else {
            throw ValidationError("pgbench and psql must be on PATH")
        }
        let binary = meshql ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("meshql").path
        var server: TestPostgres?
        let conninfo: String
        if let dsn {
            conninfo = dsn
        } else {
            print("PostgreSQL: starting a private cluster…")
            guard let pg = try TestPostgres.sharedBlocking(caller: "meshql-load") else { throw ValidationError("no PostgreSQL: give --dsn") }
            server = pg
            conninfo = try pg.createDatabase("meshql_load")
        }
        defer { server?.stop() }
        print("pgbench -i -s \(scale)…")
        _ = try Subprocess.check(pgbench, ["-i", "-q", "-s", String(scale), conninfo], what: "pgbench -i")

        let dir = tempDirectory()
        let catalog = dir + "/catalog.db"
        let quoted = conninfo.replacingOccurrences(of: "'", with: "''")
        _ = try Subprocess.check(binary, ["query", "--create", "--catalog", catalog, """
            CREATE MESH bench; CREATE CONNECTOR bench_pg FOR MESH bench TYPE postgres OPTIONS (dsn '\(quoted)', pool_size '\(poolSize)');
            IMPORT DATA PRODUCTS FROM CONNECTOR bench_pg; GRANT SELECT ON bench.* TO ROLE loader
            """], what: "registering the pgbench database")
        let token = try Subprocess.check(binary, ["token", "create", "--catalog", catalog, "--org", "default", "--user", "load@meshql",
                                                  "--role", "loader"], what: "meshql token create")
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = try LoopbackPort.free()
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: binary)
        serve.arguments = ["serve", "--catalog", catalog, "--port", String(port), "--rate-limit", "1000000",
                           "--max-queries-per-org", String(clients * 2)]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }
        let accounts = 100_000 * scale
        let headers = ["Authorization": "Bearer \(token)", "x-org": "default"]
        let request: @Sendable (LoopbackHTTPClient) throws -> Int = { c in
            let aid = Int.random(in: 1...accounts)
            return try c.post("/api/query", headers: headers,
                              body: "{\"sql\": \"SELECT abalance FROM bench.pgbench_accounts WHERE aid = \(aid)\"}").status
        }
        // Up and warm: one request until it answers, then a second of every client.
        let probe = LoopbackHTTPClient(port: port)
        var up = false
        for _ in 0..<100 where !up {
            if (try? request(probe)) == 200 { up = true } else { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard up else {
            let answer = try? probe.post("/api/query", headers: headers, body: "{\"sql\": \"SELECT abalance FROM bench.pgbench_accounts WHERE aid = 1\"}")
            throw ValidationError("meshql serve did not answer the point query: \(answer.map { "\($0.status) " + String(decoding: $0.body, as: UTF8.self) } ?? "no answer")")
        }

        print("meshql serve: \(clients) clients for \(seconds) s, SELECT abalance FROM bench.pgbench_accounts WHERE aid = <random>")
        let driver = LoadDriver(port: port, connections: clients, threads: min(threads, clients), body: {
            "{\"sql\": \"SELECT abalance FROM bench.pgbench_accounts WHERE aid = \(Int.random(in: 1...accounts))\"}"
        }, path: "/api/query", headers: headers)
        let result = driver.run(seconds: Double(seconds))
        serve.terminate()
        serve.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.5)
        let leftover = try Subprocess.check(psql, ["-X", "-At", conninfo, "-c",
                                                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"],
                                            what: "counting connections").trimmingCharacters(in: .whitespacesAndNewlines)

        print("pgbench -S -c \(clients) -j \(threads) -T \(seconds)…")
        let bench = try Subprocess.check(pgbench, ["-S", "-n", "-c", String(clients), "-j", String(threads), "-T", String(seconds), conninfo],
                                         what: "pgbench -S")
        let tps = bench.split(separator: "\n").first { $0.hasPrefix("tps = ") }
            .flatMap { Double($0.dropFirst(6).split(separator: " ").first ?? "") } ?? 0
        print("")
        print(String(format: "meshql serve  %9.0f queries/s  p50 %.2f ms  p99 %.2f ms  errors %d  requests %d",
                     result.throughput, result.p50, result.p99, result.errors, result.requests))
        print(String(format: "pgbench -S    %9.0f tps", tps))
        print(String(format: "ratio         %9.1f %% of pgbench", tps > 0 ? 100 * result.throughput / tps : 0))
        print("PostgreSQL connections left after the server stopped: \(leftover)")
    }
}
