import MeshCore

extension TableRenderer {
    /// psql's expanded display with border 1:
    ///
    ///     -[ RECORD 1 ]-
    ///     id   | 1
    ///     name | Zürich
    ///
    /// Values are left-aligned whatever their type, as in psql; an empty result prints
    /// `(0 rows)` and a non-empty one no count.
    func renderExpanded(fields: [Field], rows: [[String]]) -> String {
        guard !rows.isEmpty else {
            return (showsRowCount ? TableRenderer.rowCountFooter(0) + "\n" : "") + "\n"
        }
        let cells = rows.map { row in row.map(TextLayout.lines) }
        let headerWidth = fields.map { TextLayout.width($0.name) }.max() ?? 0
        var dataWidth = 0
        for row in cells {
            for lines in row {
                for line in lines { dataWidth = max(dataWidth, TextLayout.width(line)) }
            }
        }

        var out = ""
        for (r, row) in cells.enumerated() {
            out += Self.recordLine(record: r + 1, headerWidth: headerWidth, dataWidth: dataWidth) + "\n"
            for (j, field) in fields.enumerated() {
                let lines = j < row.count ? row[j] : [""]
                for (k, text) in lines.enumerated() {
                    let name = k == 0 ? field.name : ""
                    out += TextLayout.padded(name, width: headerWidth) + " | "
                    if k < lines.count - 1 {
                        out += TextLayout.padded(text, width: dataWidth) + "+\n"
                    } else {
                        out += text + "\n"
                    }
                }
            }
        }
        out += "\n"
        return out
    }

    /// The `-[ RECORD n ]-+----` rule: the label overwrites the start of the rule and the
    /// `-+-` marks the column divider only when the label is shorter than the header column
    /// (psql's `print_aligned_vertical_line`).
    static func recordLine(record: Int, headerWidth: Int, dataWidth: Int) -> String {
        let label = "[ RECORD \(record) ]"
        var out = "-" + label
        var used = label.count + 1
        if used < headerWidth { out += String(repeating: "-", count: headerWidth - used) }
        used -= headerWidth
        for piece in ["-", "+", "-"] {
            if used <= 0 { out += piece }
            used -= 1
        }
        if used < 0 { used = 0 }
        if used < dataWidth { out += String(repeating: "-", count: dataWidth - used) }
        return out
    }
}
