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

    init(root: any PhysicalOperator) {
        self.fields = root.fields
        self.root = root
        self.pending = []
        self.message = nil
    }

    /// A result already in memory.
    public init(fields: [Field], rows: [[Value]], message: String? = nil) {
        self.fields = fields
        self.root = nil
        self.pending = rows.isEmpty ? [] : [Batch.fromRows(rows, types: fields.map(\.type))]
        self.message = message
    }

    public func next() async throws -> Batch? {
        if !pending.isEmpty { return pending.removeFirst() }
        guard let root, !closed else { return nil }
        do {
            try Task.checkCancellation()
            let b = try await root.next()
            if b == nil { close() }
            return b
        } catch is CancellationError {
            close()
            throw MeshError(.cancelled, "canceling statement due to user request")
        } catch {
            close()
            throw error
        }
    }

    public func close() {
        if closed { return }
        closed = true
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
