import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MeshCore
import MeshEngine
import MeshFormat
import MeshSQL
import NIOCore
import Synchronization

/// Runs `end` once: when the response's body calls it, or when the response is dropped
/// without its body ever running (the client went away before the head was written), so
/// the org's slot and the query's entry always go back.
final class QueryTicket: Sendable {
    private let end: Mutex<(@Sendable (String) -> Void)?>
    init(_ end: @escaping @Sendable (String) -> Void) { self.end = Mutex(end) }
    func finish(_ status: String) {
        let f = end.withLock { e -> (@Sendable (String) -> Void)? in defer { e = nil }; return e }
        f?(status)
    }
    deinit { finish("abandoned") }
}

/// `POST /api/query` (JSON, NDJSON or CSV, streamed as rows arrive) and `DELETE /api/query/{id}`.
struct QueryRoutes {
    let engine: Engine
    let running: RunningQueries
    let disconnects = DisconnectWatch()
    let slots: OrgQuerySlots
    let metrics: ServerMetrics
    /// One structured line per query: its id, org, outcome, rows and time — never its SQL,
    /// values or the caller's token. Queries that end well at debug level (a busy server
    /// runs thousands a second), the others at info.
    let logger: Logger

    enum Format: String { case json, ndjson, csv }

    struct QueryRequest {
        var sql: String
        var parameters: [Literal] = []
        var mesh: String?
        var maxRows: Int?
        var maxBytes: Int?
        var timeout: Duration?
    }

    func add(to router: Router<MeshRequestContext>) {
        router.post("api/query") { request, context in
            await identified(request) { queryID in try await run(request, context, queryID: queryID) }
        }
        router.post("api/explain") { request, context in
            await identified(request) { queryID in try await explain(request, context, queryID: queryID) }
        }
        router.delete("api/query/:id") { _, context in
            await answering {
                guard let caller = context.caller else { throw Problem(.unauthorized, "a valid bearer token is required") }
                guard let id = context.parameters.get("id") else { throw Problem(.badRequest, "id: a query id is required") }
                guard running.cancel(id, org: caller.org, user: caller.principal.user, admin: caller.principal.isAdmin) else {
                    throw Problem(.notFound, "no running query \(id) of yours")
                }
                return Response(status: .noContent)
            }
        }
    }

    /// Runs a route that answers for one query: under the client's `X-Query-Id` or a new one,
    /// which an error's problem names too.
    func identified(_ request: Request, _ body: (String) async throws -> Response) async -> Response {
        let queryID = request.headers[HTTPField.Name("X-Query-Id")!] ?? UUID.newQueryID()
        return await answering {
            do {
                return try await body(queryID)
            } catch let e as MeshError {
                logger.info("query refused", metadata: ["query_id": .string(queryID), "sqlstate": .string(e.sqlState)])
                throw Problem(e, queryID: queryID)
            }
        }
    }

    func parse(_ request: Request, _ context: MeshRequestContext) async throws -> QueryRequest {
        if request.headers[.contentType]?.hasPrefix("text/plain") == true {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            return QueryRequest(sql: String(decoding: buffer.readableBytesView, as: UTF8.self))
        }
        let body = try await jsonObject(request, context)
        try MeshEnvelope.unknown(body, ["sql", "params", "mesh", "timeout_ms", "max_rows", "max_bytes"], at: "")
        guard let sql = body["sql"] as? String else { throw MeshEnvelope.field("sql", "a string is required") }
        var q = QueryRequest(sql: sql, mesh: try MeshEnvelope.string(body, "mesh", at: ""))
        if let raw = body["params"] {
            guard let list = raw as? [Any] else { throw MeshEnvelope.field("params", "a list of values is required") }
            q.parameters = try list.enumerated().map { i, v in try Self.literal(v, at: "params[\(i)]") }
        }
        if let n = body["max_rows"] {
            guard let v = n as? Int, v > 0 else { throw MeshEnvelope.field("max_rows", "a positive integer is required") }
            q.maxRows = v
        }
        if let n = body["max_bytes"] {
            guard let v = n as? Int, v > 0 else { throw MeshEnvelope.field("max_bytes", "a positive integer is required") }
            q.maxBytes = v
        }
        if let ms = body["timeout_ms"] {
            guard let v = ms as? Int, v > 0 else { throw MeshEnvelope.field("timeout_ms", "a positive integer is required") }
            q.timeout = .milliseconds(v)
        }
        return q
    }

