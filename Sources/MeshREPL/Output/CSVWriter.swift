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

    /// A batch at a time, as bytes straight from the column buffers: numbers, dates and text
    /// are written without a `Value` or a `String` per field (the CSV of a big table is
    /// millions of them). The text is what `Value.description` and `quoted` give.
    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        guard let d = delimiter.asciiValue, lineEnding.utf8.allSatisfy({ $0 < 0x80 }) else {
            writeSlowly(batch, to: &sink)
            return
        }
        let end = Array(lineEnding.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(batch.rowCount * (batch.columns.count * 12 + end.count))
        for i in 0..<batch.rowCount {
            for (j, column) in batch.columns.enumerated() {
                if j > 0 { out.append(d) }
                if column.validity.isNull(i) { continue }
                switch column.storage {
                case .int(let a): CSVBytes.appendInteger(a[i], to: &out)
                case .decimal(let a): CSVBytes.appendDecimal(a[i], scale: column.type.decimalScale, to: &out)
                case .string(let a): CSVBytes.appendField(a[i], delimiter: d, to: &out)
                case .date(let a): out.append(contentsOf: CivilTime.formatDate(a[i]).utf8)
                default: CSVBytes.appendField(column.value(at: i).description, delimiter: d, to: &out)
                }
            }
            out.append(contentsOf: end)
        }
        sink.write(String(decoding: out, as: UTF8.self))
    }

    private func writeSlowly<S: OutputSink>(_ batch: Batch, to sink: inout S) {
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

/// CSV fields as bytes (see `CSVWriter.write`).
enum CSVBytes {
    static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(UInt8(ascii: "0")); return }
        var m = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for 20 digits, on the stack
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 {
                buf[n] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                n += 1
            }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            for k in stride(from: n - 1, through: 0, by: -1) { out.append(buf[k]) }
        }
    }

    /// As `Decimal128.format`: the digits, a point `scale` digits from the end, a leading zero.
    static func appendDecimal(_ v: Int128, scale: Int, to out: inout [UInt8]) {
        if let small = Int64(exactly: v), scale == 0 { appendInteger(small, to: &out); return }
        var m = v.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(40)
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        while scale > 0 && digits.count <= scale { digits.append(UInt8(ascii: "0")) }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        for k in stride(from: digits.count - 1, through: 0, by: -1) {
            out.append(digits[k])
            if scale > 0 && k == scale { out.append(UInt8(ascii: ".")) }
        }
    }

    /// The text, quoted (quotes doubled) when it is empty or holds the delimiter, a quote or
    /// a line break (as `Character.isNewline` counts them), as `CSVWriter.quoted` does.
    static func appendField(_ text: String, delimiter: UInt8, to out: inout [UInt8]) {
        var needsQuotes = text.isEmpty
        if !needsQuotes {
            var previous: (UInt8, UInt8) = (0, 0)
            for b in text.utf8 {
                if b == delimiter || b == UInt8(ascii: "\"") || (b >= 0x0A && b <= 0x0D)
                    || (previous.1 == 0xC2 && b == 0x85)
                    || (previous.0 == 0xE2 && previous.1 == 0x80 && (b == 0xA8 || b == 0xA9)) {
                    needsQuotes = true
                    break
                }
                previous = (previous.1, b)
            }
        }
        guard needsQuotes else { out.append(contentsOf: text.utf8); return }
        out.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
