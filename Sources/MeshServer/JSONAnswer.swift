import MeshCore
import MeshFormat
import NIOCore

/// What one answer may hold, whichever format it goes out in: rows (`max_rows`) and bytes
/// (`max_bytes`), each the smaller of the client's ask and the server's limit.
struct AnswerLimits: Sendable {
    let maxRows: Int
    let maxBytes: Int

    func admit(rows: Int) throws {
        if rows > maxRows { throw MeshError(.programLimitExceeded, "the result has more than max_rows (\(maxRows)) rows") }
    }

    func admit(bytes: Int) throws {
        if bytes > maxBytes {
            throw MeshError(.programLimitExceeded, "the answer is over max_bytes (\(maxBytes) bytes); ask for fewer rows or columns")
        }
    }
}

/// A JSON answer (`{"columns", "query_id", "policies", "lineage", "rows": […], "stats"}`),
/// written as batches arrive. It is held while it is small, so that a query that fails early
/// still gets a problem+json with its status (a 422 for `max_rows`, a 504 for the timeout);
/// once it passes `heldBytes` it streams, and an error from then on ends the object with an
/// `"error"` member in place of `"stats"` — NDJSON's error line, in JSON — so no client takes
/// a partial answer for a whole one. (It was held whole: a 500 MB answer grew the server by
/// 500 MB.)
/// A class (not a struct) so that the encoder can hand its rows to the buffer beside it; it
/// is used by one task at a time (the request's, then the response body's).
final class JSONAnswer: @unchecked Sendable {
    /// The answer held before it streams.
    static let heldBytes = 1 << 20
    /// What one write carries while streaming (but for a single row larger than that).
    static let chunkBytes = 256 << 10

    /// What is written and not yet sent.
    var pending: ByteBuffer
    private var encoder: RowBytes
    private var first = true
    /// The slices of a batch not yet written, last first.
    private var leftover: [Batch] = []
    let limits: AnswerLimits
    private(set) var rows = 0
    /// Everything written so far, the head included: what `max_bytes` counts.
    private(set) var bytes: Int

    init(head: String, columns: Int, limits: AnswerLimits) {
        pending = ByteBuffer(string: head + ",\"rows\":[")
        bytes = pending.readableBytes
        self.limits = limits
        // Every row with its comma before it: a chunk handed over is always whole rows, so
        // whatever stops the answer leaves it a list the error member can follow.
        var prefixes = JSONText.arrayPrefixes(columns: columns)
        if !prefixes.isEmpty { prefixes[0] = Array(",[".utf8) }
        encoder = RowBytes(style: .json, columnPrefixes: prefixes, rowSuffix: [UInt8(ascii: "]")])
    }

    /// Reads batches from `next` into `pending` until the result ends (true) or `pending`
    /// holds `upTo` bytes (false). A limit passed throws before its rows are written. A batch
    /// of huge values goes in a slice of rows at a time, the rest kept for the next call.
    func fill(upTo: Int, checkpoint: inout Checkpoint, _ next: () async throws -> Batch?) async throws -> Bool {
        while pending.readableBytes < upTo {
            if leftover.isEmpty {
                guard let b = try await next() else { return true }
                // The answer is built on an event loop: others on it get their turn.
                try await checkpoint.pass()
                guard b.rowCount > 0 else { continue }
                try limits.admit(rows: rows + b.rowCount)
                leftover = RowBytes.slices(of: b)
                leftover.reverse()
            }
            let slice = leftover.removeLast()
            try encoder.encode(slice) { chunk in
                // The first row of the answer goes without the comma.
                let skip = first ? 1 : 0
                try limits.admit(bytes: bytes + chunk.count - skip)
                pending.writeBytes(UnsafeRawBufferPointer(rebasing: chunk[skip...]))
                bytes += chunk.count - skip
                first = false
            }
            rows += slice.rowCount
        }
        return false
    }

    /// The end of an answer that is whole.
    func tail(elapsedMilliseconds ms: Double) -> String {
        "],\"stats\":{\"rows\":\(rows),\"elapsed_ms\":\(JSONText.milliseconds(ms))}}"
    }

    /// The end of an answer cut short by `error` after it began to stream.
    static func errorTail(_ error: MeshError) -> String {
        "],\"error\":" + errorObject(error) + "}"
    }

    /// What a streamed answer (JSON or NDJSON) says of the error that cut it short.
    static func errorObject(_ error: MeshError) -> String {
        "{\"sqlstate\":\(JSONText.string(error.sqlState)),\"detail\":\(JSONText.string(error.message))}"
    }
}
