import MeshCore

/// What one statement produced, as the shell prints it.
public enum ShellOutcome: Sendable {
    /// A result set, pulled batch by batch while it is printed, optionally followed by a status
    /// line (e.g. an `EXPLAIN ANALYZE` summary).
    case rows(ShellRows)
    /// A status line such as `CREATE MESH` or `IMPORT 3`; an empty string prints nothing.
    case message(String)

    /// A result set without a trailing message.
    public static func rows(fields: [Field], next: @escaping @Sendable () async throws -> Batch?) -> ShellOutcome {
        .rows(ShellRows(fields: fields, next: next))
    }
}

/// A streaming result set.
public struct ShellRows: Sendable {
    public var fields: [Field]
    /// The next batch, or nil at the end. Called from the statement's task: when the user
    /// presses Ctrl-C that task is cancelled, and the source behind `next` should stop and
    /// throw (`CancellationError` or `MeshError(.cancelled, …)`).
    public var next: @Sendable () async throws -> Batch?
    /// Printed after the rows, if any.
    public var message: String?

    public init(fields: [Field], message: String? = nil, next: @escaping @Sendable () async throws -> Batch?) {
        self.fields = fields
        self.next = next
        self.message = message
    }

    /// A result already in memory (catalog listings, DESCRIBE).
    public init(fields: [Field], batches: [Batch], message: String? = nil) {
        let box = BatchQueue(batches)
        self.init(fields: fields, message: message) { box.pop() }
    }
}

/// Hands out a fixed list of batches one at a time.
private final class BatchQueue: Sendable {
    private let state: LockedValue<[Batch]>

    init(_ batches: [Batch]) { state = LockedValue(Array(batches.reversed())) }

    func pop() -> Batch? { state.withLock { $0.popLast() } }
}
