import MeshCore

/// Writes a batch's rows as text bytes straight from its column buffers (CSV, JSON objects,
/// JSON arrays): each column is rendered on its own, in one typed loop, then each record is
/// put together by copying its fields' bytes between fixed pieces of text. No `Value` and no
/// `String` per field: the output of a big table is millions of them. The buffers are kept
/// from batch to batch (fresh megabytes each time cost page faults).
public struct RowBytes: Sendable {
    public enum Style: Sendable {
        /// RFC 4180 fields (see `CSVWriter`): NULL is nothing.
        case csv(delimiter: UInt8)
        /// JSON values (see `JSONText.value`): NULL is `null`.
        case json
    }

    let style: Style
    /// The text before each field, and before and after each record; `rowSeparator` goes
    /// between two records of one batch.
    let columnPrefixes: [[UInt8]]
    let rowPrefix: [UInt8]
    let rowSuffix: [UInt8]
    let rowSeparator: [UInt8]
    private var rendered = Rendered(rows: 0)
    private var records: [UInt8] = []

    public init(style: Style, columnPrefixes: [[UInt8]], rowPrefix: [UInt8] = [], rowSuffix: [UInt8] = [], rowSeparator: [UInt8] = []) {
        self.style = style
        self.columnPrefixes = columnPrefixes
        self.rowPrefix = rowPrefix
        self.rowSuffix = rowSuffix
        self.rowSeparator = rowSeparator
    }

    /// The records of `batch`, handed to `body` (valid during the call only).
    /// A batch of huge values (a few rows of megabytes each) is rendered a slice of rows at a
    /// time, each handed over on its own: rendering it whole would take several times its
    /// size at once, and a writer checking a byte limit could not stop in between.
    public mutating func encode(_ batch: Batch, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for (i, slice) in Self.slices(of: batch).enumerated() {
            if i > 0, !rowSeparator.isEmpty { try rowSeparator.withUnsafeBytes { try body($0) } }
            try encodeWhole(slice, body)
        }
    }

    /// `batch` in row slices of about `sliceBytes` each (a row larger than that alone); the
    /// batch itself when it is small, as nearly all are.
    public static func slices(of batch: Batch) -> [Batch] {
        let bytes = batch.rowCount > 1 ? batch.estimatedBytes : 0
        guard bytes > sliceBytes else { return [batch] }
        let rows = max(1, sliceBytes / max(1, bytes / batch.rowCount))
        return stride(from: 0, to: batch.rowCount, by: rows).map { batch.slice($0..<min($0 + rows, batch.rowCount)) }
    }

    /// What one call of `body` carries at most, but for a single row larger than that.
    static let sliceBytes = 4 << 20

