import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// One query with more fragments on a source than the source's pool has connections, and
/// many such queries at once (Done-when 5 of the server issue): each fragment's stream holds a
/// connection only while it has room to buffer, so no query waits on itself.
@Suite(.serialized) struct PoolPressureTests {
    static let join = """
        SELECT count(*), sum(t1.v + t2.v + t3.v + t4.v + t5.v + t6.v) FROM big.t1 t1
        JOIN big.t2 t2 ON t2.id = t1.id JOIN big.t3 t3 ON t3.id = t2.id JOIN big.t4 t4 ON t4.id = t3.id
        JOIN big.t5 t5 ON t5.id = t4.id JOIN big.t6 t6 ON t6.id = t5.id
        """

    /// Six tables of 24,000 rows (6 batches each: more than a stream buffers) in PostgreSQL,
    /// registered as mesh `big` through one connector with `pool_size 2`. Its `pool_timeout`
    /// is five minutes: the queries at once queue their fragments for the two connections,
    /// and beside the rest of the suite on two cores the last fragment's wait is the whole
    /// run's time, not a sign of a query waiting on itself. (One that did would still fail,
    /// with the pool's time-out error.)
    func makeEngine() async throws -> Engine? {
        guard let server = try await TestPostgres.shared() else { return nil }
        let conninfo = try server.createDatabase("meshql_pool_\(getpid())")
        var sql = "SET client_min_messages = warning;\n"
        for i in 1...6 {
            sql += "CREATE TABLE t\(i) AS SELECT g AS id, g % 7 AS v FROM generate_series(1, 24000) AS g;\n"
        }
        try server.execute(sql, database: "meshql_pool_\(getpid())")
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db")
        let s = engine.makeSession()
        for statement in ["CREATE MESH big",
                          "CREATE CONNECTOR big_src FOR MESH big TYPE postgres OPTIONS (dsn \(E2EFixture.literal(conninfo)), pool_size '2', pool_timeout '300')",
                          "IMPORT DATA PRODUCTS FROM CONNECTOR big_src"] {
            _ = try await s.execute(statement)
        }
        return engine
    }

    func run(_ engine: Engine) async throws -> [String] {
        let s = engine.makeSession()
        s.pushdownEnabled = false
        guard case .rows(let r) = try await s.execute(Self.join) else { return [] }
        return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }
    }

    /// No bound on the time: a query that waited on itself would not finish late but fail,
    /// with the pool's time-out error. The time limit only guards against a hang.
    @Test(.timeLimit(.minutes(10)))
    func sixFragmentsOnAPoolOfTwo() async throws {
        guard let engine = try await makeEngine() else { return }
        defer { engine.shutdown() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await run(engine) == ["24000|431988"])
        let one = clock.now - start

        // Many at once: every one completes. Eight, 48 fragments for two connections, are
        // enough for queries to hold connections others wait for; more only make the run,
        // and so the last fragment's wait, longer.
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { try await run(engine) } }
            var all: [[String]] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == ["24000|431988"] })
        print("pool pressure: one query \(one), eight at once \(clock.now - start - one)")
    }
}
