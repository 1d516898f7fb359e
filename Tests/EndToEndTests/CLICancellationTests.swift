import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// `meshql query` stopped by SIGINT or SIGTERM (Ctrl-C, `timeout`, `kill`) cancels its source
/// queries before it exits, with 130 or 143: no PostgreSQL backend keeps running its query.
@Suite("CLI cancellation")
struct CLICancellationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var signal: Int32
        var status: Int32
        var testDescription: String { signal == SIGINT ? "SIGINT" : "SIGTERM" }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ErrorTests.binary), "needs the built binary"),
          .timeLimit(.minutes(5)), arguments: [Case(signal: SIGINT, status: 130), Case(signal: SIGTERM, status: 143)])
    func signalCancelsSourceQueries(_ c: Case) async throws {
        guard let pg = try await E2EFixture.postgres() else {
            print("SKIP (no PostgreSQL): CLI cancellation")
            return
        }
        // A database of its own, so pg_stat_activity shows this test's backends only.
        let database = "cli_cancel_\(c.signal)"
        let conninfo = try pg.server.createDatabase(database)
        try pg.server.execute("CREATE TABLE t AS SELECT x FROM generate_series(1, 300) AS x", database: database)
        let catalog = tempDirectory() + "/catalog.db"
        let engine = try Engine(catalogPath: catalog)
        let session = engine.makeSession()
        for statement in [
            "CREATE MESH probe",
            "CREATE CONNECTOR probe_src FOR MESH probe TYPE postgres OPTIONS (dsn \(E2EFixture.literal(conninfo)))",
            "IMPORT DATA PRODUCTS FROM CONNECTOR probe_src SCHEMA public",
        ] { _ = try await session.execute(statement) }
        engine.shutdown()

        // A query PostgreSQL works on for minutes, returning nothing meanwhile.
        let sql = "SELECT a.x FROM probe.t a, probe.t b, probe.t c, probe.t d, probe.t e WHERE a.x * b.x * c.x * d.x * e.x = -1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ErrorTests.binary)
        process.arguments = ["query", "--catalog", catalog, sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let activity = "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND state = 'active' AND pid <> pg_backend_pid()"
        // Wait until PostgreSQL runs it: a second or so, the minute only for a loaded machine.
        let clock = ContinuousClock(), runningBy = clock.now + .seconds(60)
        var running = false
        while !running, clock.now < runningBy {
            try await Task.sleep(for: .milliseconds(100))
            running = try pg.server.query(activity) != "0"
        }
        #expect(running, "the query never reached PostgreSQL")
        kill(process.processIdentifier, c.signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == c.status)
        // meshql waits (up to 3 s, Engine.shutdown) for PostgreSQL to acknowledge the cancel
        // before it exits, so on a quiet machine the backend is idle at once (issue 6 asked
        // for within a second); the half minute is for a loaded one. A backend that was never
        // cancelled stays busy for minutes, so the wait cannot hide one.
        var left = try pg.server.query(activity)
        let idleBy = clock.now + .seconds(30)
        while left != "0", clock.now < idleBy {
            try await Task.sleep(for: .milliseconds(100))
            left = try pg.server.query(activity)
        }
        #expect(left == "0", "a backend still runs the query")
    }
}
