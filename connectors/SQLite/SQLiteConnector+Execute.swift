import ConnectorKit
import Foundation
import MeshCore
import SQLiteDB

extension SQLiteConnector {
    /// Steps the statement on a source thread, decoding each value into column buffers and
    /// sending batches of `Batch.preferredSize` rows. Cancelling interrupts the statement.
    public func execute(_ query: RemoteQuery) -> BatchStream {
        let pool = self.pool
        let path = self.path
        return BatchStream.start(borrowing: pool) { stream, lease in
            let db = lease.connection
            stream.yieldWhen { [pool] in pool.hasWaiters }
            let interrupter = SourceCancelGuard { db.interrupt() }
            stream.onCancel { interrupter.fire() }
            // Catches a cancel that arrives before the first step, which an interrupt misses.
            db.setAbortCheck { stream.isCancelled }
            defer {
                db.setAbortCheck(nil)
                interrupter.deactivate()
                pool.release(db)
            }
            do {
                if stream.isCancelled { throw CancellationError() }
                try Self.run(query, on: db, stream: stream)
            } catch let e as SQLiteDatabase.Error {
                if e.isInterrupt || stream.isCancelled { throw CancellationError() }
                throw SQLiteConnector.sourceError(e, path: path)
            }
        }
    }

    private static func run(_ query: RemoteQuery, on db: SQLiteDatabase, stream: BatchStream) throws {
        let statement = try db.prepare(query.sql)
        try statement.bind(query.parameters.map(bindable))
        let n = statement.columnCount
        guard n == query.outputTypes.count else {
            throw MeshError(.internalError,
                            "SQLite query returns \(n) columns, the plan expects \(query.outputTypes.count)")
        }
        let decoders = (0..<n).map { SQLiteColumnDecoder(type: query.outputTypes[$0], name: query.columnLabel($0)) }
        var batcher = RowBatcher(types: query.outputTypes, stream: stream)
        while try statement.step() {
            for c in 0..<n { try decoders[c].decode(statement, c, into: &batcher.builders[c]) }
            let bytes = batcher.variableColumns.reduce(0) { $0 + statement.byteCount($1) }
            if !batcher.endRow(variableBytes: bytes) { return }
        }
        batcher.finish()
    }

    /// How a value is bound: decimals as REAL (SQLite keeps DECIMAL columns as INTEGER or
    /// REAL, so they compare numerically), dates and timestamps as ISO text (how they are
    /// stored, so text comparison orders them), booleans as 0/1.
    static func bindable(_ v: Value) -> SQLiteStatement.Bindable {
        switch v {
        case .null: .null
        case .bool(let b): .int(b ? 1 : 0)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .decimal(let x, let s): .double(Decimal128.toDouble(x, scale: s))
        case .string(let s): .text(s)
        case .date(let d): .text(CivilTime.formatDate(d))
        case .timestamp(let t): .text(formatTimestamp(t))
        case .bytes(let b): .blob(b)
        }
    }

    /// `YYYY-MM-DD HH:MM:SS`, plus `.ffffff` (all six digits) when there is a fraction.
    static func formatTimestamp(_ micros: Int64) -> String {
        var frac = micros % 1_000_000
        if frac < 0 { frac += 1_000_000 }
        let whole = CivilTime.formatTimestamp(micros - frac)
        guard frac != 0 else { return whole }
        let digits = String(frac)
        return whole + "." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
