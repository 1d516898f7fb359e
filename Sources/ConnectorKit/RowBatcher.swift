import MeshCore

/// Rows a connector decodes one at a time into column builders, sent down the stream as
/// batches of `Batch.preferredSize` rows, or fewer once their text and bytes pass
/// `Batch.maxVariableBytes` (a few huge values must not make one huge batch).
public struct RowBatcher {
    /// The current batch's columns; a decoder appends the row's value of column `i` to
    /// `builders[i]`.
    public var builders: [ColumnBuilder]
    /// The output columns holding text or bytes, whose sizes `endRow` is told.
    public let variableColumns: [Int]
    private let types: [DataType]
    private let stream: BatchStream
    private var rows = 0
    private var bytes = 0

    public init(types: [DataType], stream: BatchStream) {
        self.types = types
        self.stream = stream
        builders = types.map { ColumnBuilder(type: $0, capacity: Batch.preferredSize) }
        variableColumns = types.indices.filter { types[$0] == .text || types[$0] == .bytea }
    }

    /// Ends the row just decoded, whose text and bytes took `variableBytes`; false when the
    /// reader wants no more rows (the stream was cancelled).
    public mutating func endRow(variableBytes: Int) -> Bool {
        rows += 1
        bytes += variableBytes
        guard rows == Batch.preferredSize || bytes > Batch.maxVariableBytes else { return true }
        return send()
    }

    /// Sends the rows still held.
    public mutating func finish() {
        if rows > 0 { _ = send() }
    }

    private mutating func send() -> Bool {
        let batch = Batch(columns: builders.map { $0.finish() }, rowCount: rows)
        builders = types.map { ColumnBuilder(type: $0, capacity: Batch.preferredSize) }
        rows = 0
        bytes = 0
        return stream.send(batch)
    }
}
