import Foundation
import Logging
import MeshCatalog
import MeshCore
import MeshEngine
import MeshSQL
import NIOCore

typealias PGChannel = NIOAsyncChannel<PGFrontendMessage, ByteBuffer>

/// One client of the PostgreSQL protocol: its sign-in (SCRAM-SHA-256 with an API token as the
/// password), then its statements, one at a time, as a session of the token's org and
/// principal under the same limits, audit and cancellation as HTTP's queries. Owned by the
/// connection's task.
final class PGConnection {
    let engine: Engine
    let parts: ServerParts
    let backends: PGBackends
    let out: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let address: String
    var session: Session!
    /// `I` idle, `T` in a transaction block, `E` in a failed one.
    var transaction: Character = "I"
    /// The session's settings (SET / SHOW), which `current_setting()` and `pg_settings` read too.
    private var settings: [String: String] = [:] {
        didSet { session?.clientSettings = settings }
    }
    private var startupSettings: [String: String] = [:]
    var statementTimeout: Duration?
    /// After an error in the extended protocol, messages are skipped until Sync.
    var skippingToSync = false
    /// Prepared statements and portals by name ("" the unnamed ones).
    var statements: [String: PGPrepared] = [:]
    var portals: [String: PGPortal] = [:]
    /// What the extended protocol has answered and not yet sent (sent at Sync and Flush).
    var output = ByteBuffer()
    let target = PGCancelTarget()

    /// Whether the connection went over to TLS (after an SSLRequest).
    let secured: @Sendable () async -> Bool

    init(engine: Engine, parts: ServerParts, backends: PGBackends, out: NIOAsyncChannelOutboundWriter<ByteBuffer>, address: String,
         secured: @escaping @Sendable () async -> Bool = { false }) {
        self.secured = secured
        self.engine = engine
        self.parts = parts
        self.backends = backends
        self.out = out
        self.address = address
    }

    /// The settings a connection starts with (`SHOW`, `RESET`), as PostgreSQL names them.
    static func defaults(user: String) -> [String: String] {
        [
            "application_name": "", "client_encoding": "UTF8", "datestyle": "ISO, MDY", "extra_float_digits": "1",
            "intervalstyle": "postgres", "search_path": "\"$user\", public", "statement_timeout": "0", "timezone": "UTC",
            "client_min_messages": "notice", "standard_conforming_strings": "on", "bytea_output": "hex", "lock_timeout": "0",
            "idle_in_transaction_session_timeout": "0", "default_transaction_isolation": "read committed",
            "transaction_isolation": "read committed", "default_transaction_read_only": "on", "transaction_read_only": "on",
            "server_version": PGServer.serverVersion, "server_encoding": "UTF8", "integer_datetimes": "on", "is_superuser": "off",
            "session_authorization": user, "jit": "off", "max_identifier_length": "63",
        ]
    }

    /// Settings a client is told of when they change (ParameterStatus), by the name it knows.
    static let reported: [String: String] = [
        "application_name": "application_name", "client_encoding": "client_encoding", "datestyle": "DateStyle",
        "intervalstyle": "IntervalStyle", "timezone": "TimeZone", "standard_conforming_strings": "standard_conforming_strings",
        "server_version": "server_version", "server_encoding": "server_encoding", "integer_datetimes": "integer_datetimes",
        "is_superuser": "is_superuser", "session_authorization": "session_authorization",
    ]

    func write(_ buffer: ByteBuffer) async throws {
        try await out.write(buffer)
    }

    func fatal(_ fields: PGErrorFields) async {
        var b = ByteBuffer()
        var f = fields
        f.severity = "FATAL"
        b.pgError(f)
        try? await write(b)
    }

    // MARK: - Sign-in

