import Foundation
import MeshCore
@testable import MeshEngine
@testable import MeshLineage
import MeshTestSupport
import Testing

/// Each query leaves exactly one START and one COMPLETE or FAIL OpenLineage event, and every
/// event validates against the OpenLineage 2-0-2 schemas (Tests/EndToEndTests/OpenLineage).
@Suite struct OpenLineageEventTests {
    static let schemas = E2EFixture.packageRoot + "/Tests/EndToEndTests/OpenLineage"

    @Test func everyQueryStartsAndEndsOnceAndValidates() async throws {
        let file = tempDirectory() + "/lineage.ndjson"
        // Sales in PostgreSQL, the rest in SQLite: both namings.
        guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: ["sales"]), lineage: LineageOptions(file: file)) else { return }
        defer { engine.shutdown() }
        // Registering the meshes ran no query.
        engine.flushAudit()
        #expect(((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").isEmpty)

        let session = engine.makeSession()
        let q03 = try #require(try TPCHFixture.queries().first { $0.name == "q03" }).sql
        guard case .rows(let rows) = try await session.execute(q03) else { Issue.record("no rows"); return }
        _ = try await rows.collectRows()
        await #expect(throws: MeshError.self) {
            guard case .rows(let r) = try await session.execute("SELECT 1 / n_nationkey FROM crm.nation") else { return }
            _ = try await r.collectRows()
        }
        _ = try await session.execute("SHOW MESHES")
        engine.flushAudit()

        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        // Two queries (SHOW is no query): START and COMPLETE, START and FAIL, one run each.
        let byRun = Dictionary(grouping: events) { ($0["run"] as? [String: Any])?["runId"] as? String ?? "" }
        #expect(byRun.count == 2)
        let phases = byRun.values.map { $0.compactMap { $0["eventType"] as? String }.sorted() }.sorted { $0[0] < $1[0] }
        #expect(phases == [["COMPLETE", "START"], ["FAIL", "START"]])

        // q03's COMPLETE: its three inputs named as OpenLineage names them, each with the
        // product as a symlink, and revenue's column lineage.
        let complete = try #require(events.first { $0["eventType"] as? String == "COMPLETE" })
        let inputs = try #require(complete["inputs"] as? [[String: Any]])
        let names = Set(inputs.map { "\($0["namespace"]!) \($0["name"]!)" })
        #expect(names.contains { $0.hasPrefix("postgres://") && $0.hasSuffix(".sales.lineitem") })
        #expect(names.contains { $0.hasPrefix("sqlite:///") && $0.hasSuffix(" main.customer") })
        let output = try #require((complete["outputs"] as? [[String: Any]])?.first)
        let facets = try #require(output["facets"] as? [String: Any])
        let lineage = try #require((facets["columnLineage"] as? [String: Any])?["fields"] as? [String: Any])
        let revenue = try #require((lineage["revenue"] as? [String: Any])?["inputFields"] as? [[String: Any]])
        #expect(Set(revenue.compactMap { $0["field"] as? String }) == ["l_extendedprice", "l_discount"])
        let sql = try #require(((complete["job"] as? [String: Any])?["facets"] as? [String: Any])?["sql"] as? [String: Any])
        #expect(!(sql["query"] as? String ?? "'BUILDING'").contains("BUILDING"), "literals are redacted")

        // Every event against the schemas.
        let run = try Subprocess.run("/usr/bin/env", ["python3", Self.schemas + "/validate.py", file])
        #expect(run.status == 0 && run.text.hasPrefix("ok 4"), "\(run.text)")
    }

    /// The events' JSON writer: what it writes parses back to what it was given, escapes
    /// and all, with keys in order.
    @Test func compactJSONRoundTrips() throws {
        let value: [String: Any] = [
            "b": "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é ★", "a": 42, "c": [1.5, true, false, NSNull()],
            "d": ["nested": ["x": -7]], "e": [String](),
        ]
        let data = CompactJSON.data(value)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\"a\":42,\"b\":"))
        #expect(text.contains("slash / newline \\n") && text.contains("\\u0007"))
        let back = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(back["b"] as? String == value["b"] as? String)
        #expect((back["c"] as? [Any])?.count == 4 && (back["d"] as? [String: [String: Int]])?["nested"]?["x"] == -7)
    }
}
