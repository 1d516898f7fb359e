import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshCore

/// Every `/api` route needs `Authorization: Bearer <token>` and `x-org` (API.md): no token or
/// an unknown, revoked or expired one → 401; a token of another org than `x-org` → 403.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = MeshRequestContext
    let catalog: CatalogStore
    let limiter: RateLimiter
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // By segments, as the router matches (`//api/query` is /api/query to it).
        guard request.uri.path.split(separator: "/").first == "api" else {
            return try await next(request, context)
        }
        var unauthorized = Problem(.unauthorized, "a valid bearer token is required")
        unauthorized.headers[.wwwAuthenticate] = "Bearer"
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return unauthorized.response
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let token = try? catalog.token(secret: secret), token.isValid() else { return unauthorized.response }
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
}
