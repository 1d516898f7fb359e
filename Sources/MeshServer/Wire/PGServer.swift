import Logging
import MeshEngine
import MeshPlan
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// PostgreSQL's protocol (3.0) beside HTTP (`meshql serve --pg-port`): psql, drivers and BI
/// tools connect as they are, the database name being the org and the password an API token.
struct PGServer: Service {
    let engine: Engine
    let host: String
    let port: Int
    let parts: ServerParts
    /// TLS for clients that ask for it (an SSLRequest); nil: they are told `N`.
    let tls: NIOSSLContext?
    let backends = PGBackends()
    /// Connections open at once: `--max-connections`, as HTTP's (each listener has its own
    /// count); past it a client is told `53300 too many clients` and closed, as PostgreSQL does.
    let open = OpenConnections()
    var maximum: Int { ConnectionLimits.maxConnections(requested: MeshServer.maxConnections) }

    /// What `server_version` says: a version clients accept, with meshql's name after it.
    static let serverVersion = "\(QueryIdentity.postgresVersion) (meshql)"

    func run() async throws {
        let maxLength = max(MeshServer.maxBodyBytes, 1 << 20)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PGFrontendDecoder(maxLength: maxLength, tls: tls)))
                    return try PGChannel(wrappingChannelSynchronously: channel)
                }
            }
        parts.logger.info("PostgreSQL protocol listening", metadata: ["address": .string("\(host):\(port)")])
        // On shutdown the listener closes and the connections' tasks are cancelled: their
        // queries were drained first (QueryDrain stops before this service).
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    let maximum = self.maximum
                    for try await connection in connections {
                        guard open.take(below: maximum) else {
                            group.addTask { await refuse(connection) }
                            continue
                        }
                        group.addTask {
                            await serve(connection)
                            open.give()
                        }
                    }
                }
            }
        }
    }

    /// A connection past the limit: its startup is answered with PostgreSQL's refusal (after
    /// the SSLRequest, so clients show it), and it is closed. A CancelRequest is still served:
    /// Ctrl-C must work on a full server.
    func refuse(_ connection: PGChannel) async {
        let deadline = connection.channel.eventLoop.scheduleTask(in: .seconds(Int64(MeshServer.headerSeconds))) {
            connection.channel.close(promise: nil)
        }
        try? await connection.executeThenClose { inbound, outbound in
            var messages = inbound.makeAsyncIterator()
            while let message = try await messages.next() {
                switch message {
                case .sslRequest, .gssEncRequest:
                    if tls == nil { try await outbound.write(ByteBuffer(bytes: [UInt8(ascii: "N")])) }
                case .cancelRequest(let pid, let secret):
                    backends.cancel(processID: pid, secret: secret)
                    return
                default:
                    var b = ByteBuffer()
                    b.pgError(PGErrorFields(severity: "FATAL", sqlState: "53300", message: "sorry, too many clients already"))
                    try await outbound.write(b)
                    return
                }
            }
        }
        deadline.cancel()
    }

    /// One connection, from its startup to its end; a malformed message closes it.
    func serve(_ connection: PGChannel) async {
        let address = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        // The sign-in must be over within the header timeout: a client that connects and
        // says nothing holds no connection for long.
        let deadline = connection.channel.eventLoop.scheduleTask(in: .seconds(Int64(MeshServer.headerSeconds))) {
            connection.channel.close(promise: nil)
        }
        var processID: Int32?
        do {
            try await connection.executeThenClose { inbound, outbound in
                let channel = connection.channel
                let client = PGConnection(engine: engine, parts: parts, backends: backends, out: outbound, address: address) {
                    (try? await channel.pipeline.handler(type: NIOSSLServerHandler.self).get()) != nil
                }
                // A client that goes away stops its query (and the source queries under it).
                connection.channel.closeFuture.whenComplete { _ in client.target.cancel() }
                var messages = inbound.makeAsyncIterator()
                do {
                    guard try await client.startup(&messages) else { return }
                    deadline.cancel()
                    processID = client.processID
                    try await client.serve(&messages)
                } catch let violation as PGProtocolViolation {
                    await client.fatal(PGErrorFields(sqlState: "08P01", message: violation.message))
                }
            }
        } catch {
            // The client went away or sent what cannot be read: nothing more to say to it.
        }
        deadline.cancel()
        if let processID { backends.remove(processID) }
    }
}

/// How many connections a listener has open.
final class OpenConnections: Sendable {
    private let count = Mutex(0)

    /// Counts one more when fewer than `maximum` are open.
    func take(below maximum: Int) -> Bool {
        count.withLock { n in
            guard n < maximum else { return false }
            n += 1
            return true
        }
    }

    func give() { count.withLock { $0 -= 1 } }
}
