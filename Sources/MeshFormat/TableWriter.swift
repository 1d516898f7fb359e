import MeshCore

/// The table format as a `ResultWriter`. Column widths depend on every row, so a result is
/// held (as text) and printed whole at `finish`, exactly as psql prints it, while it stays
/// within `heldRows`. A longer one is not held: its widths come from the rows held so far,
/// which are printed at once, and every later batch is printed as it arrives, with cells
/// padded to those widths (a wider value overflows its column). The footer says so. Memory
/// stays bounded and the first rows reach a pipe at once, however large the result.
public struct TableWriter: ResultWriter {
    public let fields: [Field]
    public var renderer: TableRenderer
    /// Rows held back to size the columns.
    public static let heldRows = 10_000
    private var rows: [[String]] = []
    /// Set once the result outgrew `heldRows`: the widths rows are printed with.
    private var streamingWidths: [Int]?
    private var count = 0

    public init(fields: [Field], renderer: TableRenderer = TableRenderer()) {
        self.fields = fields
        self.renderer = renderer
    }

    public mutating func begin<S: OutputSink>(to sink: inout S) {}

    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        count += batch.rowCount
        let text = TableRenderer.cellText(of: batch)
        if renderer.expanded {
            rows.append(contentsOf: text)
            return
        }
        if let widths = streamingWidths {
            sink.write(TableRenderer.alignedRows(fields: fields, cells: TableRenderer.cellLines(text), widths: widths))
            return
        }
        rows.append(contentsOf: text)
        guard rows.count > Self.heldRows else { return }
        let cells = TableRenderer.cellLines(rows)
        let widths = TableRenderer.alignedWidths(fields: fields, cells: cells)
        sink.write(TableRenderer.alignedHeader(fields: fields, widths: widths))
        sink.write(TableRenderer.alignedRows(fields: fields, cells: cells, widths: widths))
        streamingWidths = widths
        rows = []
    }

    public mutating func finish<S: OutputSink>(to sink: inout S) {
        guard streamingWidths != nil else {
            sink.write(renderer.render(fields: fields, rows: rows))
            rows = []
            return
        }
        if renderer.showsRowCount {
            sink.write(TableRenderer.rowCountFooter(count)
                + "; columns sized from the first \(Self.heldRows)\n")
        }
        sink.write("\n")
    }
}
