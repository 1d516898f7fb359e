import ConnectorKit
import Foundation
import MeshCore
import MeshExec

/// What one statement produced.
public enum StatementResult: Sendable {
    /// Rows, streamed.
    case rows(QueryResult)
    /// A command tag or a short report (`CREATE MESH`, `IMPORT 3 …`).
    case message(String)
}

/// A running query's output. Pull batches with `next()`; `close()` stops the sources early.
///
/// `@unchecked Sendable`: the operator tree is used by one task at a time (the one printing
/// the result); `close()` may come from another thread and only cancels source streams,
/// which is thread-safe.
public final class QueryResult: @unchecked Sendable {
    public let fields: [Field]
    private let root: (any PhysicalOperator)?
    private var pending: [Batch]
    private var closed = false
    /// Printed after the rows (EXPLAIN ANALYZE timing, IMPORT details).
    public let message: String?
    /// Rows handed out so far.
    public private(set) var rowsDelivered = 0
    /// Called once when the result ends: read to the end (error nil), failed, closed early or
    /// dropped. The audit log's record of the query is written then.
    var onFinish: ((_ rows: Int, _ error: (any Error)?) -> Void)?

    /// Guards `onFinish` and `closed`: `cancel()` may come from another thread (a server's
    /// DELETE, a statement timeout) while the reader is in `next()`.
    private let finishLock = NSLock()

    deinit { finish(nil) }

    private func finish(_ error: (any Error)?) {
        let f = finishLock.withLock { () -> ((_ rows: Int, _ error: (any Error)?) -> Void)? in
            defer { onFinish = nil }
            return onFinish
        }
        f?(rowsDelivered, error)
    }

    /// Set by `cancel()`: what the operators hand out afterwards may be partial (a scan that
    /// was closed ends early, and an aggregate above it then counts only what it saw), so
    /// nothing more is handed out as an answer.
    private var cancelled = false

    private var wasCancelled: Bool { finishLock.withLock { cancelled } }

    private static var cancelledError: MeshError { MeshError(.cancelled, "canceling statement due to user request") }

    /// Stops the query as cancelled (its audit record says so), from any thread. A reader in
    /// `next()` gets the cancellation error, never rows computed after it.
    public func cancel() {
        finishLock.withLock { cancelled = true }
        finish(Self.cancelledError)
        close()
    }

    /// The operators compute here (joins, aggregates, sorts, filters): each batch is made on
    /// the source threads, so a long hash join neither holds a server's event loop (and the
    /// connections on it) nor Swift's two cooperative threads. A plan that only reads what a
    /// source computed is pulled where the reader is, with no hop.
    private let computesLocally: Bool

    init(root: any PhysicalOperator, computesLocally: Bool = false) {
        self.fields = root.fields
        self.root = root
        self.pending = []
        self.message = nil
        self.computesLocally = computesLocally
    }

    /// A result already in memory.
    public init(fields: [Field], rows: [[Value]], message: String? = nil) {
        self.fields = fields
        self.root = nil
        self.pending = rows.isEmpty ? [] : [Batch.fromRows(rows, types: fields.map(\.type))]
        self.message = message
        self.computesLocally = false
    }

    public func next() async throws -> Batch? {
        if !pending.isEmpty {
            let b = pending.removeFirst()
            rowsDelivered += b.rowCount
            return b
        }
        guard let root, !closed else {
            if wasCancelled { throw Self.cancelledError }
            finish(nil)
            return nil
        }
        do {
            try Task.checkCancellation()
            let b = computesLocally ? try await withTaskExecutorPreference(BlockingTaskExecutor.shared) { try await root.next() }
                : try await root.next()
            if wasCancelled { throw Self.cancelledError }
            if let b { rowsDelivered += b.rowCount } else { close() }
            return b
        } catch is CancellationError {
            let e = MeshError(.cancelled, "canceling statement due to user request")
            finish(e)
            close()
            throw e
        } catch {
            finish(error)
            close()
            throw error
        }
    }

    public func close() {
        finish(nil)
        let wasClosed = finishLock.withLock { () -> Bool in
            defer { closed = true }
            return closed
        }
        if wasClosed { return }
        root?.close()
    }

    /// Reads every row (tests, `--format` that needs them all).
    public func collectRows() async throws -> [[Value]] {
        var rows: [[Value]] = []
        while let b = try await next() {
            for i in 0..<b.rowCount { rows.append(b.row(i)) }
        }
        return rows
    }
}
