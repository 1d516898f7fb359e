import MeshCore

/// A leaf that yields batches already in memory: benchmarks and embedders that feed the
/// executor's operators directly, without a connector in between.
public final class BatchSourceOperator: OperatorBase, PhysicalOperator {
    public let fields: [Field]
    public var children: [any PhysicalOperator] { [] }
    private let batches: [Batch]
    private var position = 0

    /// - Parameters:
    ///   - fields: the output columns; every batch must have one column per field, of its type.
    ///   - batches: handed out in order, one per `next()`.
    public init(fields: [Field], batches: [Batch]) {
        self.fields = fields
        self.batches = batches
    }

    public func next() async throws -> Batch? {
        guard position < batches.count else { return nil }
        defer { position += 1 }
        return produced(batches[position])
    }

    public func close() { position = batches.count }
}
