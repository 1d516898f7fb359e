import ArgumentParser
import Foundation

/// `meshql-bench`: two throughput figures of the engine in one run.
///
/// 1. PostgreSQL read: rows/s reading an 8-column table into columnar batches through the
///    PostgreSQL connector, next to `psql` copying the same SELECT in binary to /dev/null.
/// 2. Local hash join: probe rows/s of a hash join of two generated inputs followed by a
///    grouped SUM, run by the executor's operators.
@main
struct MeshQLBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshql-bench",
        abstract: "Measure meshql's PostgreSQL read throughput and local hash join throughput.",
        discussion: """
        PostgreSQL read: the connector reads `SELECT <8 columns> FROM bench8` (created once if \
        missing) into columnar batches; `psql -c "COPY (<same SELECT>) TO STDOUT (FORMAT binary)"` \
        with output to /dev/null reads the same rows. The two run alternately; the report gives \
        medians and the ratio of medians (goal: meshql within 1.3x of psql).

        Hash join: a build input of --rows rows (keys 0..<rows) and a probe input of --rows rows \
        (random keys, ~1000 groups) are generated in memory first; the timed part is the join \
        followed by SUM(amount) GROUP BY grp (goal: at least 10 million probe rows/s). It runs \
        again with all keys multiplied by 1000003: no longer a dense range, so the join hashes.

        Without --dsn a private PostgreSQL cluster is started (initdb must be on PATH) and \
        stopped at the end. Build with `swift build -c release` before measuring.
        """
    )

    @Option(help: ArgumentHelp("Rows of the PostgreSQL table and of each join input.", valueName: "n"))
    var rows = 1_000_000

    @Option(help: ArgumentHelp("Timed runs of each measurement; medians are reported.", valueName: "n"))
    var runs = 5

    @Option(help: ArgumentHelp("libpq conninfo or URI of the PostgreSQL server to use instead of a private cluster.",
                               valueName: "conninfo"))
    var dsn: String?

    @Flag(help: "Skip the PostgreSQL read benchmark.")
    var skipPg = false

    @Flag(help: "Skip the hash join benchmark.")
    var skipJoin = false

    func validate() throws {
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if skipPg && skipJoin { throw ValidationError("--skip-pg and --skip-join together leave nothing to run") }
    }

    func run() async throws {
        #if DEBUG
        print("WARNING: this is a debug build; measure with `swift build -c release`.\n")
        #endif
        print("meshql-bench  rows=\(rows)  runs=\(runs)  cores=\(ProcessInfo.processInfo.activeProcessorCount)")
        print("")
        var report = Report()
        if !skipJoin {
            let bench = JoinBench(rows: rows, runs: runs)
            report.join = try await bench.run()
        }
        if !skipPg {
            let bench = try PostgresBench(rows: rows, runs: runs, dsn: dsn)
            defer { bench.stop() }
            report.postgres = try await bench.run()
        }
        report.print()
    }
}
