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
    /// millions of them). Each column is rendered on its own, in one typed loop, then the
    /// rows are put together by copying each field's bytes. The text is what
    /// `Value.description` and `quoted` give.
    public mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S) {
        guard let d = delimiter.asciiValue, lineEnding.utf8.allSatisfy({ $0 < 0x80 }) else {
            writeSlowly(batch, to: &sink)
            return
        }
        if encoder?.columnPrefixes.count != batch.columns.count {
            encoder = RowBytes(style: .csv(delimiter: d), columnPrefixes: batch.columns.indices.map { $0 == 0 ? [] : [d] },
                               rowSuffix: Array(lineEnding.utf8))
        }
        encoder!.encode(batch) { sink.write(bytes: $0) }
    }

    private var encoder: RowBytes?

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

    /// The field as CSV text, quoted (with quotes doubled) only when it has to be: as the
    /// rows are written (byte by byte, so a delimiter or quote followed by a combining mark
    /// still counts).
    public func quoted(_ text: String) -> String {
        if let d = delimiter.asciiValue {
            var out: [UInt8] = []
            CSVBytes.appendField(text, delimiter: d, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
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
    /// Appends one column's fields to `r`.
    static func render(_ column: Column, delimiter: UInt8, into r: inout RowBytes.Rendered) {
        let validity = column.validity
        switch column.storage {
        case .int(let a): r.fill(a, validity, width: 8) { v, out in appendInteger(v, to: &out) }
        case .decimal(let a):
            let scale = column.type.decimalScale
            r.fill(a, validity, width: 10) { v, out in appendDecimal(v, scale: scale, to: &out) }
        case .string(let a): r.fill(a, validity, width: 16) { v, out in appendField(v, delimiter: delimiter, to: &out) }
        case .date(let a): r.fill(a, validity, width: 10) { v, out in appendDate(v, to: &out) }
        default:
            for i in 0..<r.rows {
                if validity.isValid(i) { appendField(column.value(at: i).description, delimiter: delimiter, to: &r.bytes) }
                r.ends.append(r.bytes.count)
            }
        }
    }

    /// `YYYY-MM-DD`, with ` BC` for years before 1, as `CivilTime.formatDate`.
    static func appendDate(_ days: Int32, to out: inout [UInt8]) {
        let (y, m, d) = CivilTime.civil(fromDays: days)
        let year = y > 0 ? y : 1 - y
        if year > 9999 {
            out.append(contentsOf: CivilTime.formatDate(days).utf8)
            return
        }
        let zero = UInt8(ascii: "0")
        out.append(zero + UInt8(year / 1000))
        out.append(zero + UInt8(year / 100 % 10))
        out.append(zero + UInt8(year / 10 % 10))
        out.append(zero + UInt8(year % 10))
        out.append(UInt8(ascii: "-"))
        out.append(zero + UInt8(m / 10))
        out.append(zero + UInt8(m % 10))
        out.append(UInt8(ascii: "-"))
        out.append(zero + UInt8(d / 10))
        out.append(zero + UInt8(d % 10))
        if y <= 0 { out.append(contentsOf: " BC".utf8) }
    }

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
        // Room for 39 digits and the zeros before a point, on the stack.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var n = 0
            if let small = UInt64(exactly: v.magnitude) {
                var m = small
                repeat {
                    buf[n] = UInt8(ascii: "0") + UInt8(m % 10)
                    m /= 10
                    n += 1
                } while m > 0
            } else {
                var m = v.magnitude
                repeat {
                    buf[n] = UInt8(ascii: "0") + UInt8(m % 10)
                    m /= 10
                    n += 1
                } while m > 0
            }
            while scale > 0 && n <= scale && n < buf.count { buf[n] = UInt8(ascii: "0"); n += 1 }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            for k in stride(from: n - 1, through: 0, by: -1) {
                out.append(buf[k])
                if scale > 0 && k == scale { out.append(UInt8(ascii: ".")) }
            }
        }
    }

    /// The text, quoted (quotes doubled) when it is empty or holds the delimiter, a quote or
    /// a line break (as `Character.isNewline` counts them), as `CSVWriter.quoted` does.
    static func appendField(_ text: String, delimiter: UInt8, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var needsQuotes = bytes.isEmpty
            if !needsQuotes {
                var previous: (UInt8, UInt8) = (0, 0)
                for b in bytes {
                    if b == delimiter || b == UInt8(ascii: "\"") || (b >= 0x0A && b <= 0x0D)
                        || (previous.1 == 0xC2 && b == 0x85)
                        || (previous.0 == 0xE2 && previous.1 == 0x80 && (b == 0xA8 || b == 0xA9)) {
                        needsQuotes = true
                        break
                    }
                    previous = (previous.1, b)
                }
            }
            guard needsQuotes else { out.append(contentsOf: bytes); return }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { out.append(b) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
    }
}
