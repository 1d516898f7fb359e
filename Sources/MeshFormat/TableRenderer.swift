import MeshCore

/// psql's "aligned" output format with its default border (1), and its expanded form (`\x`).
///
///      id |  name  | amount
///     ----+--------+--------
///       1 | Zürich |  12.50
///     (1 row)
///
/// Header names are centred, numeric columns right-aligned, everything else left-aligned, NULL
/// is empty. Widths count Unicode characters (grapheme clusters, not bytes), East Asian wide
/// characters and emoji as two terminal columns as psql does. A value with line breaks
/// spans several lines, with psql's `+` marking each line that continues.
public struct TableRenderer: Sendable {
    /// One record per block (`-[ RECORD 1 ]-+-----`) instead of one row per line.
    public var expanded: Bool
    /// Whether to print the `(N rows)` footer of the aligned form.
    public var showsRowCount: Bool

    public init(expanded: Bool = false, showsRowCount: Bool = true) {
        self.expanded = expanded
        self.showsRowCount = showsRowCount
    }

    /// Renders rows already turned into text; a NULL is the empty string.
    public func render(fields: [Field], rows: [[String]]) -> String {
        expanded ? renderExpanded(fields: fields, rows: rows) : renderAligned(fields: fields, rows: rows)
    }

    /// Renders batches: each value as `Value.description` prints it.
    public func render(fields: [Field], batches: [Batch]) -> String {
        render(fields: fields, rows: batches.flatMap { TableRenderer.cellText(of: $0) })
    }

    /// The text of each row of a batch, NULL as "".
    public static func cellText(of batch: Batch) -> [[String]] {
        var rows: [[String]] = []
        rows.reserveCapacity(batch.rowCount)
        for i in 0..<batch.rowCount {
            rows.append(batch.columns.map { $0.value(at: i).description })
        }
        return rows
    }

    /// `(1 row)` / `(N rows)`.
    public static func rowCountFooter(_ count: Int) -> String {
        count == 1 ? "(1 row)" : "(\(count) rows)"
    }

    // MARK: - Aligned

    private func renderAligned(fields: [Field], rows: [[String]]) -> String {
        let cells = Self.cellLines(rows)
        let widths = Self.alignedWidths(fields: fields, cells: cells)
        var out = Self.alignedHeader(fields: fields, widths: widths)
        out += Self.alignedRows(fields: fields, cells: cells, widths: widths)
        if showsRowCount { out += TableRenderer.rowCountFooter(rows.count) + "\n" }
        out += "\n"
        return out
    }

    /// Each cell split into its lines.
    static func cellLines(_ rows: [[String]]) -> [[[String]]] {
        rows.map { row in row.map(TextLayout.lines) }
    }

    /// The width of each column: its widest line, header included.
    static func alignedWidths(fields: [Field], cells: [[[String]]], atLeast start: [Int]? = nil) -> [Int] {
        var widths = start ?? fields.map { TextLayout.lines($0.name).map(TextLayout.width).max() ?? 0 }
        for row in cells {
            for (j, lines) in row.enumerated() where j < fields.count {
                for line in lines { widths[j] = max(widths[j], TextLayout.width(line)) }
            }
        }
        return widths
    }

    /// The header line and the dashes under it.
    static func alignedHeader(fields: [Field], widths: [Int]) -> String {
        let n = fields.count
        var out = ""
        if n > 0 {
            // psql pads every header cell on both sides, the last one included.
            var line = ""
            for j in 0..<n {
                line += " " + TextLayout.centered(fields[j].name, width: widths[j]) + " "
                if j < n - 1 { line += "|" }
            }
            out += line + "\n"
        }
        out += "-" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-\n"
        return out
    }

    /// The rows, each cell padded to its column's width (a wider one overflows it).
    static func alignedRows(fields: [Field], cells: [[[String]]], widths: [Int]) -> String {
        let n = fields.count
        let rightAligned = fields.map { $0.type.isNumeric }
        var out = ""
        for row in cells where n > 0 {
            let height = max(1, row.map(\.count).max() ?? 1)
            for k in 0..<height {
                var line = ""
                for j in 0..<n {
                    let lines = j < row.count ? row[j] : [""]
                    let text = k < lines.count ? lines[k] : ""
                    let continues = k < lines.count - 1
                    let isLast = j == n - 1
                    let pad = String(repeating: " ", count: max(0, widths[j] - TextLayout.width(text)))
                    line += " "
                    if rightAligned[j] {
                        line += pad + text
                    } else if isLast && !continues {
                        line += text  // psql leaves no trailing blanks after the last text column
                    } else {
                        line += text + pad
                    }
                    if continues {
                        line += "+"
                    } else if !isLast {
                        line += " "
                    }
                    if !isLast { line += "|" }
                }
                out += line + "\n"
            }
        }
        return out
    }
}
