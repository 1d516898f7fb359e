import Foundation
import MeshCore
import SQLiteDB

/// A small blocking pool of read-only sqlite3 connections to one file, opened lazily up to
/// `size`. Only called from source threads.
///
/// `@unchecked Sendable`: `idle` and `closed` are only touched under `lock`; `permits` is a
/// semaphore, thread-safe by itself.
final class SQLitePool: @unchecked Sendable {
    let path: String
    let size: Int
    private let permits: DispatchSemaphore
    private let lock = NSLock()
    private var idle: [SQLiteDatabase] = []
    private var closed = false
    let acquireTimeout: TimeInterval

    init(path: String, size: Int, acquireTimeout: TimeInterval = 30) {
        self.path = path
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.permits = DispatchSemaphore(value: size)
    }

    func acquire() throws -> SQLiteDatabase {
        if permits.wait(timeout: .now() + acquireTimeout) == .timedOut {
            throw MeshError(.connection,
                            "timed out after \(Int(acquireTimeout)) s waiting for a free SQLite connection (pool_size \(size))",
                            hint: "raise the connector's pool_size or run fewer queries at once")
        }
        lock.lock()
        if let db = idle.popLast() {
            lock.unlock()
            return db
        }
        lock.unlock()
        do {
            return try open()
        } catch {
            permits.signal()
            throw error
        }
    }

    func release(_ db: SQLiteDatabase, reusable: Bool = true) {
        lock.lock()
        if reusable, !closed { idle.append(db) }
        lock.unlock()
        permits.signal()
    }

    func shutdown() {
        lock.lock()
        closed = true
        let dropped = idle
        idle = []
        lock.unlock()
        _ = dropped   // deinit closes them, outside the lock
    }

    private func open() throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MeshError(.connection, "SQLite file not found: \(path)")
        }
        do {
            let db = try SQLiteDatabase(path: path, mode: .readOnly)
            // LIKE as PostgreSQL has it; and no writes even through a function with side effects.
            try db.execute("PRAGMA case_sensitive_like = ON; PRAGMA query_only = ON")
            return db
        } catch let e as SQLiteDatabase.Error {
            throw MeshError(.connection, "cannot open SQLite source \(path): \(e.message)")
        }
    }
}

/// Runs blocking work on a new thread and resumes the caller when it is done, so that sqlite3
/// calls never occupy a thread of Swift's cooperative pool.
func onSourceThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }
}
