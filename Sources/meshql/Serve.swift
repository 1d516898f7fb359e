import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MeshCore
import MeshEngine
import MeshServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (API.md): the seed's mesh API, queries, health.",
        discussion: """
        Every /api route needs `Authorization: Bearer <token>` and `x-org`; make tokens with
        `meshql token create`. SIGTERM or Ctrl-C stops accepting connections, lets running
        requests finish, and closes the source connections.
        Example:
          meshql serve --catalog mesh.db --port 8080
          meshql serve --catalog mesh.db --pg-port 5433     # then: psql "host=127.0.0.1 port=5433 user=<user> dbname=<org>"
        """
    )

    @Option(name: .long, help: "Address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port = 8080

    @Option(name: .long, help: ArgumentHelp(
        "Port for PostgreSQL's protocol too (psql, JDBC, psycopg): the database is the org, the user a token's user, the password the token.",
        valueName: "port"))
    var pgPort: Int?

    @Option(name: .long, help: ArgumentHelp("Address PostgreSQL's protocol listens on (default: --host).", valueName: "address"))
    var pgHost: String?

    @Option(name: .long, help: ArgumentHelp("A PEM certificate chain for PostgreSQL clients that ask for TLS (with --tls-key).", valueName: "path"))
    var tlsCert: String?

    @Option(name: .long, help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "path"))
    var tlsKey: String?

    @Flag(name: .long, help: ArgumentHelp(
        "PostgreSQL clients that came in over TLS send the token as a cleartext password (for drivers and tokens without SCRAM-SHA-256); clients in the clear still use SCRAM. Needs --tls-cert."))
    var pgCleartextPassword = false

    @Option(name: .long, help: ArgumentHelp("The largest request body taken; more is answered 413.", valueName: "bytes"))
    var maxBody = 1 << 20

    @Option(name: .long, help: ArgumentHelp("Rows a query may return unless it asks for fewer.", valueName: "rows"))
    var maxRows = 1_000_000

    @Option(name: .long, help: ArgumentHelp("Requests a second one token may make on average (bursts of twice that); more is answered 429.", valueName: "n"))
    var rateLimit = 200.0

    @Option(name: .long, help: ArgumentHelp("Queries one organisation may run at once; more is answered 429.", valueName: "n"))
    var maxQueriesPerOrg = 64

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical (debug logs every query).", valueName: "level"))
    var logLevel = "info"

    @Option(name: .long, help: ArgumentHelp(
        "A secret that /metrics asks for as a bearer token from clients other than loopback ones (default: $MESHQL_METRICS_TOKEN; without one, /metrics answers loopback clients only).",
        valueName: "secret"))
    var metricsToken: String?

    @Option(name: .long, help: ArgumentHelp(
        "Bytes an answer (JSON, NDJSON or CSV) may hold unless it asks for fewer; more is answered 422, or ends the stream with an error.",
        valueName: "bytes"))
    var maxResultBytes = 1 << 30

    @Option(name: .long, help: ArgumentHelp("Seconds running queries may go on after SIGTERM or SIGINT before they are cancelled and the server exits.", valueName: "seconds"))
    var shutdownGrace = 10

    @Option(name: .long, help: ArgumentHelp("Seconds a client connection may send nothing before it is closed.", valueName: "seconds"))
    var idleTimeout = 60

    @Option(name: .long, help: ArgumentHelp("Seconds a request's headers may take from their first byte before the connection is closed.",
                                            valueName: "seconds"))
    var headerTimeout = 10

    @Option(name: .long, help: ArgumentHelp(
        "Client connections open at once (default 4096, and always under the open-file limit less 256); more wait to be accepted.",
        valueName: "n"))
    var maxConnections: Int?

    @OptionGroup var options: CatalogOptions

    @OptionGroup var lineage: LineageSinkOptions

    func validate() throws {
        guard (1...65535).contains(port), (1...65535).contains(pgPort ?? 1) else {
            throw ValidationError("--port and --pg-port must be between 1 and 65535")
        }
        guard pgPort != port else { throw ValidationError("--pg-port must differ from --port") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard tlsCert == nil || pgPort != nil else { throw ValidationError("--tls-cert is for --pg-port (HTTP's TLS belongs to a proxy in front)") }
        guard !pgCleartextPassword || tlsCert != nil else {
            throw ValidationError("--pg-cleartext-password needs --tls-cert and --tls-key: a password is never taken in the clear")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must not be negative") }
        guard idleTimeout > 0, headerTimeout > 0, (maxConnections ?? 1) > 0, maxResultBytes > 0 else {
            throw ValidationError("--idle-timeout, --header-timeout, --max-connections and --max-result-bytes must be positive")
        }
        guard maxBody > 0, maxRows > 0, rateLimit > 0, maxQueriesPerOrg > 0 else {
            throw ValidationError("--max-body, --max-rows, --rate-limit and --max-queries-per-org must be positive")
        }
    }

    func run() async throws {
        let session = try options.openSession(lineage: lineage)
        let engine = session.engine
        defer { engine.shutdown() }
        MeshServer.maxBodyBytes = maxBody
        MeshServer.defaultMaxRows = maxRows
        MeshServer.requestsPerSecond = rateLimit
        MeshServer.maxQueriesPerOrg = maxQueriesPerOrg
        MeshServer.idleSeconds = idleTimeout
        MeshServer.headerSeconds = headerTimeout
        MeshServer.shutdownGraceSeconds = shutdownGrace
        MeshServer.maxResultBytes = maxResultBytes
        MeshServer.maxConnections = maxConnections
        MeshServer.pgCleartextOverTLS = pgCleartextPassword
        MeshServer.metricsToken = metricsToken ?? ProcessInfo.processInfo.environment["MESHQL_METRICS_TOKEN"]
        var logger = Logger(label: "meshql.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let tls = tlsCert.flatMap { cert in tlsKey.map { (certificate: cert, key: $0) } }
        try await MeshServer.run(engine: engine, host: host, port: port, pgHost: pgHost, pgPort: pgPort, tls: tls, logger: logger)
    }
}
