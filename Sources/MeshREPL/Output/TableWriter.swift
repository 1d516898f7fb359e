import MeshCore

/// The table format as a `ResultWriter`: keeps each batch's text (not the batches) and prints
/// the whole table at `finish`, since column widths depend on every row.
public struct TableWriter: ResultWriter {
    public let fields: [Field]
    public var renderer: TableRenderer
    private var rows: [[String]] = []

    public init(fields: [Field], renderer: TableRenderer = TableRenderer()) {
        self.fields = fields
        self.renderer = renderer
    }

    public mutating func begin<S: OutputSink>(to sink: inout S) {}

    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        rows.append(contentsOf: TableRenderer.cellText(of: batch))
    }

    public mutating func finish<S: OutputSink>(to sink: inout S) {
        sink.write(renderer.render(fields: fields, rows: rows))
        rows = []
    }
}