    /// A JSON value of `params` as the literal `$n` stands for: numbers as written in JSON
    /// (integers, decimals), strings as untyped string literals (so `'1995-03-15'` compares
    /// with a date), booleans, null.
    static func literal(_ v: Any, at field: String) throws -> Literal {
        switch v {
        case is NSNull: return .null
        // JSON's true and false arrive as a boolean NSNumber, which `is Bool` cannot tell from 1.
        case let n as NSNumber where String(describing: type(of: n)).contains("Boolean"): return .boolean(n.boolValue)
        case let n as NSNumber:
            let text = n.stringValue
            if !text.contains("."), !text.contains("e"), !text.contains("E"), Int64(text) != nil { return .integer(text) }
            guard n.doubleValue.isFinite else { throw MeshEnvelope.field(field, "a finite number is required") }
            return .decimal(text)
        case let s as String: return .string(s)
        default: throw MeshEnvelope.field(field, "a string, number, boolean or null is required")
        }
    }

    func format(_ request: Request) throws -> Format {
        if let f = request.uri.queryParameters["format"] {
            guard let format = Format(rawValue: String(f)) else { throw Problem(.badRequest, "format: json, ndjson or csv") }
            return format
        }
        let accept = request.headers[.accept] ?? ""
        if accept.contains("application/x-ndjson") { return .ndjson }
        if accept.contains("text/csv") { return .csv }
        return .json
    }

