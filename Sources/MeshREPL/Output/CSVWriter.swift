import MeshCore

/// RFC 4180 CSV, streamed batch by batch: a header row of column names, then one record per
/// row. A field is quoted when it contains the delimiter, a quote, CR or LF, or when it is an
/// empty string — so an empty string (`""`) and NULL (nothing) stay apart, as in psql's
/// `--csv` and PostgreSQL's `COPY … CSV`.
///
/// Lines end with `\n` by default (as psql and COPY write them); pass `"\r\n"` for the
/// RFC's CRLF.
public struct CSVWriter: ResultWriter, Sendable {
    public let fields: [Field]
    public var delimiter: Character
    public var lineEnding: String
    public var writesHeader: Bool

    public init(fields: [Field], delimiter: Character = ",", lineEnding: String = "\n", writesHeader: Bool = true) {
        self.fields = fields
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        self.writesHeader = writesHeader
    }

    public mutating func begin<S: OutputSink>(to sink: inout S) {
        guard writesHeader else { return }
        sink.write(fields.map { quoted($0.name) }.joined(separator: String(delimiter)) + lineEnding)
    }

    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        let separator = String(delimiter)
        for i in 0..<batch.rowCount {
            var line = ""
            for (j, column) in batch.columns.enumerated() {
                if j > 0 { line += separator }
                let value = column.value(at: i)
                if !value.isNull { line += quoted(value.description) }
            }
            sink.write(line + lineEnding)
        }
    }

    public mutating func finish<S: OutputSink>(to sink: inout S) {}

    /// The field as CSV text, quoted (with quotes doubled) only when it has to be.
    public func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains { $0 == delimiter || $0 == "\"" || $0.isNewline }
        guard needsQuotes else { return text }
        var out = "\""
        for ch in text {
            if ch == "\"" { out += "\"\"" } else { out.append(ch) }
        }
        return out + "\""
    }
}
