import ConnectorKit
import Foundation
import MeshCore

extension PostgresConnector {
    /// Runs the query on a source thread. Without parameters the result is read with
    /// `COPY (…) TO STDOUT (FORMAT binary)`; with parameters (which COPY does not take) in
    /// binary, streamed in libpq's single-row mode. Not through a cursor: PostgreSQL never
    /// gives a cursor's query parallel workers (TPC-H q10's join takes 1.13 s that way, 0.77 s
    /// without), and FETCH round trips cost more than a result per row (4.7 M rows of two
    /// columns: 3.0–4.0 s through a cursor, 2.4–2.6 s streamed). Either way values are
    /// decoded straight into column buffers.
    public func execute(_ query: RemoteQuery) -> BatchStream {
        let pool = self.pool
        let secrets = self.secrets
        return BatchStream.start(borrowing: pool) { stream, lease in
            try PGQueryRun(pool: pool, secrets: secrets, query: query, stream: stream).run(lease)
        }
    }
}

/// One execution of a `RemoteQuery` on a pooled connection.
struct PGQueryRun {
    let pool: ConnectionPool<PGConnection>
    let secrets: [String]
    let query: RemoteQuery
    let stream: BatchStream

    /// Runs on `lease`, the connection the pool lent.
    func run(_ lease: (connection: PGConnection, reused: Bool)) throws {
        // A connection that sat idle in the pool may have been closed by the server; if the
        // very first round trip finds it broken, try once more on a fresh one.
        for attempt in 0..<2 {
            let (connection, reused) = attempt == 0 ? lease : try pool.acquire()
            // Holding a connection its reader is not ready for, the stream reads ahead when
            // another borrower waits (see ConnectionPool).
            stream.yieldWhen { [pool] in pool.hasWaiters }
            let canceller = connection.canceller()
            let cancelGuard = SourceCancelGuard { canceller?.cancel() }
            // PQcancel opens a connection of its own and can block; the hook may run on a
            // thread of Swift's cooperative pool (a task being cancelled), so hand it off.
            stream.onCancel {
                let t = Thread { cancelGuard.fire() }
                t.name = "meshql-postgres-cancel"
                t.start()
            }
            var started = false
            // Cancelled while it waited for the connection: give it back unused.
            if stream.isCancelled {
                cancelGuard.deactivate()
                pool.release(connection, reusable: true)
                throw CancellationError()
            }
            do {
                try run(on: connection, started: &started)
                cancelGuard.deactivate()
                pool.release(connection, reusable: !stream.isCancelled && !cancelGuard.fired)
                return
            } catch {
                cancelGuard.deactivate()
                // After an error or a cancel the session may be mid-transaction or mid-COPY:
                // close it rather than clean it up.
                pool.release(connection, reusable: false)
                if stream.isCancelled || cancelGuard.fired { throw CancellationError() }
                if let f = error as? PGFailure {
                    if f.connectionBroken, reused, !started, attempt == 0 { continue }
                    throw PostgresConnector.sourceError(f, secrets)
                }
                throw error
            }
        }
    }

