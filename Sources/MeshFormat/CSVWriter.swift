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

    /// `YYYY-MM-DD`, with ` BC` for years before 1, as `CivilTime.formatDate`. Dates from
    /// 1900 to 2099 come ready-made from `DateTexts` (three date columns make 18 M dates in
    /// the CSV of lineitem).
    static func appendDate(_ days: Int32, to out: inout [UInt8]) {
        if DateTexts.covers(days) {
            DateTexts.table.withUnsafeBufferPointer { t in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: t[DateTexts.offset(days)..<(DateTexts.offset(days) + 10)]))
            }
            return
        }
        let (y, m, d) = CivilTime.civil(fromDays: days)
        let year = y > 0 ? y : 1 - y
        if year > 9999 {
            out.append(contentsOf: CivilTime.formatDate(days).utf8)
            return
        }
        var text: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &text) { buf in
            writeDate(year: year, month: m, day: d, to: buf.baseAddress!.assumingMemoryBound(to: UInt8.self))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[..<10]))
        }
        if y <= 0 { out.append(contentsOf: " BC".utf8) }
    }

    /// `YYYY-MM-DD` into 10 bytes at `p`.
    @inline(__always)
    static func writeDate(year: Int, month m: Int, day d: Int, to p: UnsafeMutablePointer<UInt8>) {
        let zero = UInt8(ascii: "0")
        p[0] = zero + UInt8(year / 1000)
        p[1] = zero + UInt8(year / 100 % 10)
        p[2] = zero + UInt8(year / 10 % 10)
        p[3] = zero + UInt8(year % 10)
        p[4] = UInt8(ascii: "-")
        p[5] = zero + UInt8(m / 10)
        p[6] = zero + UInt8(m % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = zero + UInt8(d / 10)
        p[9] = zero + UInt8(d % 10)
    }

    /// The digits of `m`, most significant first, ending at `end` (exclusive); returns where
    /// they start. Two digits per step.
    @inline(__always)
    static func writeDigits<T: BinaryInteger>(_ m: T, endingAt end: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var m = m
        var p = end
        while m >= 100 {
            let (q, r) = m.quotientAndRemainder(dividingBy: 100)
            let k = Int(r) * 2
            p -= 2
            p[0] = digitPairs[k]
            p[1] = digitPairs[k + 1]
            m = q
        }
        if m >= 10 {
            let k = Int(m) * 2
            p -= 2
            p[0] = digitPairs[k]
            p[1] = digitPairs[k + 1]
        } else {
            p -= 1
            p[0] = UInt8(ascii: "0") + UInt8(m)
        }
        return p
    }

    /// "00", "01", … "99", back to back.
    static let digitPairs: [UInt8] = (0..<100).flatMap { [UInt8(ascii: "0") + UInt8($0 / 10), UInt8(ascii: "0") + UInt8($0 % 10)] }

    static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        // Room for 20 digits and a sign, on the stack.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buf in
            let end = buf.baseAddress!.assumingMemoryBound(to: UInt8.self) + 24
            var p = writeDigits(v.magnitude, endingAt: end)
            if v < 0 { p -= 1; p[0] = UInt8(ascii: "-") }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
        }
    }

    /// As `Decimal128.format`: the digits, a point `scale` digits from the end, a leading zero.
    static func appendDecimal(_ v: Int128, scale: Int, to out: inout [UInt8]) {
        if let small = Int64(exactly: v), scale == 0 { appendInteger(small, to: &out); return }
        // Digits of the magnitude (at most 39), most significant first, after zeros enough to
        // put one before the point.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            let base = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let end = base + 64
            var p = UInt64(exactly: v.magnitude).map { writeDigits($0, endingAt: end) } ?? writeDigits(v.magnitude, endingAt: end)
            // At least scale + 1 digits (a zero before the point).
            let scale = min(max(scale, 0), 60)
            while end - p <= scale { p -= 1; p[0] = UInt8(ascii: "0") }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            let whole = end - p - scale
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: whole))
            if scale > 0 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: UnsafeBufferPointer(start: p + whole, count: scale))
            }
        }
    }

    /// The text, quoted (quotes doubled) when it is empty or holds the delimiter, a quote or
    /// a line break (as `Character.isNewline` counts them), as `CSVWriter.quoted` does.
    static func appendField(_ text: String, delimiter: UInt8, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard needsQuotes(bytes, delimiter: delimiter) else { out.append(contentsOf: bytes); return }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { out.append(b) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// Whether a field must be quoted: empty, or holding the delimiter, a quote, LF, VT, FF,
    /// CR, NEL (C2 85) or a line or paragraph separator (E2 80 A8/A9). A first pass looks for
    /// any byte that can start one; most fields have none.
    @inline(__always)
    static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Bool {
        if bytes.isEmpty { return true }
        var suspect = false
        for b in bytes where b == delimiter || b == UInt8(ascii: "\"") || (b >= 0x0A && b <= 0x0D) || b == 0xC2 || b == 0xE2 {
            suspect = true
            break
        }
        guard suspect else { return false }
        var previous: (UInt8, UInt8) = (0, 0)
        for b in bytes {
            if b == delimiter || b == UInt8(ascii: "\"") || (b >= 0x0A && b <= 0x0D)
                || (previous.1 == 0xC2 && b == 0x85)
                || (previous.0 == 0xE2 && previous.1 == 0x80 && (b == 0xA8 || b == 0xA9)) {
                return true
            }
            previous = (previous.1, b)
        }
        return false
    }
}

/// `YYYY-MM-DD` of every day from 1900-01-01 to 2099-12-31, 10 bytes each, made on first use
/// (730 kB, about a millisecond).
enum DateTexts {
    /// 1900-01-01 and 2100-01-01 in days since 1970-01-01.
    static let first: Int32 = -25_567
    static let end: Int32 = 47_482

    @inline(__always)
    static func covers(_ days: Int32) -> Bool { days >= first && days < end }

    @inline(__always)
    static func offset(_ days: Int32) -> Int { Int(days - first) * 10 }

    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: Int(end - first) * 10)
        t.withUnsafeMutableBufferPointer { buf in
            for days in first..<end {
                let (y, m, d) = CivilTime.civil(fromDays: days)
                CSVBytes.writeDate(year: y, month: m, day: d, to: buf.baseAddress! + offset(days))
            }
        }
        return t
    }()
}
