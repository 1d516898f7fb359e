import MeshCore

/// Newline-delimited JSON: one object per row, one row per line, nothing else.
public struct NDJSONWriter: ResultWriter {
    public let fields: [Field]
    private let keys: [String]

    public init(fields: [Field]) {
        self.fields = fields
        self.keys = JSONText.keys(fields)
    }

    public mutating func begin<S: OutputSink>(to sink: inout S) {}

    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        if encoder?.columnPrefixes.count != batch.columns.count {
            encoder = RowBytes(style: .json, columnPrefixes: JSONText.objectPrefixes(keys: keys, columns: batch.columns.count),
                               rowSuffix: Array("}\n".utf8))
        }
        encoder!.encode(batch) { sink.write(bytes: $0) }
    }

    /// Rows as bytes straight from the column buffers.
    private var encoder: RowBytes?

    public mutating func finish<S: OutputSink>(to sink: inout S) {}
}
