import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshCore
import NIOCore

/// Every `/api` route needs `Authorization: Bearer <token>` and `x-org` (API.md): no token or
/// an unknown, revoked or expired one → 401; a token of another org than `x-org` → 403.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = MeshRequestContext
    let catalog: CatalogStore
    let limiter: RateLimiter
    let metrics: ServerMetrics
    let failedAuth: FailedAuthGuard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // By segments, as the router matches (`//api/query` is /api/query to it).
        guard request.uri.path.split(separator: "/").first == "api" else {
            return try await next(request, context)
        }
        var unauthorized = Problem(.unauthorized, "a valid bearer token is required")
        unauthorized.headers[.wwwAuthenticate] = "Bearer"
        guard let header = request.headers[.authorization], let secret = Self.bearerSecret(header) else {
            return unauthorized.response
        }
        // A secret known to be no token is not looked up again, and a client that keeps
        // failing is refused before any catalog read (a token in memory still passes: others
        // behind the same address keep working).
        let address = Self.clientAddress(context)
        let hash = APIToken.hash(secret)
        guard !failedAuth.isKnownUnknown(hash) else {
            failedAuth.failed(address, unknownHash: nil)
            return unauthorized.response
        }
        let found: APIToken?
        if failedAuth.mayTry(address) {
            found = try? catalog.token(secret: secret)
        } else if let cached = try? catalog.tokenIfCached(secret: secret) {
            found = cached
        } else {
            metrics.rateLimitHit()
            var p = Problem(.tooManyRequests, "too many failed authentications from this address; retry in a few seconds")
            p.headers[.retryAfter] = "5"
            return p.response
        }
        guard let token = found, token.isValid() else {
            failedAuth.failed(address, unknownHash: found == nil ? hash : nil)
            return unauthorized.response
        }
        guard let org = request.headers[HTTPField.Name("x-org")!], !org.isEmpty else {
            return Problem(.badRequest, "the x-org header is required").response
        }
        guard org == token.org else {
            return Problem(.forbidden, "the token does not belong to organisation in x-org").response
        }
        if let wait = limiter.admit(token.id) {
            metrics.rateLimitHit()
            var p = Problem(.tooManyRequests, "this token's rate limit is reached; retry in \(wait) s")
            p.headers[.retryAfter] = String(wait)
            return p.response
        }
        var context = context
        context.caller = token
        return try await next(request, context)
    }

    /// The client's IP address (without the port), for limiting failed authentications.
    static func clientAddress(_ context: Context) -> String {
        context.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The token of `Authorization: Bearer <token>` (the scheme in any case), without the
    /// blanks around it; nil for another scheme. By bytes: Foundation's trimming costs more
    /// than the rest of the check.
    static func bearerSecret(_ header: String) -> String? {
        var bytes = Substring(header).utf8[...]
        guard bytes.count > 7, String(decoding: bytes.prefix(7), as: UTF8.self).lowercased() == "bearer " else { return nil }
        bytes = bytes.dropFirst(7)
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        while let f = bytes.first, blank(f) { bytes = bytes.dropFirst() }
        while let l = bytes.last, blank(l) { bytes = bytes.dropLast() }
        return String(Substring(bytes))
    }
}
