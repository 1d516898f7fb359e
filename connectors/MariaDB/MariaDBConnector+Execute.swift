import ConnectorKit
import Foundation
import MeshCore

extension MariaDBConnector {
    /// Runs the query on a source thread as a prepared statement, its values bound by type,
    /// its rows read unbuffered as the server sends them, in batches of
    /// `Batch.preferredSize` rows. Cancelling sends `KILL QUERY` on a connection of its own.
    public func execute(_ query: RemoteQuery) -> BatchStream {
        let pool = self.pool
        let secrets = self.secrets
        let settings = self.settings
        return BatchStream.start(borrowing: pool) { stream, lease in
            try MariaDBQueryRun(pool: pool, settings: settings, secrets: secrets, query: query, stream: stream).run(lease)
        }
    }
}

extension MariaDBConnection {
    /// Stops the statement `target` runs: `KILL QUERY` on a connection of its own; where the
    /// server cannot be reached to hear it (the network is gone), the query's own socket is
    /// shut, so a fetch waiting on it returns. Blocking: call it off the cooperative pool.
    static func kill(_ target: MariaDBConnection, _ settings: MariaDBSettings) {
        let killed = (try? MariaDBConnection(settings, connectTimeout: 5)).map { c in
            (try? c.exec("KILL QUERY \(target.threadID)")) != nil
        } ?? false
        if !killed { target.shutDownSocket() }
    }
}

/// One execution of a `RemoteQuery` on a pooled connection.
struct MariaDBQueryRun {
    let pool: ConnectionPool<MariaDBConnection>
    let settings: MariaDBSettings
    let secrets: [String]
    let query: RemoteQuery
    let stream: BatchStream

    func run(_ lease: (connection: MariaDBConnection, reused: Bool)) throws {
        // A connection that sat idle in the pool may have been closed by the server
        // (wait_timeout); if its first round trip finds it gone, try once on a fresh one.
        for attempt in 0..<2 {
            let (connection, reused) = attempt == 0 ? lease : try pool.acquire()
            stream.yieldWhen { [pool] in pool.hasWaiters }
            let killer = SourceCancelGuard { [settings] in MariaDBConnection.kill(connection, settings) }
            stream.onCancel {
                let t = Thread { killer.fire() }
                t.name = "meshql-mariadb-cancel"
                t.start()
            }
            if stream.isCancelled {
                killer.deactivate()
                pool.release(connection, reusable: true)
                throw CancellationError()
            }
            var started = false
            do {
                let complete = try run(on: connection, killer: killer, started: &started)
                killer.deactivate()
                pool.release(connection, reusable: complete && !killer.fired)
                return
            } catch {
                killer.deactivate()
                pool.release(connection, reusable: false)
                if stream.isCancelled || killer.cancelled { throw CancellationError() }
                if let f = error as? MariaDBFailure {
                    if f.connectionBroken, reused, !started, attempt == 0 { continue }
                    throw MariaDBConnector.sourceError(f, secrets)
                }
                throw error
            }
        }
    }

    /// Whether every row was read (false when the consumer stopped the stream early). Rows
    /// left unread on the wire (a stop, a value that does not decode) are not drained: the
    /// statement is stopped at the server first, then closed, and so is the connection.
    private func run(on c: MariaDBConnection, killer: SourceCancelGuard, started: inout Bool) throws -> Bool {
        let statement = try c.prepare(query.sql)
        started = true
        do {
            let complete = try read(statement)
            if !complete { killer.fire(cancelling: false) }
            statement.close()
            return complete
        } catch {
            // A failure of the server's ends its result; any other leaves rows on the wire.
            if !(error is MariaDBFailure) { killer.fire(cancelling: false) }
            statement.close()
            throw error
        }
    }

    private func read(_ statement: MariaDBStatement) throws -> Bool {
        let n = statement.columnCount
        guard n == query.outputTypes.count else {
            throw MeshError(.internalError, "MariaDB query returns \(n) columns, the plan expects \(query.outputTypes.count)")
        }
        try statement.execute(query.parameters)
        statement.bindResults(query.outputTypes)
        let decoders = (0..<n).map { MariaDBColumnDecoder(type: query.outputTypes[$0], name: query.columnLabel($0)) }
        var batcher = RowBatcher(types: query.outputTypes, stream: stream)
        while try statement.fetch() {
            for i in 0..<n { try decoders[i].decode(statement, i, into: &batcher.builders[i]) }
            let bytes = batcher.variableColumns.reduce(0) { $0 + (statement.isNull($1) ? 0 : statement.length($1)) }
            if !batcher.endRow(variableBytes: bytes) { return false }
        }
        batcher.finish()
        return true
    }
}
