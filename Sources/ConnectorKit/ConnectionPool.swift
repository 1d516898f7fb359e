import Foundation
import MeshCore

/// A small blocking pool of source connections (libpq, sqlite3): opened lazily up to `size`,
/// lent to one borrower at a time, and closed instead of returned when the borrower says it
/// is not reusable. Only called from source threads (BatchStream producers, `onSourceThread`).
///
/// `@unchecked Sendable`: `idle` and `closed` are only touched under `lock`; `permits` is a
/// semaphore, thread-safe by itself; a connection is used by one borrower at a time.
public final class ConnectionPool<Connection: AnyObject>: @unchecked Sendable {
    public let size: Int
    /// How long a borrower waits for a free connection before giving up.
    public let acquireTimeout: TimeInterval
    /// "PostgreSQL", "SQLite": for the time-out message.
    private let sourceKind: String
    private let open: @Sendable () throws -> Connection
    private let stillUsable: @Sendable (Connection) -> Bool
    private let permits: DispatchSemaphore
    /// Guards `idle`, `closed` and `borrowed`; signalled when a connection comes back.
    private let lock = NSCondition()
    private var idle: [Connection] = []
    private var closed = false
    /// Connections lent and not yet given back.
    private var borrowed = 0

    public init(sourceKind: String, size: Int, acquireTimeout: TimeInterval = 30,
                stillUsable: @escaping @Sendable (Connection) -> Bool = { _ in true },
                open: @escaping @Sendable () throws -> Connection) {
        self.sourceKind = sourceKind
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.stillUsable = stillUsable
        self.open = open
        self.permits = DispatchSemaphore(value: size)
    }

    /// A connection, and whether it was used before (so may have gone stale while idle).
    public func acquire() throws -> (connection: Connection, reused: Bool) {
        if permits.wait(timeout: .now() + acquireTimeout) == .timedOut {
            throw MeshError(.connection,
                            "timed out after \(Int(acquireTimeout)) s waiting for a free \(sourceKind) connection (pool_size \(size))",
                            hint: "raise the connector's pool_size or run fewer queries at once")
        }
        lock.lock()
        borrowed += 1
        if let c = idle.popLast() {
            lock.unlock()
            return (c, true)
        }
        lock.unlock()
        do {
            return (try open(), false)
        } catch {
            lock.lock()
            borrowed -= 1
            lock.broadcast()
            lock.unlock()
            permits.signal()
            throw error
        }
    }

    /// Gives a connection back; one that is not reusable (broken, abandoned mid-result,
    /// after a cancel) is closed instead.
    public func release(_ connection: Connection, reusable: Bool = true) {
        lock.lock()
        if reusable, !closed, stillUsable(connection) { idle.append(connection) }
        borrowed -= 1
        lock.broadcast()
        lock.unlock()
        permits.signal()
    }

    /// Closes idle connections; borrowed ones close when they come back.
    public func shutdown() {
        lock.lock()
        closed = true
        let dropped = idle
        idle = []
        lock.unlock()
        _ = dropped   // deinit closes them, outside the lock
    }

    /// Waits up to `timeout` for borrowed connections to come back. A query being cancelled
    /// gives its connection back once the source has acknowledged the cancel; a process that
    /// exited before that would leave the source running the query (PostgreSQL notices a
    /// closed connection only when it next writes to it). Blocks: call it at the end of a
    /// process, not from async code that serves others.
    public func drain(timeout: TimeInterval) {
        lock.lock()
        let deadline = Date().addingTimeInterval(timeout)
        while borrowed > 0, lock.wait(until: deadline) {}
        lock.unlock()
    }
}

/// Runs blocking work on a new thread and resumes the caller when it is done, so that blocking
/// C calls (libpq, sqlite3) never occupy a thread of Swift's cooperative pool.
public func onSourceThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }
}
