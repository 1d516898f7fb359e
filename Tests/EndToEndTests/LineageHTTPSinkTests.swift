import Foundation
import MeshCore
import MeshEngine
@testable import MeshLineage
import MeshTestSupport
import Testing

/// OpenLineage events POSTed to a Marquez-compatible endpoint (a small Python receiver):
/// every event arrives, in order, and validates; a slow, dead or silent endpoint never holds
/// a query up, and the engine still shuts down promptly.
@Suite(.serialized) struct LineageHTTPSinkTests {
    static let scripts = OpenLineageEventTests.schemas

    /// The receiver, answering after `delay` seconds; stopped when the test ends.
    final class Receiver {
        let process = Process()
        let out: String
        let url: String

        init(delay: Double = 0) throws {
            let folder = tempDirectory()
            out = folder + "/received.ndjson"
            let portFile = folder + "/port"
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", LineageHTTPSinkTests.scripts + "/receiver.py", portFile, out, String(delay)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Python starts in a fraction of a second; the half minute is for a loaded machine.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let port = try? String(contentsOfFile: portFile, encoding: .utf8) {
                    url = "http://127.0.0.1:\(port)"
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            process.terminate()
            throw MeshError(.connection, "the lineage receiver did not start")
        }

        deinit {
            // SIGKILL: a test process may pass its children SIGTERM ignored.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        var events: [[String: Any]] {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    static func run(_ session: Session, _ sql: String) async throws -> Int {
        guard case .rows(let r) = try await session.execute(sql) else { return 0 }
        return try await r.collectRows().count
    }

    @Test(.timeLimit(.minutes(5))) func everyEventArrivesInOrderAndValidates() async throws {
        let receiver = try Receiver()
        guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: ["sales"]), lineage: LineageOptions(url: receiver.url)) else { return }
        defer { engine.shutdown() }
        let session = engine.makeSession()
        #expect(try await Self.run(session, "SELECT n_name FROM crm.nation WHERE n_regionkey = 1") == 5)
        #expect(try await Self.run(session, "SELECT count(*) FROM sales.orders") == 1)
        await #expect(throws: MeshError.self) { _ = try await Self.run(session, "SELECT 1 / n_nationkey FROM crm.nation") }
        // Returns once the six events are delivered (milliseconds): the minute is only a cap.
        engine.flushLineage(timeout: 60)

        let events = receiver.events
        #expect(events.count == 6)
        // In the order they were made: each run's START before its end, runs one after another.
        let sequence = events.map { ($0["eventType"] as? String ?? "") }
        #expect(sequence == ["START", "COMPLETE", "START", "COMPLETE", "START", "FAIL"])
        let runs = events.map { (($0["run"] as? [String: Any])?["runId"] as? String) ?? "" }
        #expect(runs[0] == runs[1] && runs[2] == runs[3] && runs[4] == runs[5] && Set(runs).count == 3)
        let check = try Subprocess.run("/usr/bin/env", ["python3", Self.scripts + "/validate.py", receiver.out])
        #expect(check.status == 0 && check.text.hasPrefix("ok 6"), "\(check.text)")
    }

    /// An endpoint that takes 10 s per event, one that refuses connections, and one that takes
    /// the connection and never answers: queries take no longer than without a sink.
    @Test(.timeLimit(.minutes(5))) func aSlowDeadOrSilentEndpointNeverHoldsAQueryUp() async throws {
        let slow = try Receiver(delay: 10)
        let silent = try Receiver(delay: 3600)
        let dead = "http://127.0.0.1:\(try LoopbackPort.free())"
        for url in [slow.url, dead, silent.url] {
            guard let engine = try await TPCHFixture.freshEngine(.init(inPostgres: []), lineage: LineageOptions(url: url)) else { return }
            let session = engine.makeSession()
            // A query that waited for its events would wait out the request's 5 s limit at the
            // slow and silent endpoints, so ten would take 50 s at least; ten that do not take
            // milliseconds each. The bound is on the ten together, half of what waiting would
            // cost: a loaded machine can stall one query for seconds, not all ten for five each.
            let start = Date()
            for _ in 0..<10 {
                #expect(try await Self.run(session, "SELECT n_name FROM crm.nation") == 25)
            }
            let ten = Date().timeIntervalSince(start)
            #expect(ten < 25, "ten queries took \(ten) s with the endpoint at \(url)")
            // Shutting down gives the endpoint its two seconds, and no more: one that waited
            // for the queue to be sent would wait for a slow endpoint's every event, and for a
            // silent one's forever. Twenty is ten times the two.
            let stop = Date()
            engine.shutdown()
            #expect(Date().timeIntervalSince(stop) < 20)
        }
    }

    @Test func aURLThatIsNoHTTPEndpointIsRefusedWhenTheEngineOpens() throws {
        for url in ["marquez:5000", "ftp://host/x", "http://"] {
            #expect(throws: MeshError.self, "\(url)") {
                _ = try Engine(catalogPath: tempDirectory() + "/c.db", lineage: LineageOptions(url: url))
            }
        }
    }
}