    /// Reads the startup messages and signs the client in; false when the connection should
    /// close (a cancel request, a refused sign-in).
    func startup(_ messages: inout NIOAsyncChannelInboundStream<PGFrontendMessage>.AsyncIterator) async throws -> Bool {
        while let message = try await messages.next() {
            switch message {
            case .sslRequest, .gssEncRequest:
                // No TLS or GSSAPI here: the client goes on in the clear or gives up.
                try await write(ByteBuffer(bytes: [UInt8(ascii: "N")]))
            case .cancelRequest(let pid, let secret):
                backends.cancel(processID: pid, secret: secret)
                return false
            case .startup(let version, let parameters):
                guard version >> 16 == 3 else {
                    await fatal(PGErrorFields(sqlState: "0A000", message: "unsupported frontend protocol \(version >> 16).\(version & 0xFFFF): server supports 3.0"))
                    return false
                }
                if version & 0xFFFF != 0 {
                    // A newer minor version: say which this server speaks (NegotiateProtocolVersion).
                    var b = ByteBuffer()
                    b.pgMessage("v") { m in
                        m.writeInteger(Int32(3 << 16))
                        m.writeInteger(Int32(0))
                    }
                    try await write(b)
                }
                return try await signIn(parameters, &messages)
            default:
                await fatal(PGErrorFields(sqlState: "08P01", message: "invalid startup packet layout"))
                return false
            }
        }
        return false
    }

    func signIn(_ parameters: [String: String], _ messages: inout NIOAsyncChannelInboundStream<PGFrontendMessage>.AsyncIterator) async throws -> Bool {
        guard let user = parameters["user"], !user.isEmpty else {
            await fatal(PGErrorFields(sqlState: "28000", message: "no PostgreSQL user name specified in startup packet"))
            return false
        }
        // The database is the org.
        let org = parameters["database"].flatMap { $0.isEmpty ? nil : $0 } ?? user
        let refused = PGErrorFields(sqlState: "28P01", message: "password authentication failed for user \"\(user)\"",
                                    hint: "the password is an API token of this user in organisation \"\(org)\" (meshql token create)")
        guard parts.failedAuth.mayTry(address) else {
            parts.metrics.rateLimitHit()
            await fatal(PGErrorFields(sqlState: "53300", message: "too many failed authentications from this address; retry in a few seconds"))
            return false
        }
        var b = ByteBuffer()
        if MeshServer.pgCleartextOverTLS, await secured() {
            return try await cleartextSignIn(user: user, org: org, refused: refused, parameters, &messages)
        }
        b.pgAuthentication(10, Array("SCRAM-SHA-256".utf8) + [0, 0])
        try await write(b)
        var exchange = PGSCRAMExchange(salt: SCRAMVerifier.salt(org: org, user: user))
        guard case .password(let first)? = try await messages.next(), let serverFirst = exchange.receiveFirst(first) else {
            await fatal(PGErrorFields(sqlState: "08P01", message: "malformed SCRAM message"))
            return false
        }
        b = ByteBuffer()
        b.pgAuthentication(11, Array(serverFirst.utf8))
        try await write(b)
        guard case .password(let final)? = try await messages.next(), let proof = exchange.receiveFinal(final) else {
            await fatal(PGErrorFields(sqlState: "08P01", message: "malformed SCRAM message"))
            return false
        }
        // Each of the user's tokens in the org is tried (they share the salt).
        let candidates = (try? engine.catalog.scramTokens(org: org, user: user)) ?? []
        var signed: (APIToken, [UInt8])?
        for (token, verifier) in candidates where token.isValid() {
            if let signature = verifier.verify(proof: proof, authMessage: exchange.authMessage) {
                signed = (token, signature)
                break
            }
        }
        guard let (token, signature) = signed else {
            parts.failedAuth.failed(address, unknownHash: nil)
            await fatal(refused)
            return false
        }
        b = ByteBuffer()
        b.pgAuthentication(12, Array("v=\(Data(signature).base64EncodedString())".utf8))
        return try await signedIn(token, user: user, parameters, b)
    }

    /// Over TLS, with `--pg-cleartext-password`: the token comes as the password itself
    /// (AuthenticationCleartextPassword), checked as HTTP checks a bearer token.
    func cleartextSignIn(user: String, org: String, refused: PGErrorFields, _ parameters: [String: String],
                         _ messages: inout NIOAsyncChannelInboundStream<PGFrontendMessage>.AsyncIterator) async throws -> Bool {
        var b = ByteBuffer()
        b.pgAuthentication(3)
        try await write(b)
        guard case .password(var bytes)? = try await messages.next() else {
            await fatal(PGErrorFields(sqlState: "08P01", message: "expected a password message"))
            return false
        }
        if bytes.last == 0 { bytes.removeLast() }
        let secret = String(decoding: bytes, as: UTF8.self)
        guard let token = try? engine.catalog.token(secret: secret), token.isValid(), token.org == org,
              token.principal.user == user else {
            parts.failedAuth.failed(address, unknownHash: nil)
            await fatal(refused)
            return false
        }
        return try await signedIn(token, user: user, parameters, ByteBuffer())
    }

