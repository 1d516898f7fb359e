import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MeshCatalog
import MeshEngine

/// `meshql serve`: the HTTP interface of API.md over one engine.
public enum MeshServer {
    /// The largest request body taken (bytes); more is 413.
    nonisolated(unsafe) public static var maxBodyBytes = 1 << 20
    /// Rows a query may return unless it asks for fewer (`max_rows`).
    nonisolated(unsafe) public static var defaultMaxRows = 1_000_000

    /// The application: routes, auth, and the engine behind them. Run it with
    /// `runService()` (graceful shutdown on SIGTERM and SIGINT).
    public static func application(engine: Engine, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: MeshRequestContext.self)
        router.get("health") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("ready") { _, _ in
            await answering {
                _ = try engine.catalog.schemaVersion
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            }
        }
        router.add(middleware: AuthMiddleware(catalog: engine.catalog))
        MeshRoutes(engine: engine).add(to: router)
        QueryRoutes(engine: engine, running: RunningQueries()).add(to: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "meshql"),
                           logger: logger)
    }
}
