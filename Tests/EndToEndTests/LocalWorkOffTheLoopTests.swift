import Foundation
import ConnectorKit
import MeshCore
@testable import MeshEngine
import MeshExec
import MeshPlan
import PostgresConnector
import Testing

/// A query whose operators compute here (a join, an aggregate, a sort) makes its batches on the
/// source threads, not where its reader is (a server's event loop, Swift's two cooperative
/// threads); one that only passes a source's rows on is pulled where the reader is.
struct LocalWorkOffTheLoopTests {
    /// Answers one row: whether it ran on a source thread.
    final class ThreadProbe: PhysicalOperator {
        let fields = [Field(name: "thread", type: .text)]
        var rowsProduced = 0
        var children: [any PhysicalOperator] { [] }
        private var done = false
        func next() async throws -> Batch? {
            if done { return nil }
            done = true
            return Batch.fromRows([[.string(Self.threadName())]], types: [.text])
        }
        func close() {}
        static func threadName() -> String { SourceThreads.onSourceThread ? "meshql-source" : "elsewhere" }
    }

    func thread(_ computesLocally: Bool) async throws -> String {
        let result = QueryResult(root: ThreadProbe(), computesLocally: computesLocally)
        return try await result.collectRows().first?.first?.description ?? ""
    }

    @Test func operatorsRunOnTheSourceThreads() async throws {
        let on = try await thread(true)
        #expect(on == "meshql-source", "ran on \(on)")
        #expect(try await thread(false) != "meshql-source")
    }

    @Test func whatComputesLocally() {
        let c = PlanColumn.fresh("a", .integer)
        let remote = LogicalPlan.remote(RemoteFragment(connectorID: "x", connectorName: "x", dialectName: "postgres", text: "SELECT 1", dialect: PostgresDialect(),
                                                       parameters: [], columns: [c], products: []))
        #expect(!Session.computesLocally(remote))
        #expect(!Session.computesLocally(.limit(.project(remote, [c.ref], [.fresh("b", .integer)]), limit: 1, offset: 0)))
        #expect(Session.computesLocally(.sort(remote, [SortKey(expr: c.ref, descending: false, nullsFirst: false)])))
        #expect(Session.computesLocally(.filter(remote, BoundExpr(.comparison(.equal, c.ref, .literal(.int(1), .integer)), type: .boolean))))
        #expect(Session.computesLocally(.join(remote, remote, .inner, nil)))
    }
}
