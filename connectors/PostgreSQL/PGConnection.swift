import CLibPQ
import Foundation

// The only file that imports CLibPQ. Everything here is blocking and runs on a source thread
// (a BatchStream producer or a dedicated thread), never on Swift's cooperative pool.

/// An error reported by libpq or the server, before it becomes a `MeshError`.
struct PGFailure: Error {
    /// The server's primary message, or libpq's message when there was no server error.
    var message: String
    /// The server's SQLSTATE, when the server sent one.
    var sqlState: String?
    /// True when the connection itself is gone (or never came up).
    var connectionBroken: Bool
}

/// Type and name of one result column, from a describe.
struct PGColumnInfo: Sendable {
    var name: String
    var oid: UInt32
    var typmod: Int32
}

/// One libpq connection. Closed in `deinit`.
///
/// `@unchecked Sendable`: a connection is used by one thread at a time — the pool lends it to
/// exactly one borrower; only the separate `PGCanceller` is touched from other threads.
final class PGConnection: @unchecked Sendable {
    private let conn: OpaquePointer
    /// Set when a borrower abandoned the connection mid-protocol (an unfinished COPY): it must
    /// not go back to the pool.
    private(set) var abandoned = false

    /// Connects with `PQconnectdbParams`, `expand_dbname` on: the `dbname` entry may be a
    /// whole conninfo string or URI, and entries after it override its fields.
    init(parameters: [(String, String)]) throws {
        let keys = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keys.forEach { free($0) }
            values.forEach { free($0) }
        }
        var k: [UnsafePointer<CChar>?] = keys.map { UnsafePointer($0) } + [nil]
        var v: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let c = PQconnectdbParams(&k, &v, 1) else {
            throw PGFailure(message: "out of memory", sqlState: nil, connectionBroken: true)
        }
        if PQstatus(c) != CONNECTION_OK {
            let message = String(cString: PQerrorMessage(c))
            PQfinish(c)
            throw PGFailure(message: message, sqlState: nil, connectionBroken: true)
        }
        conn = c
    }

    deinit { PQfinish(conn) }

    /// Healthy, idle and not mid-protocol: safe to lend again.
    var isReusable: Bool {
        !abandoned && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    var serverVersion: Int { Int(PQserverVersion(conn)) }

    /// A cancel handle usable from any thread.
    func canceller() -> PGCanceller? {
        PQgetCancel(conn).map { PGCanceller($0) }
    }

    /// Runs SQL without parameters (text results); several statements are allowed.
    @discardableResult
    func exec(_ sql: String) throws -> PGResult {
        try checked(PQexec(conn, sql))
    }

    /// Runs one statement with parameters sent as text (NULL for nil) and their types left to
    /// the server (the SQL carries casts such as `$1::numeric`).
    @discardableResult
    func exec(_ sql: String, parameters: [String?], binaryResults: Bool) throws -> PGResult {
        let result = Self.withCStrings(parameters) { p in
            PQexecParams(conn, sql, Int32(parameters.count), nil, p, nil, nil, binaryResults ? 1 : 0)
        }
        return try checked(result)
    }

    /// `values` as C strings (NULL for nil) for the call of `body`: libpq's parameter array.
    private static func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies = values.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Prepared statements of this connection by SQL text (`preparedStatement`): their names
    /// and result columns.
    private var prepared: [String: (name: String, columns: [PGColumnInfo])] = [:]
    /// The most statements a connection keeps prepared; past it they are all deallocated.
    static let maxPrepared = 256

    /// A named prepared statement for `sql` and its result columns, prepared and described on
    /// first use on this connection: later runs skip PostgreSQL's parsing (and, once it
    /// settles on a generic plan, its planning), as pgbench's `-M prepared` does, and need no
    /// describe round trip.
    func preparedStatement(_ sql: String, parameterCount: Int) throws -> (name: String, columns: [PGColumnInfo]) {
        if let p = prepared[sql] { return p }
        if prepared.count >= Self.maxPrepared { try forgetPrepared() }
        let name = "meshql_\(prepared.count + 1)"
        _ = try checked(PQprepare(conn, name, sql, Int32(parameterCount), nil))
        let r = try checked(PQdescribePrepared(conn, name))
        let columns = (0..<r.columnCount).map { PGColumnInfo(name: r.columnName($0), oid: r.type($0), typmod: r.typmod($0)) }
        prepared[sql] = (name, columns)
        return (name, columns)
    }

    private func forgetPrepared() throws {
        prepared = [:]
        _ = try exec("DEALLOCATE ALL")
    }

    /// Runs prepared statement `name` and hands its rows to `body` one at a time, in
    /// single-row mode, as `streamRows` does: one round trip, and a result of any size never
    /// sits whole in libpq's memory.
    func streamPrepared(_ name: String, parameters: [String?], binaryResults: Bool, _ body: (PGResult) throws -> Bool) throws {
        let sent = Self.withCStrings(parameters) { p in
            PQsendQueryPrepared(conn, name, Int32(parameters.count), p, nil, nil, binaryResults ? 1 : 0)
        }
        do {
            try receiveRows(sent: sent, body)
        } catch let f as PGFailure where f.sqlState == "0A000" || f.sqlState == "26000" {
            // The source's table changed under the statement ("cached plan must not change
            // result type") or it is gone: forget them; the caller's retry prepares afresh.
            if !isBroken { try? forgetPrepared() }
            throw f
        }
    }

    /// Runs one statement with parameters (as `exec`) and hands its rows to `body` one at a
    /// time, in libpq's single-row mode, while `body` returns true. Unlike a cursor's FETCH,
    /// which PostgreSQL always runs without parallel workers, this lets it plan the query
    /// with them. Stopping early abandons the connection (the rest is never read).
    func streamRows(_ sql: String, parameters: [String?], binaryResults: Bool, _ body: (PGResult) throws -> Bool) throws {
        let sent = Self.withCStrings(parameters) { p in
            PQsendQueryParams(conn, sql, Int32(parameters.count), nil, p, nil, nil, binaryResults ? 1 : 0)
        }
        try receiveRows(sent: sent, body)
    }

    /// The rows of the query just sent (`sent`: what the PQsend… call returned), one at a time.
    private func receiveRows(sent: Int32, _ body: (PGResult) throws -> Bool) throws {
        guard sent == 1 else {
            throw PGFailure(message: String(cString: PQerrorMessage(conn)), sqlState: nil, connectionBroken: isBroken)
        }
        guard PQsetSingleRowMode(conn) == 1 else {
            abandoned = true
            throw PGFailure(message: "could not switch to single-row mode", sqlState: nil, connectionBroken: isBroken)
        }
        var failure: PGFailure?
        while let r = PQgetResult(conn) {
            let status = PQresultStatus(r)
            if status == PGRES_SINGLE_TUPLE, failure == nil {
                let keepGoing: Bool
                do {
                    keepGoing = try body(PGResult(r))
                } catch {
                    abandoned = true
                    throw error
                }
                if !keepGoing { abandoned = true; return }
            } else {
                // The last result (zero rows, TUPLES_OK) or the error that ended the query.
                if failure == nil, status != PGRES_TUPLES_OK, status != PGRES_SINGLE_TUPLE { failure = makeFailure(r) }
                PQclear(r)
            }
        }
        if let failure { throw failure }
    }

    /// The result columns of a statement, without running it: `PQprepare` of the unnamed
    /// statement and `PQdescribePrepared`.
    func describe(_ sql: String, parameterCount: Int) throws -> [PGColumnInfo] {
        _ = try checked(PQprepare(conn, "", sql, Int32(parameterCount), nil))
        let r = try checked(PQdescribePrepared(conn, ""))
        return (0..<r.columnCount).map { PGColumnInfo(name: r.columnName($0), oid: r.type($0), typmod: r.typmod($0)) }
    }

    /// Runs `COPY … TO STDOUT` and hands each CopyData message to `body` while it returns
    /// true. Stopping early abandons the connection (the rest of the COPY is never read).
    func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        _ = try checked(PQexec(conn, sql), expect: PGRES_COPY_OUT)
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &buffer, 0)
            if n > 0, let buffer {
                let keepGoing: Bool
                do {
                    keepGoing = try body(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
                } catch {
                    PQfreemem(buffer)
                    abandoned = true
                    throw error
                }
                PQfreemem(buffer)
                if !keepGoing { abandoned = true; return }
                continue
            }
            if n == -1 {
                // Done (or failed, e.g. cancelled): the final result says which.
                var failure: PGFailure?
                while let r = PQgetResult(conn) {
                    if failure == nil, PQresultStatus(r) != PGRES_COMMAND_OK { failure = makeFailure(r) }
                    PQclear(r)
                }
                if let failure { throw failure }
                return
            }
            // -2: a libpq-level failure (lost connection).
            abandoned = true
            throw PGFailure(message: String(cString: PQerrorMessage(conn)), sqlState: nil, connectionBroken: true)
        }
    }

    private func checked(_ result: OpaquePointer?, expect: ExecStatusType? = nil) throws -> PGResult {
        guard let result else {
            throw PGFailure(message: String(cString: PQerrorMessage(conn)), sqlState: nil, connectionBroken: isBroken)
        }
        let status = PQresultStatus(result)
        let ok = expect.map { status == $0 } ?? (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        if !ok {
            let failure = makeFailure(result)
            PQclear(result)
            throw failure
        }
        return PGResult(result)
    }

    private func makeFailure(_ result: OpaquePointer) -> PGFailure {
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = primary ?? String(cString: PQerrorMessage(conn))
        return PGFailure(message: message, sqlState: state, connectionBroken: isBroken)
    }
}

