import Synchronization

/// The connections of the PostgreSQL protocol by process id, with the secret each was given
/// (BackendKeyData): a CancelRequest on another connection names both, and stops the query
/// running then (as `DELETE /api/query/{id}` does).
final class PGBackends: Sendable {
    private let entries = Mutex<(next: Int32, byID: [Int32: (secret: Int32, target: PGCancelTarget)])>((1000, [:]))

    /// A process id and secret for a new connection.
    func add(_ target: PGCancelTarget) -> (processID: Int32, secret: Int32) {
        let secret = Int32.random(in: Int32.min...Int32.max)
        let pid = entries.withLock { e -> Int32 in
            repeat { e.next = e.next == Int32.max ? 1000 : e.next + 1 } while e.byID[e.next] != nil
            e.byID[e.next] = (secret, target)
            return e.next
        }
        return (pid, secret)
    }

    func remove(_ processID: Int32) {
        _ = entries.withLock { $0.byID.removeValue(forKey: processID) }
    }

    /// Cancels the query of connection `processID` when `secret` is its own; a wrong pair does
    /// nothing, as PostgreSQL does (and says nothing either way).
    func cancel(processID: Int32, secret: Int32) {
        guard let entry = entries.withLock({ $0.byID[processID] }), entry.secret == secret else { return }
        entry.target.cancel()
    }
}

/// What a cancel stops: the query a connection runs now, if any.
final class PGCancelTarget: Sendable {
    private let current = Mutex<RunningQuery?>(nil)

    func set(_ query: RunningQuery?) { current.withLock { $0 = query } }

    func cancel() { current.withLock { $0 }?.cancel() }
}
