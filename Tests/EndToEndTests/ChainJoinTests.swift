import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// A 64-table chain join of ten-row tables (`t1.a = t2.b AND t2.a = t3.b …`, written as one
/// comma-separated FROM) answers at once whether the tables live in SQLite, in PostgreSQL, or
/// the join runs locally: join ordering follows the chain, and the SQL sent to a source leaves
/// it free to order its own joins (no CROSS JOIN for SQLite to keep as written).
@Suite("64-table chain joins")
struct ChainJoinTests {
    static let tables = 64

    static func schemaSQL() -> String {
        var sql = ""
        for i in 1...tables {
            sql += "CREATE TABLE t\(i) (a INTEGER NOT NULL, b INTEGER NOT NULL);\n"
            sql += "INSERT INTO t\(i) (a, b) VALUES " + (1...10).map { "(\($0), \($0))" }.joined(separator: ", ") + ";\n"
        }
        return sql
    }

    static func query() -> String {
        let from = (1...tables).map { "chain.t\($0)" }.joined(separator: ", ")
        let chain = (1..<tables).map { "chain.t\($0).a = chain.t\($0 + 1).b" }.joined(separator: " AND ")
        return "SELECT count(*) FROM \(from) WHERE \(chain)"
    }

    enum Place: String, CaseIterable, Sendable { case sqlite, postgres, local }

    /// Under a second on an idle machine (measured by hand); beside the fuzz, differential
    /// and server suites on two cores it waits its turn for 20-30 s. The bound of five
    /// minutes, and the time limit past it, only catch a hang or a cross-product plan (hours).
    @Test(.timeLimit(.minutes(10)), arguments: Place.allCases)
    func chainOf64(_ place: Place) async throws {
        let dir = tempDirectory()
        let engine = try Engine(catalogPath: dir + "/catalog.db")
        let session = engine.makeSession()
        _ = try await session.execute("CREATE MESH chain")
        switch place {
        case .sqlite, .local:
            let path = dir + "/chain.db"
            try SQLiteDatabase(path: path).execute(Self.schemaSQL())
            _ = try await session.execute("CREATE CONNECTOR chain_src FOR MESH chain TYPE sqlite OPTIONS (path \(E2EFixture.literal(path)))")
        case .postgres:
            guard let server = try await TestPostgres.shared() else {
                print("SKIP (no PostgreSQL): 64-table chain join in PostgreSQL")
                return
            }
            let name = "meshql_chain_\(getpid())"
            let conninfo = try server.createDatabase(name)
            // With statistics, as a live database has them: without, PostgreSQL 15's own
            // estimates for a 64-way join overflow and it takes seconds over ten-row tables,
            // whatever SQL it is given (the plain comma-join text too).
            try server.execute(Self.schemaSQL() + "ANALYZE;\n", database: name)
            _ = try await session.execute("CREATE CONNECTOR chain_src FOR MESH chain TYPE postgres OPTIONS (dsn \(E2EFixture.literal(conninfo)))")
        }
        _ = try await session.execute("IMPORT DATA PRODUCTS FROM CONNECTOR chain_src")
        session.pushdownEnabled = place != .local

        let start = Date()
        guard case .rows(let result) = try await session.execute(Self.query()) else {
            Issue.record("no rows result")
            return
        }
        let rows = try await result.collectRows()
        let seconds = Date().timeIntervalSince(start)
        #expect(rows.map { $0.map(\.description) } == [["10"]])
        #expect(seconds < 300, "64-table chain join in \(place) took \(seconds) s")
        print("64-table chain join, \(place): \(String(format: "%.3f", seconds)) s")
        engine.shutdown()
    }
}
