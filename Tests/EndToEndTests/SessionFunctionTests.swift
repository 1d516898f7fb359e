import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// What PostgreSQL clients ask as they connect: `version()` in PostgreSQL's form (drivers parse
/// the version from it), `current_database()` the org, `current_schema()` the session's mesh —
/// a new answer after `USE`, however the plan cache holds the statement.
@Suite struct SessionFunctionTests {
    @Test func theSessionAsPostgreSQLClientsAskForIt() async throws {
        let (engine, _) = try await engineOverSQLite("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1)")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        func row(_ sql: String) async throws -> [String] {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().first?.map(\.description) ?? []
        }
        let first = try await row("SELECT version(), current_database(), current_schema()")
        #expect(first.count == 3 && first[0].hasPrefix("PostgreSQL 15.0 ") && first[1] == "default" && first[2] == "", "\(first)")
        _ = try await s.execute("USE m")
        #expect(try await row("SELECT version(), current_database(), current_schema()").last == "m")
        let e = await #expect(throws: MeshError.self) { _ = try await s.execute("SELECT version(1)") }
        #expect(e?.code == .undefinedFunction)
    }
}
