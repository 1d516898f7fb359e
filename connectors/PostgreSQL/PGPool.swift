import Foundation
import MeshCore

/// A small blocking pool of libpq connections: created lazily up to `size`, lent to one
/// borrower at a time, discarded instead of returned when anything went wrong with them.
/// Only called from source threads (BatchStream producers, `onSourceThread`).
///
/// `@unchecked Sendable`: `idle` and `closed` are only touched under `lock`; `permits` is a
/// semaphore, thread-safe by itself.
final class PGPool: @unchecked Sendable {
    let size: Int
    private let connect: @Sendable () throws -> PGConnection
    private let permits: DispatchSemaphore
    private let lock = NSLock()
    private var idle: [PGConnection] = []
    private var closed = false
    /// How long a borrower waits for a free connection before giving up.
    let acquireTimeout: TimeInterval

    init(size: Int, acquireTimeout: TimeInterval = 30, connect: @escaping @Sendable () throws -> PGConnection) {
        self.size = size
        self.connect = connect
        self.acquireTimeout = acquireTimeout
        self.permits = DispatchSemaphore(value: size)
    }

    /// A connection, and whether it was used before (so may have gone stale while idle).
    func acquire() throws -> (connection: PGConnection, reused: Bool) {
        if permits.wait(timeout: .now() + acquireTimeout) == .timedOut {
            throw MeshError(.connection,
                            "timed out after \(Int(acquireTimeout)) s waiting for a free PostgreSQL connection (pool_size \(size))",
                            hint: "raise the connector's pool_size or run fewer queries at once")
        }
        lock.lock()
        if let c = idle.popLast() {
            lock.unlock()
            return (c, true)
        }
        lock.unlock()
        do {
            return (try connect(), false)
        } catch {
            permits.signal()
            throw error
        }
    }

    /// Gives a connection back; one that is not reusable (broken, mid-transaction, abandoned
    /// mid-COPY, or after a cancel) is closed instead.
    func release(_ connection: PGConnection, reusable: Bool) {
        lock.lock()
        if reusable, !closed, connection.isReusable { idle.append(connection) }
        lock.unlock()
        permits.signal()
    }

    /// Closes idle connections; borrowed ones close when they come back.
    func shutdown() {
        lock.lock()
        closed = true
        let dropped = idle
        idle = []
        lock.unlock()
        _ = dropped   // deinit closes them, outside the lock
    }
}

/// Runs blocking work on a new thread and resumes the caller when it is done, so that libpq
/// calls never occupy a thread of Swift's cooperative pool.
func onSourceThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }
}