/// A query result. Cleared in `deinit`; byte views it hands out live as long as it does.
final class PGResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    var rowCount: Int { Int(PQntuples(result)) }
    var columnCount: Int { Int(PQnfields(result)) }
    func columnName(_ c: Int) -> String { String(cString: PQfname(result, Int32(c))) }
    func type(_ c: Int) -> UInt32 { PQftype(result, Int32(c)) }
    func typmod(_ c: Int) -> Int32 { PQfmod(result, Int32(c)) }

    @inline(__always)
    func isNull(_ r: Int, _ c: Int) -> Bool { PQgetisnull(result, Int32(r), Int32(c)) != 0 }

    /// The raw value (binary or text, as requested) — valid while this result lives.
    @inline(__always)
    func bytes(_ r: Int, _ c: Int) -> UnsafeRawBufferPointer {
        let p = PQgetvalue(result, Int32(r), Int32(c))
        let n = Int(PQgetlength(result, Int32(r), Int32(c)))
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// A text-format value; nil for NULL.
    func string(_ r: Int, _ c: Int) -> String? {
        if isNull(r, c) { return nil }
        return String(cString: PQgetvalue(result, Int32(r), Int32(c)))
    }
}

/// Sends cancel requests for one connection's running query.
///
/// `@unchecked Sendable`: libpq documents `PQcancel` as safe to call from any thread (it opens
/// its own short connection), which is its whole purpose.
final class PGCanceller: @unchecked Sendable {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQfreeCancel(handle) }

    func cancel() {
        var errbuf = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &errbuf, Int32(errbuf.count))
    }
}

