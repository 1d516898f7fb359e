import NIOCore
import NIOSSL

/// A message from a PostgreSQL client (protocol 3.0). The first messages of a connection have
/// no type byte (a startup, SSL, GSSAPI or cancel request); every later one has.
enum PGFrontendMessage: Sendable, Equatable {
    case sslRequest
    case gssEncRequest
    case cancelRequest(processID: Int32, secret: Int32)
    /// The protocol version asked and the parameters sent (user, database, options, …).
    case startup(version: Int32, parameters: [String: String])
    /// `p`: a password, a SASL initial response or a SASL response; what it holds depends on
    /// where the sign-in is.
    case password([UInt8])
    case query(String)
    case parse(name: String, query: String, parameterTypes: [Int32])
    case bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?], resultFormats: [Int16])
    case describe(kind: UInt8, name: String)
    case execute(portal: String, maxRows: Int32)
    case close(kind: UInt8, name: String)
    case sync
    case flush
    case terminate
    /// A typed message this server does not take (COPY data, function calls).
    case unsupported(type: UInt8)
}

/// What makes a client's bytes no valid message: the connection answers with an error and
/// closes (it cannot tell where the next message would begin).
struct PGProtocolViolation: Error, Sendable {
    let message: String
}

/// Cuts the byte stream into messages. A length past `maxLength` (or below the minimum) is a
/// violation, found before the message is buffered: a client cannot make the server hold a
/// gigabyte by announcing one.
struct PGFrontendDecoder: ByteToMessageDecoder {
    typealias InboundOut = PGFrontendMessage

    /// The largest typed message (a query's text, a Bind's values).
    let maxLength: Int
    /// The largest untyped startup message.
    static let maxStartupLength = 10_000
    /// With it, an SSLRequest is answered `S` and the connection goes on under TLS.
    let tls: NIOSSLContext?
    private var started = false
    private var secured = false

    init(maxLength: Int, tls: NIOSSLContext? = nil) {
        self.maxLength = maxLength
        self.tls = tls
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if !started {
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
            guard length >= 8, length <= Self.maxStartupLength else { throw PGProtocolViolation(message: "invalid startup packet length") }
            guard buffer.readableBytes >= Int(length) else { return .needMoreData }
            var body = buffer.readSlice(length: Int(length))!
            body.moveReaderIndex(forwardBy: 4)
            let message = try Self.startup(&body)
            if case .startup = message { started = true }
            if message == .sslRequest, let tls, !secured {
                // `S` goes out in the clear and TLS sits in front of this decoder before the
                // client's handshake can arrive (both in this turn of the event loop).
                guard buffer.readableBytes == 0 else { throw PGProtocolViolation(message: "data after the SSL request") }
                secured = true
                context.writeAndFlush(NIOAny(ByteBuffer(bytes: [UInt8(ascii: "S")])), promise: nil)
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                return .continue
            }
            context.fireChannelRead(wrapInboundOut(message))
            return .continue
        }
        guard buffer.readableBytes >= 5, let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self) else { return .needMoreData }
        guard length >= 4, Int(length) <= maxLength else { throw PGProtocolViolation(message: "invalid message length") }
        guard buffer.readableBytes >= 1 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 5)
        var body = buffer.readSlice(length: Int(length) - 4)!
        context.fireChannelRead(wrapInboundOut(try Self.typed(type, &body)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // What is left at the end is a message cut short: nothing to act on.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    static func startup(_ body: inout ByteBuffer) throws -> PGFrontendMessage {
        guard let code = body.readInteger(as: Int32.self) else { throw PGProtocolViolation(message: "invalid startup packet") }
        switch code {
        case 80_877_103: return .sslRequest
        case 80_877_104: return .gssEncRequest
        case 80_877_102:
            guard let pid = body.readInteger(as: Int32.self), let secret = body.readInteger(as: Int32.self) else {
                throw PGProtocolViolation(message: "invalid cancel request")
            }
            return .cancelRequest(processID: pid, secret: secret)
        default:
            var parameters: [String: String] = [:]
            while true {
                let name = try cString(&body)
                if name.isEmpty { break }
                parameters[name] = try cString(&body)
            }
            return .startup(version: code, parameters: parameters)
        }
    }

    static func typed(_ type: UInt8, _ body: inout ByteBuffer) throws -> PGFrontendMessage {
        switch type {
        case UInt8(ascii: "p"): return .password(body.readBytes(length: body.readableBytes) ?? [])
        case UInt8(ascii: "Q"): return .query(try cString(&body))
        case UInt8(ascii: "X"): return .terminate
        case UInt8(ascii: "S"): return .sync
        case UInt8(ascii: "H"): return .flush
        case UInt8(ascii: "P"):
            let name = try cString(&body), query = try cString(&body)
            let count = try int16(&body)
            let types = try (0..<count).map { _ in try int32(&body) }
            return .parse(name: name, query: query, parameterTypes: types)
        case UInt8(ascii: "B"):
            let portal = try cString(&body), statement = try cString(&body)
            let formats = try (0..<int16(&body)).map { _ in Int16(truncatingIfNeeded: try int16(&body)) }
            let values = try (0..<int16(&body)).map { _ -> [UInt8]? in
                let n = try int32(&body)
                if n == -1 { return nil }
                guard n >= 0, let bytes = body.readBytes(length: Int(n)) else { throw PGProtocolViolation(message: "invalid Bind message") }
                return bytes
            }
            let results = try (0..<int16(&body)).map { _ in Int16(truncatingIfNeeded: try int16(&body)) }
            return .bind(portal: portal, statement: statement, parameterFormats: formats, parameters: values, resultFormats: results)
        case UInt8(ascii: "D"):
            guard let kind = body.readInteger(as: UInt8.self) else { throw PGProtocolViolation(message: "invalid Describe message") }
            return .describe(kind: kind, name: try cString(&body))
        case UInt8(ascii: "E"):
            let portal = try cString(&body)
            return .execute(portal: portal, maxRows: try int32(&body))
        case UInt8(ascii: "C"):
            guard let kind = body.readInteger(as: UInt8.self) else { throw PGProtocolViolation(message: "invalid Close message") }
            return .close(kind: kind, name: try cString(&body))
        default: return .unsupported(type: type)
        }
    }

    static func cString(_ body: inout ByteBuffer) throws -> String {
        guard let end = body.readableBytesView.firstIndex(of: 0) else { throw PGProtocolViolation(message: "invalid string in message") }
        let bytes = body.readBytes(length: end - body.readerIndex)!
        body.moveReaderIndex(forwardBy: 1)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func int16(_ body: inout ByteBuffer) throws -> Int {
        guard let v = body.readInteger(as: Int16.self), v >= 0 else { throw PGProtocolViolation(message: "invalid message format") }
        return Int(v)
    }

    static func int32(_ body: inout ByteBuffer) throws -> Int32 {
        guard let v = body.readInteger(as: Int32.self) else { throw PGProtocolViolation(message: "invalid message format") }
        return v
    }
}
