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
        for i in 0..<batch.rowCount {
            sink.write(JSONText.object(keys: keys, batch: batch, row: i) + "\n")
        }
    }

    public mutating func finish<S: OutputSink>(to sink: inout S) {}
}
