import ArgumentParser
import Foundation
import MeshTestSupport

/// `meshql-differential`: the suite's random differential test (`RandomDifferentialTests`)
/// for as long as you like. Each generated query runs in PostgreSQL holding every table and in
/// meshql over every placement of the tables in PostgreSQL and SQLite, with pushdown on and
/// off; any difference is printed with its SQL.
@main
struct MeshQLDifferential: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshql-differential",
        abstract: "Compare meshql's answers with PostgreSQL's on seeded random queries.",
        discussion: """
        Starts a throwaway PostgreSQL cluster (or uses MESHQL_TEST_PG), loads NULL-heavy \
        tables m.ta … m.td into it and into SQLite files, and runs generated queries (outer \
        joins over derived tables, constants in ORDER BY and GROUP BY, subqueries in every \
        position, set operations, windows) everywhere. A query is wrong when its rows differ \
        from PostgreSQL's, an error when meshql fails where PostgreSQL answered, and slow when \
        it takes over --slow-factor times PostgreSQL's time and --slow-floor seconds. Exit \
        status 1 when anything was found. Build with `swift build -c release` for long runs.

        Example (half an hour from seed 1):
          meshql-differential --minutes 30 --seed 1
        """
    )

    @Option(help: ArgumentHelp("How long to run.", valueName: "minutes"))
    var minutes: Double = 5

    @Option(help: ArgumentHelp("Stop after this many queries (default: when the time is up).", valueName: "n"))
    var queries: Int?

    @Option(help: ArgumentHelp("Seed of the query generator.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Seed of the tables' data.", valueName: "n"))
    var dataSeed: UInt64 = 42

    @Option(help: ArgumentHelp("Seconds a query may run in meshql before it is stopped.", valueName: "seconds"))
    var timeout = 30

    @Option(help: ArgumentHelp("A query slower than this many times PostgreSQL's time …", valueName: "x"))
    var slowFactor = 10.0

    @Option(help: ArgumentHelp("… and than this many seconds is reported as slow.", valueName: "seconds"))
    var slowFloor = 5.0

    @Option(help: ArgumentHelp("Folder for the catalogs and SQLite files, kept after the run; with MESHQL_TEST_PG the source databases stay too, so that a query can be tried again with `meshql query --catalog DIR/PLACEMENT.db` (default: a temporary folder, removed).", valueName: "dir"))
    var dir: String?

    @Option(help: ArgumentHelp("Stop the run when this process holds more memory than this many GiB (a query whose join explodes can fill the machine faster than its time limit).", valueName: "GiB"))
    var maxMemory = 4.0

    @Option(help: ArgumentHelp("File each query is appended to before it runs.", valueName: "path"))
    var log = "meshql-differential.log"

    func validate() throws {
        guard minutes > 0 else { throw ValidationError("--minutes must be positive") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1") }
        guard maxMemory > 0 else { throw ValidationError("--max-memory must be positive") }
        guard slowFactor >= 1, slowFloor >= 0 else { throw ValidationError("--slow-factor must be at least 1, --slow-floor at least 0") }
        if let queries, queries < 1 { throw ValidationError("--queries must be at least 1") }
    }

    func run() async throws {
        guard let server = try await TestPostgres.shared() else {
            throw ValidationError("no PostgreSQL: put initdb on PATH or set MESHQL_TEST_PG")
        }
        // With --dir and a server of one's own, the catalogs stay usable: the databases they
        // read stay too. A private cluster always stops.
        let keep = dir != nil && ProcessInfo.processInfo.environment["MESHQL_TEST_PG"] != nil
        defer {
            if keep { server.keepCreatedDatabases() }
            server.stop()
        }
        if let dir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        // MariaDB placements too where a server can be had (skipped loudly otherwise).
        let mariadb = try await TestMariaDB.shared()
        defer {
            if dir != nil, ProcessInfo.processInfo.environment["MESHQL_TEST_MARIADB"] != nil { mariadb?.keepCreatedDatabases() }
            mariadb?.stop()
        }
        let world = try await RandomDifferential(server: server, mariadb: mariadb, directory: dir ?? tempDirectory(), dataSeed: dataSeed,
                                                 timeout: .seconds(timeout), slowFactor: slowFactor,
                                                 slowFloor: .milliseconds(Int(slowFloor * 1000)))
        defer { world.shutdown() }
        guard FileManager.default.createFile(atPath: log, contents: nil), let logFile = FileHandle(forWritingAtPath: log) else {
            throw ValidationError("cannot write \(log)")
        }
        MemoryWatch.start(limit: UInt64(maxMemory * 1_073_741_824), log: log)
        var generator = RandomQueryGenerator(seed: seed)
        print("meshql-differential  seed=\(seed)  data-seed=\(dataSeed)  modes=\(world.modes.count)  minutes=\(minutes)")
        if let dir { print("catalogs in \(dir) (one per placement); every table in PostgreSQL database \(world.oracle)") }
        let deadline = Date().addingTimeInterval(minutes * 60)
        var n = 0, found = 0, postgresFailed = 0, skipped = 0, tooSlow = 0
        var counts: [String: Int] = [:]
        while Date() < deadline, n < (queries ?? .max) {
            let (sql, ordered) = generator.nextQuery()
            n += 1
            logFile.write(Data("\(n)\t\(sql)\n".utf8))
            let outcome = await world.check(sql, ordered: ordered)
            if outcome.postgresFailed { postgresFailed += 1 }
            if outcome.skippedRows != nil { skipped += 1 }
            if outcome.postgresTooSlow { tooSlow += 1 }
            if !outcome.findings.isEmpty {
                found += 1
                for f in outcome.findings { counts[f.kind.rawValue, default: 0] += 1 }
                print("#\(n): \(sql)\n" + outcome.findings.map { "  \($0)" }.joined(separator: "\n"))
            }
            if n % 500 == 0 { print("\(n) queries, \(found) with findings") }
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("done: \(n) queries (seed \(seed)), \(postgresFailed) refused by PostgreSQL too, \(skipped) over \(RandomDifferential.rowCap) rows and \(tooSlow) past PostgreSQL's time limit (not compared), \(found) with findings\(summary.isEmpty ? "" : ": " + summary)")
        if found > 0 { throw ExitCode(1) }
    }
}

/// Ends the process when its resident memory passes `limit`: a safety net under the executor's
/// memory budget, which once missed a buffer (a hash join whose keys all match listed 22 GB of
/// row pairs for one generated query and the kernel killed the run), on a shared machine. The
/// query that did it is the log's last line.
enum MemoryWatch {
    static func start(limit: UInt64, log: String) {
        let thread = Thread {
            let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
            while true {
                if let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
                   let pages = text.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }), pages * page > limit {
                    FileHandle.standardError.write(Data("""
                        meshql-differential: over \(limit >> 20) MiB of memory; stopped. The query that did it \
                        is the last line of \(log).\n
                        """.utf8))
                    exit(3)
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.start()
    }
}
