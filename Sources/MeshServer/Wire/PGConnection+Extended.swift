import MeshCore
import MeshEngine
import MeshSQL
import NIOCore

/// A statement a client prepared (Parse): parsed once, run with other values each Bind.
struct PGPrepared {
    var sql: String
    /// Nil for an empty query, or a session command.
    var parsed: ParsedStatement?
    var command: PGSessionCommand?
    /// The types the client declared (0: let the server decide), one per `$n`; those it
    /// left to the server are what the query makes of them (`id = $1`: id's type), where it
    /// makes one.
    var parameterTypes: [Int32]
    /// The columns it answers with, when known without running it.
    var fields: [Field]?
}

/// A prepared statement with its values (Bind), run by Execute, perhaps a few rows at a time.
final class PGPortal {
    let prepared: PGPrepared
    let parameters: [Literal]
    let resultFormats: [Int16]
    /// Started (by Describe or the first Execute): its rows flow from here.
    var run: PGStatementRun?
    var fields: [Field]?
    /// The message a statement without rows answered, sent by Execute.
    var message: String?
    var done = false

    init(prepared: PGPrepared, parameters: [Literal], resultFormats: [Int16]) {
        self.prepared = prepared
        self.parameters = parameters
        self.resultFormats = resultFormats
    }

    deinit { run?.end("abandoned") }
}

/// The extended query protocol: Parse, Bind, Describe, Execute (with a row limit: portals
/// suspended and resumed), Close, Sync, Flush. After an error, messages are skipped until Sync.
extension PGConnection {
    func extended(_ message: PGFrontendMessage) async throws {
        guard !skippingToSync else { return }
        do {
            switch message {
            case .parse(let name, let query, let types): try parse(name, query, types)
            case .bind(let portal, let statement, let formats, let values, let results):
                try bind(portal, statement, formats, values, results)
            case .describe(let kind, let name): try await describe(kind, name)
            case .execute(let portal, let maxRows): try await execute(portal, Int(max(0, maxRows)))
            case .close(let kind, let name):
                if kind == UInt8(ascii: "S") { statements[name] = nil } else { portals[name] = nil }
                output.pgMessage("3") { _ in }
            default: break
            }
        } catch let e as MeshError {
            fail(e, Self.query(of: message, statements), &output)
            skippingToSync = true
        }
        if output.readableBytes > 64 << 10 { try await flushOutput() }
    }

    /// The text an error's position counts in.
    static func query(of message: PGFrontendMessage, _ statements: [String: PGPrepared]) -> String? {
        if case .parse(_, let query, _) = message { return query }
        return nil
    }

    func flushOutput() async throws {
        guard output.readableBytes > 0 else { return }
        try await write(output)
        output = ByteBuffer()
    }

    /// Sync: the end of an implicit transaction (its portals closed), ReadyForQuery.
    func sync() async throws {
        skippingToSync = false
        portals[""] = nil
        if transaction == "I" { portals.removeAll() }
        output.pgReadyForQuery(transaction)
        try await flushOutput()
    }