    func run(_ request: Request, _ context: MeshRequestContext, queryID: String) async throws -> Response {
        let format = try format(request)
        let q = try await parse(request, context)
        let session = try engine.session(for: context)
        session.queryID = queryID
        session.parameters = q.parameters
        let org = session.org
        if running.isRunning(queryID) { throw Problem(.conflict, "a query with id \(queryID) is running already") }
        // One query per request; SET and USE may come before it. Earlier statements of a
        // script would run outside the limits (read whole, not cancellable).
        let statements = try session.parse(q.sql)
        if statements.dropLast().contains(where: { if case .set = $0.statement { return false }; if case .use = $0.statement { return false }; return true }) {
            throw Problem(.badRequest, "one query per request (SET and USE may come before it)", sqlstate: "0A000", queryID: queryID)
        }
        guard slots.take(org) else {
            metrics.orgLimitHit()
            var p = Problem(.tooManyRequests, "the organisation runs \(slots.maximum) queries at once already", queryID: queryID)
            p.headers[.retryAfter] = "1"
            throw p
        }
        var slotHeld = true
        defer { if slotHeld { slots.give(org) } }
        // Registered before it is planned: DELETE, the statement timeout, the client hanging
        // up and SIGTERM stop a runaway bind or optimization too, not only the rows.
        let query = try register(queryID, context)
        let channel = context.channel
        let timedOut = TimeoutFlag()
        let timer = q.timeout.map { t in
            Task { [query] in
                try await Task.sleep(for: t)
                timedOut.fired.withLock { $0 = true }
                query.cancel()
            }
        }
        /// A cancel by the statement timeout reads as one (504), not as the client's.
        let timeoutAware: @Sendable (MeshError) -> MeshError = { e in
            guard e.code == .cancelled, timedOut.fired.withLock({ $0 }) else { return e }
            return MeshError(.cancelled, "canceling statement due to statement timeout")
        }
        var registered = true
        defer {
            if registered {
                unregister(queryID, query, on: channel)
                timer?.cancel()
            }
        }
        if let mesh = q.mesh { _ = try await session.execute(.use(mesh: mesh)) }
        let started = ContinuousClock.now
        let outcome: StatementResult
        do {
            outcome = try await query.run { try await session.execute(statements) }
        } catch let e as MeshError {
            let error = timeoutAware(e)
            if error.message.hasSuffix("statement timeout") {
                throw Problem(.gatewayTimeout, error.message, sqlstate: error.sqlState, queryID: queryID)
            }
            throw error
        }
        var headers: HTTPFields = [HTTPField.Name("X-Query-Id")!: queryID]
        guard case .rows(let result) = outcome else {
            metrics.queryEnded(status: "ok", duration: ContinuousClock.now - started, rows: 0)
            guard case .message(let m) = outcome else { return Response(status: .ok) }
            return try json(["query_id": queryID, "message": m])
        }
        query.attach(result)
        // `"columns":[{"name":…,"type":…}]`, written by hand (JSONSerialization cost more than
        // a point query's whole answer).
        let policies = session.policiesApplied
        let lineage = session.lastLineageJSON
        let columnsJSON = "[" + result.fields.map { "{\"name\":\(JSONText.string($0.name)),\"type\":\(JSONText.string($0.type.description))}" }
            .joined(separator: ",") + "]"
        // A client may ask for fewer rows or bytes than the server allows, not more.
        let limits = AnswerLimits(maxRows: min(q.maxRows ?? MeshServer.defaultMaxRows, MeshServer.defaultMaxRows),
                                  maxBytes: min(q.maxBytes ?? MeshServer.maxResultBytes, MeshServer.maxResultBytes))
        // From here the slot and the registration go back when the rows are sent (or the
        // stream ends).
        slotHeld = false
        registered = false
        let counted = Mutex(0)
        let ticket = QueryTicket { [self] status in
            if status == "abandoned" { query.cancel() }
            unregister(queryID, query, on: channel)
            timer?.cancel()
            slots.give(org)
            let elapsed = ContinuousClock.now - started
            let rows = counted.withLock { $0 }
            metrics.queryEnded(status: status, duration: elapsed, rows: rows)
            logger.log(level: status == "ok" ? .debug : .info, "query ended", metadata: [
                "query_id": .string(queryID), "org": .string(org), "status": .string(status),
                "rows": .stringConvertible(rows), "elapsed_ms": .string(JSONText.milliseconds(Double(elapsed / .microseconds(1)) / 1000)),
            ])
        }
        let finish: @Sendable (_ status: String) -> Void = { ticket.finish($0) }
        switch format {
        case .json:
            let head = "{\"columns\":\(columnsJSON),\"query_id\":\(JSONText.string(queryID))"
                + ",\"policies\":[" + policies.map(JSONText.string).joined(separator: ",") + "]"
                + ",\"lineage\":" + (lineage ?? "null")
            let answer = JSONAnswer(head: head, columns: result.fields.count, limits: limits)
            var status = "error"
            var streams = false
            defer {
                if !streams {
                    counted.withLock { $0 = answer.rows }
                    finish(status)
                }
            }
            headers[.contentType] = "application/json"
            var checkpoint = Checkpoint()
            let whole: Bool
            do {
                whole = try await answer.fill(upTo: JSONAnswer.heldBytes, checkpoint: &checkpoint) {
                    try await nextBatch(result, timeoutAware, queryID)
                }
            } catch {
                result.close()
                throw error
            }
            if whole {
                answer.pending.writeString(answer.tail(elapsedMilliseconds: (ContinuousClock.now - started) / .milliseconds(1)))
                status = "ok"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: answer.pending))
            }
            // Past what is held: the rest streams, and an error ends it in-band.
            streams = true
            let body = ResponseBody { writer in
                var status = "ok"
                defer {
                    counted.withLock { $0 = answer.rows }
                    finish(status)
                }
                var checkpoint = Checkpoint()
                do {
                    var done = false
                    while !done {
                        try await writer.write(answer.pending)
                        answer.pending = ByteBuffer()
                        done = try await answer.fill(upTo: JSONAnswer.chunkBytes, checkpoint: &checkpoint) { try await result.next() }
                    }
                    answer.pending.writeString(answer.tail(elapsedMilliseconds: (ContinuousClock.now - started) / .milliseconds(1)))
                    try await writer.write(answer.pending)
                    try await writer.finish(nil)
                } catch let raw as MeshError {
                    let e = timeoutAware(raw)
                    status = e.code == .cancelled ? "cancelled" : "error"
                    result.close()
                    answer.pending.writeString(JSONAnswer.errorTail(e))
                    try? await writer.write(answer.pending)
                    try await writer.finish(nil)
                } catch {
                    status = "error"
                    result.close()
                    throw error
                }
            }
            return Response(status: .ok, headers: headers, body: body)
        case .ndjson, .csv:
            headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
            let body = ResponseBody { writer in
                var count = 0
                var written = 0
                var status = "ok"
                defer {
                    counted.withLock { $0 = count }
                    finish(status)
                }
                do {
                    let head = format == .ndjson
                        ? "{\"columns\":\(columnsJSON),\"query_id\":\(JSONText.string(queryID))}\n"
                        : result.fields.map { CSVText.field($0.name) }.joined(separator: ",") + "\n"
                    written = head.utf8.count
                    try await writer.write(ByteBuffer(string: head))
                    // Rows as bytes straight from the column buffers.
                    let columns = result.fields.count
                    var encoder = format == .ndjson
                        ? RowBytes(style: .json, columnPrefixes: JSONText.arrayPrefixes(columns: columns), rowSuffix: Array("]\n".utf8))
                        : RowBytes(style: .csv(delimiter: UInt8(ascii: ",")),
                                   columnPrefixes: (0..<columns).map { $0 == 0 ? [] : [UInt8(ascii: ",")] }, rowSuffix: [UInt8(ascii: "\n")])
                    while let b = try await result.next() {
                        guard b.rowCount > 0 else { continue }
                        try limits.admit(rows: count + b.rowCount)
                        count += b.rowCount
                        // A slice at a time: a batch of huge values is never rendered whole.
                        for slice in RowBytes.slices(of: b) {
                            var chunk = ByteBuffer()
                            encoder.encode(slice) { chunk.writeBytes($0) }
                            try limits.admit(bytes: written + chunk.readableBytes)
                            written += chunk.readableBytes
                            try await writer.write(chunk)
                        }
                    }
                    if format == .ndjson {
                        let ms = (ContinuousClock.now - started) / .milliseconds(1)
                        try await writer.write(ByteBuffer(string: "{\"stats\":{\"rows\":\(count),\"elapsed_ms\":\(JSONText.milliseconds(ms))}}\n"))
                    }
                    try await writer.finish(nil)
                } catch let raw as MeshError where format == .ndjson {
                    result.close()
                    let e = timeoutAware(raw)
                    status = e.code == .cancelled ? "cancelled" : "error"
                    // After the header an error ends the stream with an error line, so no
                    // client takes a partial result for a whole one.
                    let line = "{\"error\":" + JSONAnswer.errorObject(e) + "}\n"
                    try? await writer.write(ByteBuffer(string: line))
                    try await writer.finish(nil)
                } catch {
                    // CSV cannot say so in-band: the stream is cut (no final chunk).
                    status = "error"
                    result.close()
                    throw error
                }
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}

extension QueryRoutes {
    /// `POST /api/explain`: the plan of one query (the body of `POST /api/query`), as EXPLAIN
    /// shows it to the caller — lines of text, and those lines joined.
    /// Registers query `queryID` of the caller from the moment its request is read, so that
    /// DELETE, a hang-up and SIGTERM can stop it; `unregister` takes it off.
    private func register(_ queryID: String, _ context: MeshRequestContext) throws -> RunningQuery {
        let query = RunningQuery()
        guard let caller = context.caller, running.add(queryID, org: caller.org, user: caller.principal.user, query) else {
            throw Problem(.conflict, "a query with id \(queryID) is running already", queryID: queryID)
        }
        disconnects.add(query, id: queryID, on: context.channel)
        return query
    }

