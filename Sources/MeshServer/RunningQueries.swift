import Foundation
import MeshCore
import MeshEngine
import Synchronization

/// One query of the server from the moment its request is read: `cancel()` stops whatever
/// it is doing then — binding and planning (a runaway statement), or its running plan and
/// the source queries under it.
final class RunningQuery: Sendable {
    private let state = Mutex<(cancelled: Bool, actions: [@Sendable () -> Void])>((false, []))

    /// Runs the actions registered so far, and from now on each one as it is registered.
    func cancel() {
        let actions = state.withLock { s -> [@Sendable () -> Void] in
            guard !s.cancelled else { return [] }
            s.cancelled = true
            defer { s.actions = [] }
            return s.actions
        }
        actions.forEach { $0() }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// What cancelling does; run at once when the query was cancelled already.
    func onCancel(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.cancelled { return true }
            s.actions.append(action)
            return false
        }
        if now { action() }
    }

    /// Runs `body` (binding and planning, or a whole catalog statement) in a task that
    /// `cancel()` stops: a long bind or optimization checks for it as it goes. The task starts
    /// on the event loop the request is on, as the request's own task would continue.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task(executorPreference: EventLoopTaskExecutor.shared) { try await body() }
        onCancel { task.cancel() }
        do {
            return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch is CancellationError {
            throw MeshError(.cancelled, "canceling statement due to user request")
        }
    }

    /// Its rows, once planning gave them: cancelling stops them (at once, if it came first).
    func attach(_ result: QueryResult) {
        onCancel { result.cancel() }
    }
}

/// The queries running now, by id, so `DELETE /api/query/{id}` can stop one (its source
/// queries too), from the moment its request is read.
final class RunningQueries: Sendable {
    private let queries = Mutex<[String: (org: String, user: String, query: RunningQuery)]>([:])

    /// Registers a query; false when a running query has that id already.
    func add(_ id: String, org: String, user: String, _ query: RunningQuery) -> Bool {
        queries.withLock { r in
            guard r[id] == nil else { return false }
            r[id] = (org, user, query)
            return true
        }
    }

    func remove(_ id: String, _ query: RunningQuery) {
        queries.withLock { r in if r[id]?.query === query { r.removeValue(forKey: id) } }
    }

    func isRunning(_ id: String) -> Bool { queries.withLock { $0[id] != nil } }

    var count: Int { queries.withLock { $0.count } }

    /// Stops every running query (the server is shutting down); returns how many.
    func cancelAll() -> Int {
        let all = queries.withLock { Array($0.values) }
        all.forEach { $0.query.cancel() }
        return all.count
    }

    /// Stops a query of `org` started by `user` (or by anyone, for an org admin); false when
    /// there is none the caller may stop.
    func cancel(_ id: String, org: String, user: String, admin: Bool) -> Bool {
        guard let entry = queries.withLock({ $0[id] }), entry.org == org, admin || entry.user == user else { return false }
        entry.query.cancel()
        return true
    }
}