    private mutating func encodeWhole(_ batch: Batch, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        rendered.reset(rows: batch.rowCount)
        for column in batch.columns {
            switch style {
            case .csv(let d): CSVBytes.render(column, delimiter: d, into: &rendered)
            case .json: JSONBytes.render(column, into: &rendered)
            }
        }
        let count = interleave()
        try records.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Writes the records into `records` (from its start, growing it when needed); returns
    /// their length. Everything is read through buffer pointers: an array of arrays indexed
    /// per field would retain and release the inner array each time (96 M fields for the
    /// CSV of lineitem at SF 1).
    private mutating func interleave() -> Int {
        let rows = rendered.rows
        let columns = rows == 0 ? 0 : rendered.ends.count / rows
        // Each column's prefix, back to back (a column past the prefixes takes the last).
        var pieces: [UInt8] = []
        var pieceEnds: [Int] = []
        for j in 0..<columns {
            pieces.append(contentsOf: j < columnPrefixes.count ? columnPrefixes[j] : columnPrefixes.last ?? [])
            pieceEnds.append(pieces.count)
        }
        let total = rendered.bytes.count + rows * (rowPrefix.count + rowSuffix.count + pieces.count)
            + max(0, rows - 1) * rowSeparator.count
        if records.count < total { records = [UInt8](repeating: 0, count: total + total / 4) }
        return rendered.bytes.withUnsafeBufferPointer { bytes in
            rendered.ends.withUnsafeBufferPointer { ends in
                pieces.withUnsafeBufferPointer { pieces in
                    pieceEnds.withUnsafeBufferPointer { pieceEnds in
                        rowPrefix.withUnsafeBufferPointer { rowPrefix in
                            rowSuffix.withUnsafeBufferPointer { rowSuffix in
                                rowSeparator.withUnsafeBufferPointer { rowSeparator in
                                    records.withUnsafeMutableBufferPointer { out in
                                        var at = 0
                                        @inline(__always) func put(_ from: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
                                            let n = end - start
                                            if n == 1 {
                                                out[at] = from[start]
                                            } else if n > 0 {
                                                (out.baseAddress! + at).update(from: from.baseAddress! + start, count: n)
                                            }
                                            at += n
                                        }
                                        for i in 0..<rows {
                                            if i > 0 { put(rowSeparator, 0, rowSeparator.count) }
                                            put(rowPrefix, 0, rowPrefix.count)
                                            for j in 0..<columns {
                                                put(pieces, j == 0 ? 0 : pieceEnds[j - 1], pieceEnds[j])
                                                let k = j * rows + i
                                                put(bytes, k == 0 ? 0 : ends[k - 1], ends[k])
                                            }
                                            put(rowSuffix, 0, rowSuffix.count)
                                        }
                                        return at
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A batch's fields, column after column, back to back: field `i` of column `j` ends at
    /// `ends[j * rows + i]` and starts where the one before it ended.
    struct Rendered {
        private(set) var rows: Int
        var bytes: [UInt8] = []
        var ends: [Int] = []

        init(rows: Int) {
            self.rows = rows
        }

        /// Empties it for a batch of `rows`, keeping the buffers' capacity.
        mutating func reset(rows: Int) {
            self.rows = rows
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }

        /// Renders each value of `a` with `append`, and `null` for NULL. `self` is written
        /// as `inout`, not captured: a closure writing a captured variable pays a run-time
        /// exclusivity check per field.
        @inline(__always)
        mutating func fill<T>(_ a: [T], _ validity: Validity, width: Int, null: [UInt8] = [],
                              _ append: (T, inout [UInt8]) -> Void) {
            precondition(a.count >= rows && validity.count >= rows, "RowBytes: a column shorter than its batch")
            bytes.reserveCapacity(bytes.count + rows * width)
            let nulls = validity.hasNulls
            a.withUnsafeBufferPointer { a in
                for i in 0..<rows {
                    if !nulls || validity.isValid(i) { append(a[i], &bytes) } else { bytes.append(contentsOf: null) }
                    ends.append(bytes.count)
                }
            }
        }
    }
}

/// JSON values as bytes (see `RowBytes`), as `JSONText.value` writes them.
enum JSONBytes {
    static let null = Array("null".utf8)

    static func render(_ column: Column, into r: inout RowBytes.Rendered) {
        let validity = column.validity
        switch column.storage {
        case .int(let a): r.fill(a, validity, width: 8, null: null) { v, out in CSVBytes.appendInteger(v, to: &out) }
        case .decimal(let a):
            let scale = column.type.decimalScale
            r.fill(a, validity, width: 10, null: null) { v, out in CSVBytes.appendDecimal(v, scale: scale, to: &out) }
        case .string(let a): r.fill(a, validity, width: 18, null: null) { v, out in appendString(v, to: &out) }
        case .date(let a):
            r.fill(a, validity, width: 12, null: null) { v, out in
                out.append(UInt8(ascii: "\""))
                CSVBytes.appendDate(v, to: &out)
                out.append(UInt8(ascii: "\""))
            }
        case .bool(let a): r.fill(a, validity, width: 5, null: null) { v, out in out.append(contentsOf: v ? trueText : falseText) }
        default:
            for i in 0..<r.rows {
                r.bytes.append(contentsOf: JSONText.value(column.value(at: i)).utf8)
                r.ends.append(r.bytes.count)
            }
        }
    }

    static let trueText = Array("true".utf8)
    static let falseText = Array("false".utf8)

    /// A JSON string literal (`JSONString`).
    @inline(__always)
    static func appendString(_ text: String, to out: inout [UInt8]) {
        JSONString.append(text, to: &out)
    }
}