    private func unregister(_ queryID: String, _ query: RunningQuery, on channel: any Channel) {
        disconnects.done(queryID, on: channel)
        running.remove(queryID, query)
    }

    func explain(_ request: Request, _ context: MeshRequestContext, queryID: String) async throws -> Response {
        let q = try await parse(request, context)
        let session = try engine.session(for: context)
        session.queryID = queryID
        session.parameters = q.parameters
        let statements = try session.parse(q.sql)
        guard statements.count == 1, case .query(let query) = statements[0].statement else {
            throw Problem(.badRequest, "sql: one query (SELECT, WITH, VALUES) is required", sqlstate: "0A000", queryID: queryID)
        }
        if let mesh = q.mesh { _ = try await session.execute(.use(mesh: mesh)) }
        // Planning a large statement can take a while: DELETE, a hang-up and SIGTERM stop it.
        let registered = try register(queryID, context)
        defer { unregister(queryID, registered, on: context.channel) }
        let text = "EXPLAIN " + statements[0].text
        let lines = try await registered.run {
            guard case .rows(let result) = try await session.execute(.explain(query, analyze: false), text: text) else {
                throw MeshError(.internalError, "EXPLAIN gave no plan")
            }
            return try await result.collectRows().map { $0.first?.description ?? "" }
        }
        var headers: HTTPFields = [HTTPField.Name("X-Query-Id")!: queryID]
        headers[.contentType] = "application/json"
        let body: [String: Any] = ["query_id": queryID, "plan": lines, "text": lines.joined(separator: "\n"),
                                   "policies": session.policiesApplied]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Whether a query's statement timeout has fired.
final class TimeoutFlag: Sendable {
    let fired = Mutex(false)
}

/// The next batch of a JSON answer; a statement timeout becomes a 504 problem.
func nextBatch(_ result: QueryResult, _ timeoutAware: (MeshError) -> MeshError, _ queryID: String) async throws -> Batch? {
    do {
        return try await result.next()
    } catch let e as MeshError {
        let error = timeoutAware(e)
        if error.message.hasSuffix("statement timeout") {
            throw Problem(.gatewayTimeout, error.message, sqlstate: error.sqlState, queryID: queryID)
        }
        throw error
    }
}

/// RFC 4180 fields for streamed CSV: quoted as the CLI's CSV output quotes them.
enum CSVText {
    static let writer = CSVWriter(fields: [])
    static func field(_ s: String) -> String { writer.quoted(s) }
}

extension JSONText {
    /// Milliseconds with three decimals (`String(format:)` costs a point query a few µs).
    static func milliseconds(_ ms: Double) -> String {
        let micros = Int((max(0, ms) * 1000).rounded())
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
