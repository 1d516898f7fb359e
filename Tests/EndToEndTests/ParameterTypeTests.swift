import Foundation
import MeshCore
import MeshEngine
import MeshSQL
import MeshTestSupport
import Testing

/// A statement described before it has values (PostgreSQL's Parse / Describe): its `$n` take
/// the types the query gives them, as drivers that encode by the described type need.
@Suite struct ParameterTypeTests {
    @Test func parametersTakeTheTypeTheQueryGivesThem() async throws {
        let (engine, _) = try await engineOverSQLite("CREATE TABLE t (i INTEGER, s TEXT, d DATE); INSERT INTO t VALUES (1, 'a', '2024-01-01')")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        func types(_ sql: String, _ n: Int) throws -> [DataType?] {
            let parsed = try s.parse(sql)
            return try s.describe(parsed[0].statement, parameterCount: n).parameterTypes
        }
        let a = try types("SELECT i FROM m.t WHERE i = $1 AND s = $2 AND d > $3", 3)
        #expect(a == [.integer, .text, .date], "\(a)")
        let b = try types("SELECT i + $1 FROM m.t WHERE s IN (SELECT s FROM m.t WHERE i < $2)", 2)
        #expect(b == [.integer, .integer], "\(b)")
        // Nothing to go by: left to the client (described as text).
        #expect(try types("SELECT $1", 1) == [nil])
        #expect(try s.describe(s.parse("SELECT i, s FROM m.t WHERE i = $1")[0].statement, parameterCount: 1).fields?.map(\.name) == ["i", "s"])
    }
}