    func parse(_ name: String, _ query: String, _ types: [Int32]) throws {
        if !name.isEmpty, statements[name] != nil {
            throw MeshError(.duplicateObject, "prepared statement \"\(name)\" already exists")
        }
        var prepared = PGPrepared(sql: query, parameterTypes: types)
        if let command = PGSessionCommand.recognize(query) {
            prepared.command = command
        } else if try PGCopyCommand.recognize(query) != nil {
            throw MeshError(.notSupported, "COPY is taken as a simple Query message only (as psql's \\copy sends it)")
        } else if !query.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            let parsed = try session.parse(query)
            guard parsed.count == 1 else {
                throw MeshError(.syntax, "cannot insert multiple commands into a prepared statement")
            }
            prepared.parsed = parsed[0]
        }
        let count = Parser.highestParameter(in: query)
        if prepared.parameterTypes.count < count {
            prepared.parameterTypes += Array(repeating: 0, count: count - prepared.parameterTypes.count)
        }
        // As PostgreSQL does at Parse: the query is bound (its `$n` as NULLs) for the types of
        // the parameters the client left open and for its columns. Drivers that encode values
        // by the described type (asyncpg) need the first.
        if let parsed = prepared.parsed {
            let described = try session.describe(parsed.statement, parameterCount: prepared.parameterTypes.count)
            prepared.fields = described.fields
            for (i, t) in described.parameterTypes.enumerated() where prepared.parameterTypes[i] == 0 {
                if let t { prepared.parameterTypes[i] = PGType(t).oid }
            }
        }
        statements[name] = prepared
        output.pgMessage("1") { _ in }
    }

    func bind(_ portal: String, _ statement: String, _ formats: [Int16], _ values: [[UInt8]?], _ results: [Int16]) throws {
        guard let prepared = statements[statement] else {
            throw MeshError(.undefinedObject, "prepared statement \"\(statement)\" does not exist")
        }
        guard values.count == prepared.parameterTypes.count else {
            throw MeshError(.invalidParameter,
                            "bind message supplies \(values.count) parameters, but prepared statement \"\(statement)\" requires \(prepared.parameterTypes.count)")
        }
        guard formats.count <= 1 || formats.count == values.count else {
            throw MeshError(.invalidParameter, "bind message has \(formats.count) parameter formats but \(values.count) parameters")
        }
        if !portal.isEmpty, portals[portal] != nil { throw MeshError(.duplicateObject, "portal \"\(portal)\" already exists") }
        let literals = try values.enumerated().map { i, v in
            try PGParameters.literal(v, format: formats.isEmpty ? 0 : formats[formats.count == 1 ? 0 : i],
                                     oid: prepared.parameterTypes[i], index: i)
        }
        portals[portal] = PGPortal(prepared: prepared, parameters: literals, resultFormats: results)
        output.pgMessage("2") { _ in }
    }

    func describe(_ kind: UInt8, _ name: String) async throws {
        if kind == UInt8(ascii: "S") {
            guard let prepared = statements[name] else {
                throw MeshError(.undefinedObject, "prepared statement \"\(name)\" does not exist")
            }
            output.pgMessage("t") { b in
                b.writeInteger(Int16(prepared.parameterTypes.count))
                for t in prepared.parameterTypes { b.writeInteger(t == 0 ? Int32(25) : t) }
            }
            if case .show(let setting)? = prepared.command {
                output.pgRowDescription([Field(name: setting, type: .text)])
            } else if let fields = prepared.fields {
                output.pgRowDescription(fields)
            } else {
                output.pgMessage("n") { _ in }
            }
            return
        }
        guard let portal = portals[name] else { throw MeshError(.undefinedObject, "portal \"\(name)\" does not exist") }
        if case .show(let setting)? = portal.prepared.command {
            output.pgRowDescription([Field(name: setting, type: .text)], formats: portal.resultFormats)
            return
        }
        try await start(portal)
        if let fields = portal.fields {
            output.pgRowDescription(fields, formats: portal.resultFormats)
        } else {
            output.pgMessage("n") { _ in }
        }
    }

    /// Runs the portal's statement until its rows begin (or its message is known).
    func start(_ portal: PGPortal) async throws {
        guard portal.run == nil, portal.message == nil, let parsed = portal.prepared.parsed else { return }
        if transaction == "E" {
            throw MeshError(.inFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
        }
        let run = try PGStatementRun.start(parts: parts, org: session.org, user: session.principal?.user ?? "", target: target,
                                           timeout: statementTimeout)
        do {
            switch try await run.execute(parsed, in: session, parameters: portal.parameters) {
            case .rows(let r):
                portal.run = run
                portal.fields = r.fields
            case .message(let m):
                portal.message = m
                run.end("ok")
            }
        } catch let raw as MeshError {
            let e = run.reported(raw)
            run.end(e.code == .cancelled ? "cancelled" : "error")
            throw e
        }
    }

    func execute(_ name: String, _ limit: Int) async throws {
        guard let portal = portals[name] else { throw MeshError(.undefinedObject, "portal \"\(name)\" does not exist") }
        if let command = portal.prepared.command {
            try await sessionCommand(command, &output, describing: false)
            return
        }
        guard portal.prepared.parsed != nil else {
            output.pgEmptyQueryResponse()
            return
        }
        try await start(portal)
        if let message = portal.message {
            Self.messageAnswer(message, &output)
            return
        }
        guard let run = portal.run, let fields = portal.fields else { return }
        if portal.done {
            output.pgCommandComplete(Self.rowsTag(portal.prepared.parsed!.statement, 0))
            return
        }
        do {
            if try await sendRows(run, fields: fields, formats: portal.resultFormats, limit: limit, &output) {
                output.pgMessage("s") { _ in }
                return
            }
            output.pgCommandComplete(Self.rowsTag(portal.prepared.parsed!.statement, run.rows))
            portal.done = true
            run.end("ok")
        } catch let raw as MeshError {
            let e = run.reported(raw)
            run.end(e.code == .cancelled ? "cancelled" : "error")
            portal.done = true
            throw e
        }
    }
}
