import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import NIOCore

/// Who may read /metrics: its counters span every org, so not any client of the API. A
/// loopback client (a Prometheus agent beside the server) may; any other only with the
/// operator's secret (`--metrics-token`) as a bearer token.
enum MetricsAccess {
    static func allows(_ request: Request, _ context: MeshRequestContext, token: String?) -> Bool {
        if context.channel.remoteAddress.map(isLoopback) ?? false { return true }
        guard let token, !token.isEmpty, let header = request.headers[.authorization],
              let given = AuthMiddleware.bearerSecret(header) else { return false }
        // Compared by hash: the time taken says nothing about how much of the secret matched.
        return APIToken.hash(given) == APIToken.hash(token)
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