    /// AuthenticationOk and what follows it, the session made for `token`'s principal.
    func signedIn(_ token: APIToken, user: String, _ parameters: [String: String], _ start: ByteBuffer) async throws -> Bool {
        var b = start
        b.pgAuthentication(0)
        let s = engine.makeSession()
        s.org = token.org
        s.principal = token.principal
        s.memoryLimitCeiling = s.memoryLimit
        session = s
        settings = Self.defaults(user: user)
        if let name = parameters["application_name"] { settings["application_name"] = name }
        startupSettings = settings
        for (name, reported) in Self.reported.sorted(by: { $0.key < $1.key }) {
            b.pgParameterStatus(reported, settings[name] ?? "")
        }
        let key = backends.add(target)
        processID = key.processID
        s.backendPID = key.processID
        b.pgBackendKeyData(processID: key.processID, secret: key.secret)
        b.pgReadyForQuery(transaction)
        try await write(b)
        return true
    }

    private(set) var processID: Int32?
    /// The savepoints of the open transaction block, oldest first.
    private var savepoints: [String] = []

    // MARK: - Statements

    /// Serves the signed-in client until it says Terminate or goes away.
    func serve(_ messages: inout NIOAsyncChannelInboundStream<PGFrontendMessage>.AsyncIterator) async throws {
        while let message = try await messages.next() {
            switch message {
            case .query(let sql):
                skippingToSync = false
                try await simpleQuery(sql)
            case .terminate:
                return
            case .sync:
                try await sync()
            case .flush:
                try await flushOutput()
            case .parse, .bind, .describe, .execute, .close:
                try await extended(message)
            case .password, .startup, .sslRequest, .gssEncRequest, .cancelRequest:
                await fatal(PGErrorFields(sqlState: "08P01", message: "unexpected message during a session"))
                return
            case .unsupported(let type):
                await fatal(PGErrorFields(sqlState: "08P01", message: "invalid frontend message type \(type)"))
                return
            }
        }
    }

