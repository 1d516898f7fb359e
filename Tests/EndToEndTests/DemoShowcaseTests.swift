import Foundation
import MeshCore
import MeshDemo
import MeshEngine
import MeshTestSupport
import Testing

/// The demo's showcase queries give exactly PostgreSQL's results (sql/demo/showcase.expected,
/// computed with the three domains loaded into one PostgreSQL database).
@Suite struct DemoShowcaseTests {
    /// Expected blocks by title: header line, then rows, psql unaligned (`|`, NULL as NULL).
    static func expected() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        var title: String?
        for line in try DemoFiles.text("showcase.expected").components(separatedBy: "\n") {
            if line.hasPrefix("-- title:") {
                title = line.dropFirst("-- title:".count).trimmingCharacters(in: .whitespaces)
                out[title!] = []
            } else if let t = title, !line.isEmpty {
                out[t]!.append(line)
            }
        }
        return out
    }

    @Test(arguments: [true, false])
    func showcaseMatchesPostgreSQL(pushdown: Bool) async throws {
        let dir = tempDirectory()
        let setup = DemoSetup(directory: dir)
        defer { setup.stop() }
        try await setup.prepare(postgresDSN: nil, useLocalPostgres: false) { _ in }
        let engine = try Engine(catalogPath: setup.catalogPath)
        defer { engine.shutdown() }
        let session = engine.makeSession()
        session.pushdownEnabled = pushdown
        let expected = try Self.expected()
        let queries = try DemoFiles.showcase()
        #expect(queries.count == expected.count)
        for q in queries {
            guard case .rows(let result) = try await session.execute(q.sql) else {
                Issue.record("\(q.title): no rows")
                continue
            }
            var lines = [result.fields.map(\.name).joined(separator: "|")]
            for row in try await result.collectRows() {
                lines.append(row.map { $0.isNull ? "NULL" : $0.description }.joined(separator: "|"))
            }
            #expect(lines == expected[q.title], "\(q.title) (pushdown \(pushdown ? "on" : "off"))")
        }
    }
}
