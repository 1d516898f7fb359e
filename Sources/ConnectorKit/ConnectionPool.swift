import Foundation
import MeshCore

/// A small pool of source connections (libpq, sqlite3): opened lazily up to `size`, lent to
/// one borrower at a time, and closed instead of returned when the borrower says it is not
/// reusable. `lend` waits without a thread; `acquire` blocks, so is only called from source
/// threads (`SourceThreads`).
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

    /// A borrower in the queue: a source thread blocked on its semaphore, or a job that
    /// starts on a source thread once it has its connection (`lend`).
    private final class Waiter: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        let onGrant: (@Sendable () -> Void)?
        let onTimeout: (@Sendable () -> Void)?
        /// When a `lend` waiter gives up (the sweep looks).
        let deadline: DispatchTime
        /// Set under the pool's lock when a connection is handed over.
        var granted = false
        init(deadline: DispatchTime = .distantFuture, onGrant: (@Sendable () -> Void)? = nil, onTimeout: (@Sendable () -> Void)? = nil) {
            self.deadline = deadline
            self.onGrant = onGrant
            self.onTimeout = onTimeout
        }
        func grant() { if let onGrant { onGrant() } else { wake.signal() } }
    }

    /// Whether a sweep for `lend` waiters past their deadline is scheduled. One a second while
    /// any wait, rather than a timer per waiter: a busy server queues thousands a second.
    private var sweeping = false

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
        let answered = SourceThreads.blocking { me.wake.wait(timeout: .now() + acquireTimeout) == .success }
        if answered { return }
        lock.lock()
        if me.granted {
            // Handed over just as the wait ended: keep it.
            lock.unlock()
            return
        }
        waiters.removeAll { $0 === me }
        lock.unlock()
        throw timeout()
    }

    private func timeout() -> MeshError {
        MeshError(.connection,
                  "timed out after \(Int(acquireTimeout)) s waiting for a free \(sourceKind) connection (pool_size \(size))",
                  hint: "raise the connector's pool_size or pool_timeout, or run fewer queries at once")
    }

    /// Gives a permit back: to the first waiter if there is one. Called under `lock`; the
    /// waiter is woken by the returned closure, to be called after unlocking.
    private func returnPermitLocked() -> (() -> Void)? {
        guard !waiters.isEmpty else {
            free += 1
            return nil
        }
        let next = waiters.removeFirst()
        next.granted = true
        return { next.grant() }
    }

    /// Lends a connection to `body` on a source thread, without holding a thread while it
    /// waits in the queue: the job is queued on `SourceThreads` only once a connection is
    /// its (or the wait timed out, and `body` gets the time-out error).
    public func lend(_ body: @escaping @Sendable (Result<(connection: Connection, reused: Bool), Error>) -> Void) {
        // Granted by a source thread giving a connection back, the job runs on that thread
        // next (`runNext`): no other thread has to be woken.
        let start: @Sendable () -> Void = { [self] in
            SourceThreads.shared.runNext { body(Result { try self.connectionAfterPermit() }) }
        }
        lock.lock()
        if free > 0, waiters.isEmpty {
            free -= 1
            lock.unlock()
            start()
            return
        }
        let error = timeout()
        waiters.append(Waiter(deadline: .now() + acquireTimeout, onGrant: start,
                              onTimeout: { SourceThreads.shared.run { body(.failure(error)) } }))
        let schedule = !sweeping
        sweeping = true
        lock.unlock()
        if schedule { scheduleSweep() }
    }

    private func scheduleSweep() {
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [self] in
            let now = DispatchTime.now()
            lock.lock()
            let expired = waiters.filter { $0.onTimeout != nil && $0.deadline < now }
            if !expired.isEmpty { waiters.removeAll { w in expired.contains { $0 === w } } }
            let again = waiters.contains { $0.onTimeout != nil }
            sweeping = again
            lock.unlock()
            expired.forEach { $0.onTimeout?() }
            if again { scheduleSweep() }
        }
    }

    /// A connection, and whether it was used before (so may have gone stale while idle).
    public func acquire() throws -> (connection: Connection, reused: Bool) {
        try takePermit()
        return try connectionAfterPermit()
    }

    /// With a permit taken: an idle connection, or a new one.
    private func connectionAfterPermit() throws -> (connection: Connection, reused: Bool) {
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
            let wake = returnPermitLocked()
            lock.broadcast()
            lock.unlock()
            wake?()
            throw error
        }
    }

    /// Lends a connection to `body` (blocking) and takes it back: reusable after success, and
    /// after an error only where `keepAfter` says the connection survived it.
    public func withConnection<T>(keepAfter: (Error) -> Bool = { _ in false }, _ body: (Connection) throws -> T) throws -> T {
        let (connection, _) = try acquire()
        do {
            let result = try body(connection)
            release(connection)
            return result
        } catch {
            release(connection, reusable: keepAfter(error))
            throw error
        }
    }

    /// Gives a connection back; one that is not reusable (broken, abandoned mid-result,
    /// after a cancel) is closed instead.
    public func release(_ connection: Connection, reusable: Bool = true) {
        lock.lock()
        if reusable, !closed, stillUsable(connection) { idle.append(connection) }
        borrowed -= 1
        let wake = returnPermitLocked()
        lock.broadcast()
        lock.unlock()
        wake?()
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
