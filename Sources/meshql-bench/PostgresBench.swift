import ConnectorKit
import Foundation
import MeshCore
import MeshTestSupport
import PostgresConnector

/// Rows/s reading an 8-column PostgreSQL table into columnar batches through the PostgreSQL
/// connector, next to `psql` copying the same SELECT in binary format to /dev/null.
///
/// Each meshql run is a new `PostgresConnector` (so it pays for its connection as psql does),
/// one `execute`, and `next()` until the stream ends. Each psql run is one process. The two
/// alternate, and which goes first alternates too, so neither always meets a colder cache.
final class PostgresBench {
    let rows: Int
    let runs: Int
    let conninfo: String
    /// What the report shows for the DSN: the private cluster's conninfo, or a placeholder for
    /// a user's `--dsn` (it may carry a password).
    let shownDSN: String
    let psql: String
    let table: String
    private let server: TestPostgres?

    static let columns = ["id", "k", "qty", "price", "d", "s", "flag", "x"]
    /// The connector's types for the columns. `price` is an unconstrained numeric (numeric(12,2)
    /// divided by 100), which meshql reads as decimal(38,6) as the connector's discovery does.
    static let types: [DataType] = [.integer, .integer, .integer, .decimal(precision: 38, scale: 6), .date, .text,
                                    .boolean, .double]

    struct Result {
        var rows: Int
        var meshql: [Double]
        var psql: [Double]
        var meshqlCPU: [Double]
        var psqlCPU: [Double]
        var select: String
        var psqlCommand: String
        var server: String
        var medianMeshQL: Double { median(meshql) }
        var medianPSQL: Double { median(psql) }
        var ratio: Double { medianMeshQL / medianPSQL }
    }

    init(rows: Int, runs: Int, dsn: String?) throws {
        self.rows = rows
        self.runs = runs
        self.table = rows == 1_000_000 ? "bench8" : "bench8_\(rows)"
        guard let psql = Subprocess.which("psql") else {
            throw MeshError(.internalError, "psql is not on PATH; it is needed for the comparison")
        }
        self.psql = psql
        if let dsn {
            conninfo = dsn
            shownDSN = "<--dsn>"
            server = nil
        } else {
            print("PostgreSQL: starting a private cluster…")
            guard let pg = try TestPostgres.sharedBlocking(caller: "meshql-bench") else {
                throw MeshError(.connection, "no PostgreSQL: initdb is not on PATH and --dsn was not given")
            }
            server = pg
            conninfo = pg.conninfo
            shownDSN = pg.conninfo
        }
    }

    /// Stops the private cluster, if one was started.
    func stop() { server?.stop() }

    var select: String { "SELECT " + Self.columns.joined(separator: ", ") + " FROM " + table }
    var copy: String { "COPY (\(select)) TO STDOUT (FORMAT binary)" }

    func run() async throws -> Result {
        try ensureTable()
        print("PostgreSQL read: \(select)")
        var result = Result(rows: rows, meshql: [], psql: [], meshqlCPU: [], psqlCPU: [], select: select,
                            psqlCommand: "\(psql) -X -q -d '\(shownDSN)' -c '\(copy)' > /dev/null",
                            server: try psqlQuery("SHOW server_version"))
        // Run 0 warms the server's and the OS's caches for both and is not counted.
        for i in 0...runs {
            let meshqlFirst = i % 2 == 0
            var m = (0.0, 0.0), p = (0.0, 0.0)
            if meshqlFirst { m = try await meshqlRead(); p = try psqlRead() }
            else { p = try psqlRead(); m = try await meshqlRead() }
            let label = i == 0 ? "warm-up" : "run \(i)  "
            print("  \(label)  meshql \(ms(m.0)) (cpu \(ms(m.1)))   psql \(ms(p.0)) (cpu \(ms(p.1)))   ratio "
                  + String(format: "%.2f", m.0 / p.0))
            if i > 0 {
                result.meshql.append(m.0); result.meshqlCPU.append(m.1)
                result.psql.append(p.0); result.psqlCPU.append(p.1)
            }
        }
        print("")
        return result
    }

