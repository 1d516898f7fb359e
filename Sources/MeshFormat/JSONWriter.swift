import MeshCore

/// One JSON array of objects (keys are column names), streamed: `[` at the start, each row's
/// object on its own line as it arrives, `]` at the end. An empty result is `[]`.
public struct JSONWriter: ResultWriter {
    public let fields: [Field]
    private let keys: [String]
    private var wroteRow = false

    public init(fields: [Field]) {
        self.fields = fields
        self.keys = JSONText.keys(fields)
    }

    public mutating func begin<S: OutputSink>(to sink: inout S) {
        sink.write("[")
    }

    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        guard batch.rowCount > 0 else { return }
        if encoder?.columnPrefixes.count != batch.columns.count {
            encoder = RowBytes(style: .json, columnPrefixes: JSONText.objectPrefixes(keys: keys, columns: batch.columns.count),
                               rowSuffix: Array("}".utf8), rowSeparator: Array(",\n".utf8))
        }
        sink.write(wroteRow ? ",\n" : "\n")
        encoder!.encode(batch) { sink.write(bytes: $0) }
        wroteRow = true
    }

    /// Rows as bytes straight from the column buffers.
    private var encoder: RowBytes?

    public mutating func finish<S: OutputSink>(to sink: inout S) {
        sink.write(wroteRow ? "\n]\n" : "]\n")
    }
}