    /// A Query message: each statement in turn, until one fails; then ReadyForQuery.
    func simpleQuery(_ sql: String) async throws {
        var b = ByteBuffer()
        do {
            if sql.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
                b.pgEmptyQueryResponse()
            } else if let command = PGSessionCommand.recognize(sql) {
                try await sessionCommand(command, &b)
            } else if transaction == "E" {
                fail(MeshError(.inFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block"), sql, &b)
            } else if let copy = try PGCopyCommand.recognize(sql) {
                _ = try await copyOut(copy, sql, &b)
            } else {
                for s in try session.parse(sql) {
                    guard try await run(s, sql, &b) else { break }
                }
            }
        } catch let e as MeshError {
            fail(e, sql, &b)
        }
        b.pgReadyForQuery(transaction)
        try await write(b)
    }

    func fail(_ e: MeshError, _ sql: String?, _ b: inout ByteBuffer) {
        b.pgError(PGErrorFields(e, query: sql))
        if transaction == "T" { transaction = "E" }
    }

    /// Runs one statement of `sql` and writes its answer after what `b` holds; false when it
    /// failed (the error written).
    func run(_ s: ParsedStatement, _ sql: String, _ b: inout ByteBuffer) async throws -> Bool {
        guard let run = try startRun(&b) else { return false }
        do {
            switch try await run.execute(s, in: session, parameters: []) {
            case .rows(let r):
                b.pgRowDescription(r.fields)
                _ = try await sendRows(run, fields: r.fields, formats: [], limit: 0, &b)
                b.pgCommandComplete(Self.rowsTag(s.statement, run.rows))
            case .message(let m):
                Self.messageAnswer(m, &b)
            }
            run.end("ok")
            return true
        } catch let raw as MeshError {
            let e = run.reported(raw)
            run.end(e.code == .cancelled ? "cancelled" : "error")
            fail(e, sql, &b)
            return false
        }
    }

    /// A statement's run, holding one of the org's query slots; nil when none is free (the
    /// error written after what `b` holds).
    func startRun(_ b: inout ByteBuffer) throws -> PGStatementRun? {
        do {
            return try PGStatementRun.start(parts: parts, org: session.org, user: session.principal?.user ?? "", target: target,
                                            timeout: statementTimeout)
        } catch let e as MeshError {
            fail(e, nil, &b)
            return nil
        }
    }

    /// Sends rows of `run` as DataRows (in `formats`, per column; none: text) until its end or
    /// `limit` rows (0: no limit); true when rows are left (the portal is suspended).
    func sendRows(_ run: PGStatementRun, fields: [Field], formats: [Int16], limit: Int, _ b: inout ByteBuffer) async throws -> Bool {
        let types = fields.map { PGType($0.type) }
        let binary = fields.indices.map { PGFormats.isBinary(formats, column: $0) }
        let maxRows = MeshServer.defaultMaxRows
        var sent = 0
        while let (batch, from) = try await run.nextBatch() {
            for i in from..<batch.rowCount {
                if limit > 0, sent == limit {
                    run.pending = (batch, i)
                    return true
                }
                run.rows += 1
                sent += 1
                if run.rows > maxRows { throw MeshError(.programLimitExceeded, "the result has more than --max-rows (\(maxRows)) rows") }
                b.pgDataRow(batch, row: i, types: types, binary: binary)
                if b.readableBytes > 64 << 10 {
                    try await write(b)
                    b = ByteBuffer()
                }
            }
        }
        return false
    }

    /// The command tag of a statement that answered with `rows` rows.
    static func rowsTag(_ statement: Statement, _ rows: Int) -> String {
        if case .explain = statement { return "EXPLAIN" }
        return "SELECT \(rows)"
    }

    /// A statement's message as CommandComplete, with a NoticeResponse for what follows its tag.
    static func messageAnswer(_ m: String, _ b: inout ByteBuffer) {
        let (tag, notice) = Self.tag(m)
        if let notice { b.pgError(PGErrorFields(severity: "NOTICE", sqlState: "00000", message: notice), type: "N") }
        b.pgCommandComplete(tag)
    }

    /// A statement's message as a command tag (`CREATE MESH`) and the rest, if any, as a
    /// notice (`found SQLite 3.40.1`).
    static func tag(_ message: String) -> (String, String?) {
        if let dash = message.range(of: " — ") {
            return (String(message[..<dash.lowerBound]), String(message[dash.upperBound...]))
        }
        if let paren = message.range(of: " (") {
            return (String(message[..<paren.lowerBound]), String(message[paren.lowerBound...]).trimmingCharacters(in: CharacterSet(charactersIn: " ()")))
        }
        return (message.isEmpty ? "OK" : message, nil)
    }

    // MARK: - Session commands

    /// Answers a session command; `describing`: with the RowDescription of SHOW (the
    /// extended protocol sends that at Describe).
    func sessionCommand(_ command: PGSessionCommand, _ b: inout ByteBuffer, describing: Bool = true) async throws {
        let endsFailure = switch command {
        case .rollback, .commit, .rollbackTo: true
        default: false
        }
        if transaction == "E", !endsFailure {
            throw MeshError(.inFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
        }
        switch command {
        case .begin:
            if transaction != "I" {
                b.pgError(PGErrorFields(severity: "WARNING", sqlState: "25001", message: "there is already a transaction in progress"), type: "N")
            }
            transaction = "T"
            b.pgCommandComplete("BEGIN")
        case .commit:
            if transaction == "I" {
                b.pgError(PGErrorFields(severity: "WARNING", sqlState: "25P01", message: "there is no transaction in progress"), type: "N")
            }
            b.pgCommandComplete(transaction == "E" ? "ROLLBACK" : "COMMIT")
            transaction = "I"
            savepoints = []
        case .rollback:
            if transaction == "I" {
                b.pgError(PGErrorFields(severity: "WARNING", sqlState: "25P01", message: "there is no transaction in progress"), type: "N")
            }
            transaction = "I"
            savepoints = []
            b.pgCommandComplete("ROLLBACK")
        case .set(let name, let value):
            try await set(name, value, &b)
            b.pgCommandComplete("SET")
        case .reset(let name):
            for n in name == "all" ? Array(startupSettings.keys) : [name] {
                try await set(n, startupSettings[n] ?? "", &b)
            }
            b.pgCommandComplete("RESET")
        case .show(let name):
            if name == "all" {
                if describing {
                    b.pgRowDescription([Field(name: "name", type: .text), Field(name: "setting", type: .text), Field(name: "description", type: .text)])
                }
                for (n, v) in settings.sorted(by: { $0.key < $1.key }) {
                    b.pgDataRow(Batch.fromRows( [[.string(n), .string(v), .string("")]], types: [.text, .text, .text]), row: 0,
                                types: [PGType(.text), PGType(.text), PGType(.text)])
                }
                b.pgCommandComplete("SHOW")
            } else {
                if describing { b.pgRowDescription([Field(name: name, type: .text)]) }
                b.pgDataRow(Batch.fromRows( [[.string(settings[name] ?? "")]], types: [.text]), row: 0, types: [PGType(.text)])
                b.pgCommandComplete("SHOW")
            }
        case .discardAll:
            for (n, v) in startupSettings { try await set(n, v, &b) }
            b.pgCommandComplete("DISCARD ALL")
        case .deallocate:
            b.pgCommandComplete("DEALLOCATE")
        case .savepoint(let name):
            guard transaction != "I" else { throw MeshError(.notSupported, "SAVEPOINT can only be used in transaction blocks") }
            savepoints.append(name)
            b.pgCommandComplete("SAVEPOINT")
        case .release(let name), .rollbackTo(let name):
            guard let i = savepoints.lastIndex(of: name) else {
                throw MeshError(.invalidParameter, "savepoint \"\(name)\" does not exist")
            }
            if case .release = command {
                savepoints.removeSubrange(i...)
                b.pgCommandComplete("RELEASE")
            } else {
                // Back to the savepoint: a failure after it is undone, the block goes on.
                savepoints.removeSubrange((i + 1)...)
                transaction = "T"
                b.pgCommandComplete("ROLLBACK")
            }
        }
    }

    /// Sets `name`: the search path's first schema is the session's mesh (`USE`), the
    /// statement timeout bounds each statement, the rest is remembered and reported back.
    func set(_ name: String, _ value: String, _ b: inout ByteBuffer) async throws {
        switch name {
        case "transaction":
            return
        case "search_path":
            let first = value.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let mesh = first.hasPrefix("\"") && first.hasSuffix("\"") && first.count >= 2 ? String(first.dropFirst().dropLast()) : first.lowercased()
            if !mesh.isEmpty, mesh != "$user", mesh != "public", mesh != "pg_catalog" {
                _ = try await session.execute(.use(mesh: mesh))
            }
        case "statement_timeout":
            guard let t = Self.duration(value) else {
                throw MeshError(.invalidParameter, "invalid value for parameter \"statement_timeout\": \"\(value)\"")
            }
            statementTimeout = t
        case "server_version", "server_encoding", "integer_datetimes", "is_superuser", "session_authorization", "max_identifier_length":
            throw MeshError(.invalidParameter, "parameter \"\(name)\" cannot be changed")
        default:
            break
        }
        settings[name] = value
        if let reported = Self.reported[name] { b.pgParameterStatus(reported, value) }
    }

    /// A timeout as PostgreSQL takes one: milliseconds, or a number with `ms`, `s`, `min`, `h`;
    /// 0 for none.
    static func duration(_ text: String) -> Duration?? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("min", 60_000), ("s", 1000), ("h", 3_600_000)]
        var number = t, scale = 1.0
        for (unit, ms) in units where t.hasSuffix(unit) {
            number = String(t.dropLast(unit.count)).trimmingCharacters(in: .whitespaces)
            scale = ms
            break
        }
        guard let n = Double(number), n >= 0, n.isFinite else { return nil }
        let ms = n * scale
        return .some(ms == 0 ? nil : .milliseconds(Int64(ms.rounded())))
    }
}
