import ConnectorKit
import MeshCore

/// Collects decoded rows into batches of `Batch.preferredSize` and hands them to the stream.
struct PGBatchBuilder {
    let decoders: ContiguousArray<PGColumnDecoder>
    let types: [DataType]
    /// Each column's label for error messages (`RemoteQuery.columnLabel`).
    let labels: [String]
    private(set) var builders: [ColumnBuilder]
    private(set) var rows = 0
    /// Bytes of the batch's values so far: a batch of huge values ends early (see
    /// `Batch.maxVariableBytes`).
    private var bytes = 0
    let stream: BatchStream
    /// Set once the consumer went away; the reader stops.
    private(set) var stopped = false

    init(decoders: [PGColumnDecoder], types: [DataType], labels: [String], stream: BatchStream) {
        self.decoders = ContiguousArray(decoders)
        self.types = types
        self.labels = labels
        self.stream = stream
        self.builders = []
    }

    /// Makes the builders of the next batch, for `expected` rows when that is known (a point
    /// query's one row should not allocate room for a full batch).
    @inline(__always)
    private mutating func ensureBuilders(expected: Int = Batch.preferredSize) {
        if builders.isEmpty {
            let capacity = max(1, min(expected, Batch.preferredSize))
            builders = types.map { ColumnBuilder(type: $0, capacity: capacity) }
        }
    }

    /// Counts a row whose fields were appended; sends a full batch.
    @inline(__always)
    mutating func rowDone() {
        rows += 1
        if rows == Batch.preferredSize || bytes > Batch.maxVariableBytes { flush() }
    }

    /// Sends what has been collected (if anything); the next row starts a new batch.
    mutating func flush() {
        guard rows > 0, !stopped else { return }
        let batch = Batch(columns: builders.map { $0.finish() }, rowCount: rows)
        builders = []
        rows = 0
        bytes = 0
        if !stream.send(batch) { stopped = true }
    }

    /// Decodes every row of a binary-format result (a whole small result, or one row of many
    /// in single-row mode, where `expectedRows` says how many are coming).
    mutating func append(_ result: PGResult, expectedRows: Int? = nil) throws {
        let n = result.rowCount
        for r in 0..<n {
            ensureBuilders(expected: expectedRows ?? (n - r))
            for c in 0..<decoders.count {
                if result.isNull(r, c) {
                    builders[c].appendNull()
                } else {
                    let v = result.bytes(r, c)
                    bytes &+= v.count
                    do throws(PGDecodeFailure) {
                        try decoders[c].decode(v.baseAddress!, v.count, into: &builders[c])
                    } catch {
                        throw error.meshError(column: labels[c])
                    }
                }
            }
            rowDone()
            if stopped { return }
        }
    }
}

/// Parses the binary COPY stream: an 11-byte signature, flags, a header extension, then per
/// tuple an int16 field count and per field an int32 length (-1 for NULL) and the bytes;
/// an int16 -1 ends it. CopyData messages usually carry one tuple each, but nothing relies
/// on that: a tuple split across messages is carried over.
struct PGCopyParser {
    var batches: PGBatchBuilder
    private var headerDone = false
    private(set) var finished = false
    private var pending: [UInt8] = []

    init(batches: PGBatchBuilder) { self.batches = batches }

    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xff, 0x0d, 0x0a, 0x00]

    /// Feeds one CopyData message. Returns false when the reader should stop (the consumer
    /// went away).
    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        if pending.isEmpty {
            let used = try parse(chunk)
            if used < chunk.count, !finished { pending = Array(chunk[used...]) }
        } else {
            var buffer = pending
            pending = []
            buffer.append(contentsOf: chunk)
            let used = try buffer.withUnsafeBytes { try parse($0) }
            if used < buffer.count, !finished { pending = Array(buffer[used...]) }
        }
        return !batches.stopped
    }

    /// Ends the stream: sends the last partial batch.
    mutating func finish() throws {
        guard finished || !headerDone || pending.isEmpty else {
            throw MeshError(.internalError, "PostgreSQL COPY stream ended in the middle of a row")
        }
        batches.flush()
    }

    /// Parses whole tuples from `buf`; returns how many bytes were used.
    private mutating func parse(_ buf: UnsafeRawBufferPointer) throws -> Int {
        let count = buf.count
        guard let base = buf.baseAddress else { return 0 }
        var off = 0
        if !headerDone {
            guard count >= 19 else { return 0 }
            guard Array(buf[0..<11]) == Self.signature else {
                throw MeshError(.internalError, "unexpected COPY BINARY signature from PostgreSQL source")
            }
            let extLength = Int(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 15, as: UInt32.self)))
            guard count >= 19 + extLength else { return 0 }
            off = 19 + extLength
            headerDone = true
        }
        let columns = batches.decoders.count
        while off + 2 <= count {
            let fields = Int(Int16(bigEndian: base.loadUnaligned(fromByteOffset: off, as: Int16.self)))
            if fields == -1 { finished = true; return count }
            guard fields == columns else {
                throw MeshError(.internalError, "PostgreSQL COPY row has \(fields) fields, expected \(columns)")
            }
            // First pass: is the whole tuple here?
            var end = off + 2
            for _ in 0..<fields {
                guard end + 4 <= count else { return off }
                let len = Int(Int32(bigEndian: base.loadUnaligned(fromByteOffset: end, as: Int32.self)))
                end += 4 + max(len, 0)
                guard end <= count else { return off }
            }
            // Second pass: decode it.
            try batches.decodeRow(base + off + 2)
            off = end
            batches.rowDone()
            if batches.stopped { return count }
        }
        return off
    }
}

extension PGBatchBuilder {
    /// Decodes one tuple's fields (each an int32 length, -1 for NULL, then the bytes), whose
    /// lengths the caller has checked against the buffer. The builders are reached through
    /// one buffer pointer for the row, not one checked array access per field.
    @inline(__always)
    mutating func decodeRow(_ tuple: UnsafeRawPointer) throws {
        ensureBuilders()
        var q = tuple
        var failed: (PGDecodeFailure, Int)?
        decoders.withUnsafeBufferPointer { d in
            builders.withUnsafeMutableBufferPointer { b in
                for c in 0..<d.count {
                    let len = Int(Int32(bigEndian: q.loadUnaligned(as: Int32.self)))
                    q += 4
                    guard len >= 0 else { b[c].appendNull(); continue }
                    do throws(PGDecodeFailure) {
                        try d[c].decode(q, len, into: &b[c])
                    } catch {
                        failed = (error, c)
                        return
                    }
                    q += len
                }
            }
        }
        if let (f, c) = failed { throw f.meshError(column: labels[c]) }
        bytes &+= tuple.distance(to: q)
    }
}
