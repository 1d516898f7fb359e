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
        for i in 0..<batch.rowCount {
            sink.write((wroteRow ? ",\n" : "\n") + JSONText.object(keys: keys, batch: batch, row: i))
            wroteRow = true
        }
    }

    public mutating func finish<S: OutputSink>(to sink: inout S) {
        sink.write(wroteRow ? "\n]\n" : "]\n")
    }
}