    private func run(on c: PGConnection, started: inout Bool) throws {
        // Settings the SQL reads, their values bound (a session's setting stays after the
        // query, but only SQL that names it reads it, and the next query sets it again).
        if !query.settings.isEmpty {
            let calls = query.settings.indices.map { "set_config($\(2 * $0 + 1), $\(2 * $0 + 2), false)" }
            try c.exec("SELECT " + calls.joined(separator: ", "),
                       parameters: query.settings.flatMap { [$0.name, $0.value] }, binaryResults: false)
        }
        let parameters: [String?] = query.parameters.map { $0.isNull ? nil : $0.description }
        var sql = Self.trimmed(query.sql)
        // A query expected to be small runs in one round trip, as a prepared statement
        // whose result columns are known from when it was prepared on this connection. Its
        // rows are streamed (single-row mode) all the same: an estimate can be wrong, and a
        // few rows can be huge (100 values of 5 MB were one 500 MB result).
        if !parameters.isEmpty, let expected = query.expectedRows, expected <= Self.smallResultRows {
            for attempt in 0..<2 {
                let (name, columns) = try c.preparedStatement(sql, parameterCount: parameters.count)
                try checkWidth(columns)
                let decoders = makeDecoders(columns)
                guard decoders.allSatisfy({ $0 != nil }) else { break }
                started = true
                var batches = PGBatchBuilder(decoders: decoders.map { $0! }, types: query.outputTypes,
                                              labels: query.outputTypes.indices.map(query.columnLabel), stream: stream)
                let capacity = Int(max(1, min(expected, Double(Batch.preferredSize))))
                var delivered = false
                do {
                    try c.streamPrepared(name, parameters: parameters, binaryResults: true) { row in
                        delivered = true
                        try batches.append(row, expectedRows: capacity)
                        return !batches.stopped
                    }
                } catch let f as PGFailure where attempt == 0 && !delivered
                            && (f.sqlState == "26000" || (f.sqlState == "0A000" && f.message.contains("cached plan"))) {
                    continue
                }
                if batches.stopped { return }
                batches.flush()
                return
            }
        }

        var columns = try c.describe(sql, parameterCount: parameters.count)
        started = true
        try checkWidth(columns)
        var decoders = makeDecoders(columns)
        if decoders.contains(where: { $0 == nil }) {
            // Types without a binary decoder here (interval, arrays, …) or pairs such as
            // float → integer: let the server cast them, with its own semantics.
            sql = castWrapped(sql, decoders)
            columns = try c.describe(sql, parameterCount: parameters.count)
            decoders = makeDecoders(columns)
            if let bad = decoders.firstIndex(where: { $0 == nil }) {
                throw MeshError(.typeMismatch,
                                "cannot read column \(bad + 1) of the PostgreSQL result as \(query.outputTypes[bad])")
            }
        }
        let batches = PGBatchBuilder(decoders: decoders.map { $0! }, types: query.outputTypes,
                                              labels: query.outputTypes.indices.map(query.columnLabel), stream: stream)

        if parameters.isEmpty {
            var parser = PGCopyParser(batches: batches)
            try c.copyOut("COPY (\(sql)) TO STDOUT (FORMAT binary)") { chunk in try parser.consume(chunk) }
            if parser.batches.stopped { return }
            try parser.finish()
        } else {
            var batches = batches
            let capacity = Int(max(1, min(query.expectedRows ?? Double(Batch.preferredSize), Double(Batch.preferredSize))))
            try c.streamRows(sql, parameters: parameters, binaryResults: true) { row in
                try batches.append(row, expectedRows: capacity)
                return !batches.stopped
            }
            if batches.stopped { return }
            batches.flush()
        }
    }

    private func checkWidth(_ columns: [PGColumnInfo]) throws {
        guard columns.count == query.outputTypes.count else {
            throw MeshError(.internalError,
                            "PostgreSQL query returns \(columns.count) columns, the plan expects \(query.outputTypes.count)")
        }
    }

    /// The SQL without surrounding white space and trailing semicolons (Foundation's
    /// `trimmingCharacters` costs more than a point query's planning).
    static func trimmed(_ sql: String) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        var bytes = Substring(sql).utf8[...]
        while let f = bytes.first, isSpace(f) { bytes = bytes.dropFirst() }
        while let l = bytes.last, isSpace(l) || l == UInt8(ascii: ";") { bytes = bytes.dropLast() }
        return String(Substring(bytes))
    }

    /// Estimated rows up to which a query with parameters runs as a prepared statement, in one
    /// round trip.
    static let smallResultRows: Double = 10_000

    private func makeDecoders(_ columns: [PGColumnInfo]) -> [PGColumnDecoder?] {
        columns.enumerated().map { i, col in
            PGColumnDecoder.make(oid: col.oid, output: query.outputTypes[i])
        }
    }

    /// `SELECT q.c1, q.c2::text, … FROM (sql) AS q(c1, c2, …)`: positional names, so
    /// duplicate or odd column names do not matter.
    private func castWrapped(_ sql: String, _ decoders: [PGColumnDecoder?]) -> String {
        let items = decoders.indices.map { i -> String in
            let col = "q.c\(i + 1)"
            if decoders[i] != nil { return col }
            return col + "::" + PGType.castName(query.outputTypes[i], withTypmod: false)
        }
        let names = decoders.indices.map { "c\($0 + 1)" }.joined(separator: ", ")
        return "SELECT " + items.joined(separator: ", ") + " FROM (" + sql + ") AS q(" + names + ")"
    }
}
