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
        guard let header = request.headers[.authorization], let secret = Self.bearerSecret(header),
              let token = try? catalog.token(secret: secret), token.isValid() else {
            var unauthorized = Problem(.unauthorized, "a valid bearer token is required")
            unauthorized.headers[.wwwAuthenticate] = "Bearer"
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
