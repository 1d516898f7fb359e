import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// PostgreSQL's class-22 errors quote the offending value (`invalid input syntax for type
/// integer: "s3cret-42"`), which may be one a policy hides (the tenancy issue, problem 6): the
/// quoted part never reaches the caller.
@Suite struct SourceErrorTests {
    @Test func valuesQuotedBySourceErrorsAreDropped() async throws {
        guard let pg = try await TestPostgres.shared() else { return }
        let db = "meshql_source_errors"
        try pg.execute("DROP DATABASE IF EXISTS \(db)")
        try pg.execute("CREATE DATABASE \(db)")
        try pg.execute("CREATE TABLE secrets (id integer, code text, day text); INSERT INTO secrets VALUES (1, '7', '2024-01-01'), (2, 's3cret-42', 'n0t-a-d4te')",
                       database: db)
        let engine = try Engine(catalogPath: tempDirectory() + "/errors.db")
        defer { engine.shutdown() }
        let op = engine.makeSession()
        for sql in ["CREATE MESH m", "CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn '\(pg.conninfo(database: db).replacingOccurrences(of: "'", with: "''"))')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR c", "GRANT SELECT ON m.* TO PUBLIC",
                    // The manager's filter reads the raw value of rows the reader never sees.
                    "FILTER m.secrets USING CAST(code AS integer) > 0 FOR ROLE analyst",
                    "DENY SELECT (code, day) ON m.secrets TO ROLE analyst"] {
            _ = try await op.execute(sql)
        }
        let analyst = engine.makeSession()
        analyst.principal = Principal(user: "ann@acme.test", roles: ["analyst"])
        for (session, sql) in [(analyst, "SELECT id FROM m.secrets"), (op, "SELECT CAST(code AS integer) FROM m.secrets"),
                               (op, "SELECT CAST(day AS date) FROM m.secrets")] {
            for pushdown in [true, false] {
                session.pushdownEnabled = pushdown
                do {
                    guard case .rows(let r) = try await session.execute(sql) else { continue }
                    _ = try await r.collectRows()
                    Issue.record("\(sql) answered")
                } catch let e as MeshError {
                    let text = e.message + (e.hint ?? "")
                    #expect(!text.contains("s3cret") && !text.contains("n0t-a"), "\(sql): \(text)")
                    #expect(["22P02", "22007", "22008"].contains(e.sqlState) || e.code == .source, "\(sql): \(e.sqlState) \(text)")
                }
            }
        }
    }
}
