import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MeshCatalog
import MeshEngine
import NIOPosix
import ServiceLifecycle

/// `meshql serve`: the HTTP interface of API.md over one engine.
public enum MeshServer {
    /// The largest request body taken (bytes); more is 413.
    nonisolated(unsafe) public static var maxBodyBytes = 1 << 20
    /// Rows a query may return unless it asks for fewer (`max_rows`).
    nonisolated(unsafe) public static var defaultMaxRows = 1_000_000
    /// Requests a second one token may make on average (bursts of twice that).
    nonisolated(unsafe) public static var requestsPerSecond = 200.0
    /// Queries one org may run at once.
    nonisolated(unsafe) public static var maxQueriesPerOrg = 64
    /// Bytes an answer may hold, in any format, unless it asks for fewer (`max_bytes`).
    nonisolated(unsafe) public static var maxResultBytes = 1 << 30
    /// Seconds queries may go on after SIGTERM before they are cancelled.
    nonisolated(unsafe) public static var shutdownGraceSeconds = 10
    /// Seconds a connection may send nothing before it is closed.
    nonisolated(unsafe) public static var idleSeconds = 60
    /// Seconds a request's head may take from its first byte (`--header-timeout`).
    nonisolated(unsafe) public static var headerSeconds = 10
    /// Connections open at once (nil: as many as the file limit comfortably allows).
    nonisolated(unsafe) public static var maxConnections: Int?
    /// PostgreSQL clients over TLS sign in with the token sent as a cleartext password
    /// (`--pg-cleartext-password`), for clients and old tokens without SCRAM; never in the clear.
    nonisolated(unsafe) public static var pgCleartextOverTLS = false
    /// The bearer secret /metrics asks of clients that are not on loopback; nil: it answers
    /// loopback clients only (its counters span every org).
    nonisolated(unsafe) public static var metricsToken: String?

    /// Runs the application until SIGTERM or SIGINT (graceful shutdown), its tasks on the
    /// event loops (see `EventLoopTaskExecutor`).
    /// - Parameter pgPort: where the PostgreSQL protocol listens too (nil: it does not), on
    ///   `pgHost`.
    /// - Parameter tls: the certificate chain and key (PEM files) PostgreSQL clients that ask
    ///   for TLS get.
    public static func run(engine: Engine, host: String, port: Int, pgHost: String? = nil, pgPort: Int? = nil,
                           tls: (certificate: String, key: String)? = nil, logger: Logger) async throws {
        let tlsContext = try tls.map { try PGTLS.context(certificate: $0.certificate, key: $0.key) }
        let parts = ServerParts(logger: logger)
        let app = application(engine: engine, host: host, port: port, logger: logger, parts: parts)
        // On SIGTERM or SIGINT the drain goes first (services stop in reverse order): queries
        // still running after the grace period are cancelled at their sources, and then the
        // servers stop, their requests answered. A long query no longer holds the exit back.
        let drain = QueryDrain(running: parts.running, grace: .seconds(shutdownGraceSeconds), logger: logger)
        var services: [any Service] = [app]
        if let pgPort { services.append(PGServer(engine: engine, host: pgHost ?? host, port: pgPort, parts: parts, tls: tlsContext)) }
        services.append(drain)
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await withTaskExecutorPreference(EventLoopTaskExecutor.shared) {
            try await group.run()
        }
    }

    /// The application: routes, auth, and the engine behind them. Run it with
    /// `runService()` (graceful shutdown on SIGTERM and SIGINT).
    public static func application(engine: Engine, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        application(engine: engine, host: host, port: port, logger: logger, parts: ServerParts(logger: logger))
    }

    static func application(engine: Engine, host: String, port: Int, logger: Logger,
                            parts: ServerParts) -> some ApplicationProtocol {
        let metrics = parts.metrics
        let router = Router(context: MeshRequestContext.self)
        router.get("health") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("ready") { _, _ in
            await answering {
                _ = try engine.catalog.schemaVersion
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            }
        }
        // The OpenAPI document kept in the repository (ServerTests check the server against it).
        let openAPI = (Bundle.module.url(forResource: "openapi", withExtension: "yaml")
            .flatMap { try? String(contentsOf: $0, encoding: .utf8) }) ?? ""
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
        router.get("metrics") { request, context in
            guard MetricsAccess.allows(request, context, token: metricsToken) else {
                var p = Problem(.unauthorized, "the metrics are for the server's operator")
                p.headers[.wwwAuthenticate] = "Bearer"
                return p.response
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.text)))
        }
        router.add(middleware: AuthMiddleware(catalog: engine.catalog,
                                              limiter: RateLimiter(rate: requestsPerSecond, burst: 2 * requestsPerSecond),
                                              metrics: metrics, failedAuth: parts.failedAuth))
        MeshRoutes(engine: engine).add(to: router)
        EntityRoutes(engine: engine).add(to: router)
        QueryRoutes(engine: engine, running: parts.running, slots: parts.slots, metrics: metrics, logger: logger).add(to: router)
        AuditRoutes(engine: engine).add(to: router)
        LineageRoutes(engine: engine).add(to: router)
        // A connection that sends nothing for `idleSeconds` (an idle socket, a client stalled in
        // its headers) is closed, and at most `maxConnections` are open at once, kept below the
        // process's file limit: a flood of sockets cannot take the descriptors /health and the
        // sources' connections need.
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "meshql", backlog: 1024,
            availableConnectionsDelegate: MaximumAvailableConnections(ConnectionLimits.maxConnections(requested: maxConnections)))
        // A request's head must be whole within `headerSeconds` of its first byte: a client
        // trickling its headers holds no connection for long.
        let header = Int64(headerSeconds)
        return Application(router: router,
                           server: .http1(configuration: .init(additionalChannelHandlers: [RequestHeadDeadline(timeout: .seconds(header))],
                                                               idleTimeout: .seconds(Int64(idleSeconds)))),
                           configuration: configuration, logger: logger)
    }
}

/// What the HTTP server and the PostgreSQL protocol share: the running queries (DELETE, the
/// drain), each org's query slots, the metrics, and the count of failed sign-ins per address.
struct ServerParts: Sendable {
    let running = RunningQueries()
    let slots = OrgQuerySlots(maximum: MeshServer.maxQueriesPerOrg)
    let metrics = ServerMetrics()
    let failedAuth = FailedAuthGuard(rate: 20, burst: 100)
    let logger: Logger
}
