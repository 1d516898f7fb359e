import Foundation
import MeshCore
import MeshEngine
import MeshSQL

/// A statement of a PostgreSQL client on its way, from its start to its last row: registered
/// with the server's running queries (so `DELETE /api/query/{id}`, the shutdown drain, a
/// CancelRequest and a dropped connection stop it), holding one of its org's query slots, and
/// under the connection's statement timeout. A portal suspended by a row limit keeps it across
/// Execute messages; `end` gives everything back, once.
final class PGStatementRun {
    let queryID = UUID.newQueryID()
    let query = RunningQuery()
    let started = ContinuousClock.now
    let timedOut = TimeoutFlag()
    let parts: ServerParts
    let org: String
    let target: PGCancelTarget
    private var timer: Task<Void, Error>?
    private(set) var result: QueryResult?
    /// A batch read but not yet sent in full (a portal suspended within it), and where it stopped.
    var pending: (batch: Batch, next: Int)?
    var rows = 0
    private var ended = false

    private init(parts: ServerParts, org: String, target: PGCancelTarget) {
        self.parts = parts
        self.org = org
        self.target = target
    }

    static func start(parts: ServerParts, org: String, user: String, target: PGCancelTarget, timeout: Duration?) throws -> PGStatementRun {
        guard parts.slots.take(org) else {
            parts.metrics.orgLimitHit()
            throw MeshError(.tooManyConnections, "the organisation runs \(parts.slots.maximum) queries at once already")
        }
        let run = PGStatementRun(parts: parts, org: org, target: target)
        _ = parts.running.add(run.queryID, org: org, user: user, run.query)
        target.set(run.query)
        if let timeout {
            run.timer = Task { [query = run.query, flag = run.timedOut] in
                try await Task.sleep(for: timeout)
                flag.fired.withLock { $0 = true }
                query.cancel()
            }
        }
        return run
    }

    /// Runs `statement` in `session` (with `parameters` for its `$n`) until its rows begin.
    func execute(_ statement: ParsedStatement, in session: Session, parameters: [Literal]) async throws -> StatementResult {
        session.queryID = queryID
        session.parameters = parameters
        let outcome = try await query.run { try await session.execute([statement]) }
        if case .rows(let r) = outcome {
            result = r
            query.attach(r)
        }
        return outcome
    }

    /// The next row batch not yet sent, nil at the end.
    func nextBatch() async throws -> (batch: Batch, from: Int)? {
        if let p = pending {
            pending = nil
            return (p.batch, p.next)
        }
        while let r = result, let b = try await r.next() {
            if b.rowCount > 0 { return (b, 0) }
        }
        return nil
    }

    /// The error to tell the client: a cancel by the statement timeout says so.
    func reported(_ e: MeshError) -> MeshError {
        guard e.code == .cancelled, timedOut.fired.withLock({ $0 }) else { return e }
        return MeshError(.cancelled, "canceling statement due to statement timeout")
    }

    /// Gives the slot, the registration and the timer back, and stops what is left of the rows.
    func end(_ status: String) {
        guard !ended else { return }
        ended = true
        timer?.cancel()
        result?.close()
        target.set(nil)
        parts.running.remove(queryID, query)
        parts.slots.give(org)
        parts.metrics.queryEnded(status: status, duration: ContinuousClock.now - started, rows: rows)
    }

    deinit { end("abandoned") }
}
