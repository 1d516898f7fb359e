import Foundation
import MeshCore

/// A small blocking pool of source connections (libpq, sqlite3): opened lazily up to `size`,
/// lent to one borrower at a time, and closed instead of returned when the borrower says it
/// is not reusable. Only called from source threads (BatchStream producers, `onSourceThread`).
///
/// Fair: borrowers get connections in the order they asked. While anyone waits, `hasWaiters`
/// says so, and a stream holding a connection only because its reader is busy elsewhere
/// reads ahead into memory and gives the connection back (`BatchStream.yieldWhen`), so a
/// query with more fragments on a source than the pool has connections cannot wait on itself.
///
/// `@unchecked Sendable`: every mutable field is only touched under `lock`; a connection is
/// used by one borrower at a time.
public final class ConnectionPool<Connection: AnyObject>: @unchecked Sendable {
    public let size: Int
    /// How long a borrower waits for a free connection before giving up.
    public let acquireTimeout: TimeInterval
    /// "PostgreSQL", "SQLite": for the time-out message.
    private let sourceKind: String
    private let open: @Sendable () throws -> Connection
    private let stillUsable: @Sendable (Connection) -> Bool
    /// Guards every field below; signalled when a connection comes back.
    private let lock = NSCondition()
    private var idle: [Connection] = []
    private var closed = false
    /// Connections lent and not yet given back.
    private var borrowed = 0
    /// Connections that may still be lent right away.
    private var free: Int
    /// Borrowers waiting, first come first served; each is woken by its own semaphore once a
    /// connection has been handed to it.
    private var waiters: [Waiter] = []

    private final class Waiter: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        /// Set under the pool's lock when a connection is handed over.
        var granted = false
    }

    public init(sourceKind: String, size: Int, acquireTimeout: TimeInterval = 30,
                stillUsable: @escaping @Sendable (Connection) -> Bool = { _ in true },
                open: @escaping @Sendable () throws -> Connection) {
        self.sourceKind = sourceKind
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.stillUsable = stillUsable
        self.open = open
        self.free = size
    }

    /// Whether a borrower is waiting for a connection now.
    public var hasWaiters: Bool {
        lock.lock(); defer { lock.unlock() }
        return !waiters.isEmpty
    }

    /// Takes a permit to lend a connection: at once if one is free and nobody is ahead in the
    /// queue, else after those ahead.
    private func takePermit() throws {
        lock.lock()
        if free > 0, waiters.isEmpty {
            free -= 1
            lock.unlock()
            return
        }
        let me = Waiter()
        waiters.append(me)
        lock.unlock()
        if me.wake.wait(timeout: .now() + acquireTimeout) == .success { return }
        lock.lock()
        if me.granted {
            // Handed over just as the wait ended: keep it.
            lock.unlock()
            return
        }
        waiters.removeAll { $0 === me }
        lock.unlock()
        throw MeshError(.connection,
                        "timed out after \(Int(acquireTimeout)) s waiting for a free \(sourceKind) connection (pool_size \(size))",
                        hint: "raise the connector's pool_size or run fewer queries at once")
    }

    /// Gives a permit back: to the first waiter if there is one. Called under `lock`.
    private func returnPermitLocked() {
        if waiters.isEmpty {
            free += 1
        } else {
            let next = waiters.removeFirst()
            next.granted = true
            next.wake.signal()
        }
    }

    /// A connection, and whether it was used before (so may have gone stale while idle).
    public func acquire() throws -> (connection: Connection, reused: Bool) {
        try takePermit()
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
            returnPermitLocked()
            lock.broadcast()
            lock.unlock()
            throw error
        }
    }

    /// Gives a connection back; one that is not reusable (broken, abandoned mid-result,
    /// after a cancel) is closed instead.
    public func release(_ connection: Connection, reusable: Bool = true) {
        lock.lock()
        if reusable, !closed, stillUsable(connection) { idle.append(connection) }
        borrowed -= 1
        returnPermitLocked()
        lock.broadcast()
        lock.unlock()
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