enum PGConninfo {
    /// Parses a conninfo string or URI as libpq will. Returns the password it contains (so
    /// that it can be scrubbed from messages), or libpq's complaint when it does not parse.
    static func parse(_ conninfo: String) -> Result<String?, PGFailure> {
        var errmsg: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errmsg) else {
            let message = errmsg.map { String(cString: $0) } ?? "cannot parse the connection string"
            if let errmsg { PQfreemem(errmsg) }
            return .failure(PGFailure(message: message, sqlState: nil, connectionBroken: true))
        }
        defer { PQconninfoFree(options) }
        var password: String?
        var p = options
        while let keyword = p.pointee.keyword {
            if String(cString: keyword) == "password", let v = p.pointee.val {
                password = String(cString: v)
            }
            p += 1
        }
        return .success(password)
    }

    /// The keywords a conninfo string or URI sets, as libpq reads them (nil when it does not
    /// parse); `dbname` may itself be a whole conninfo string, as `PQconnectdbParams` takes it.
    static func settings(_ conninfo: String) -> [String: String]? {
        guard let options = PQconninfoParse(conninfo, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var out: [String: String] = [:]
        var p = options
        while let keyword = p.pointee.keyword {
            if let v = p.pointee.val { out[String(cString: keyword)] = String(cString: v) }
            p += 1
        }
        return out
    }

    static var libraryVersion: Int { Int(PQlibVersion()) }
}