    // MARK: the two readers

    /// Wall seconds and this process's CPU seconds for one full read through the connector.
    private func meshqlRead() async throws -> (Double, Double) {
        let c0 = processCPU()
        let t0 = now()
        let connector = try PostgresConnector(dsn: conninfo, poolSize: 1)
        defer { connector.shutdown() }
        let stream = connector.execute(RemoteQuery(sql: select, parameters: [], outputTypes: Self.types))
        var n = 0
        while let b = try await stream.next() { n += b.rowCount }
        let t = now() - t0
        let cpu = processCPU() - c0
        guard n == rows else { throw MeshError(.internalError, "meshql read \(n) rows, expected \(rows)") }
        return (t, cpu)
    }

    /// Wall seconds and psql's CPU seconds for one `COPY … TO STDOUT (FORMAT binary)` to /dev/null.
    private func psqlRead() throws -> (Double, Double) {
        let t0 = now()
        let (status, usage, errors) = try spawn(psql, ["-X", "-q", "-d", conninfo, "-c", copy], stdout: "/dev/null")
        let t = now() - t0
        guard status == 0 else { throw MeshError(.internalError, "psql COPY failed: \(errors)") }
        return (t, seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }

    // MARK: the table

    /// Creates the table once (with VACUUM ANALYZE) when it is missing or has the wrong size.
    private func ensureTable() throws {
        let exists = try psqlQuery("SELECT to_regclass('\(table)') IS NOT NULL") == "t"
        if exists, try psqlQuery("SELECT count(*) FROM \(table)") == String(rows) {
            print("PostgreSQL: table \(table) exists with \(rows) rows")
            return
        }
        print("PostgreSQL: creating table \(table) (\(rows) rows)…")
        let t0 = now()
        // Separate -c commands: VACUUM cannot run inside the transaction one -c would make.
        try psqlRun(["DROP TABLE IF EXISTS \(table)",
                     """
                     CREATE TABLE \(table) AS SELECT g AS id, g % 1000 AS k, (g * 7) % 100000 AS qty,
                         (g % 10007)::numeric(12,2) / 100 AS price, ('2020-01-01'::date + (g % 3000)) AS d,
                         md5(g::text) AS s, (g % 2 = 0) AS flag, g::float8 / 3 AS x
                     FROM generate_series(1, \(rows)) g
                     """,
                     "VACUUM ANALYZE \(table)"])
        print("PostgreSQL: created in \(ms(now() - t0))")
    }

    private func psqlQuery(_ sql: String) throws -> String {
        var out = try psqlRun([sql], extra: ["-A", "-t"])
        while out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    @discardableResult
    private func psqlRun(_ statements: [String], extra: [String] = []) throws -> String {
        let file = NSTemporaryDirectory() + "meshql-bench-\(getpid())-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (status, _, errors) = try spawn(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
                                            + statements.flatMap { ["-c", $0] } + extra,
                                            stdout: file)
        guard status == 0 else { throw MeshError(.internalError, "psql failed: \(errors)") }
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }
}

/// Runs a program with stdout to `stdout` (a path), stdin from /dev/null and stderr captured;
/// returns its exit status, its resource usage and its stderr. No other descriptor of ours is
/// inherited.
func spawn(_ program: String, _ arguments: [String], stdout: String) throws -> (Int32, rusage, String) {
    let errPath = NSTemporaryDirectory() + "meshql-bench-\(getpid())-\(UUID().uuidString).err"
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap({ Int32($0) }) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
        posix_spawn_file_actions_addclose(&actions, fd)
    }
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
    guard rc == 0 else { throw MeshError(.internalError, "cannot run \(program): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw MeshError(.internalError, "wait4 failed for \(program)") }
    }
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (exitCode, usage, errors.trimmingCharacters(in: .whitespacesAndNewlines))
}
