import Foundation
import Hummingbird
import MeshCatalog
import MeshCore
import MeshEngine

/// `GET /api/lineage?product=mesh.product`: the product's bases and the derived products
/// built on it, column by column, and the queries that read it lately; `GET
/// /api/query/history`: the caller's queries (everyone's for an org admin, `?user=` to pick
/// one), newest first. Both as the token's principal: what it may not read it does not see.
struct LineageRoutes {
    let engine: Engine

    func add(to router: Router<MeshRequestContext>) {
        router.get("api/lineage") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let q = request.uri.queryParameters
                guard let product = q["product"].map(String.init), !product.isEmpty else {
                    throw Problem(.badRequest, "give the data product as ?product=mesh.product")
                }
                let limit = try Self.limit(q["limit"].map(String.init), default: 20)
                return try json(try session.productLineage(product, recentQueries: limit).jsonObject)
            }
        }
        router.get("api/query/history") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let q = request.uri.queryParameters
                let limit = try Self.limit(q["limit"].map(String.init), default: 50)
                let records = try session.queryHistory(user: q["user"].map(String.init), product: q["product"].map(String.init),
                                                       limit: limit)
                return try json(records.map(\.historyJSON))
            }
        }
    }

    /// `?limit=`: 1 to 1000.
    static func limit(_ text: String?, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), (1...1000).contains(n) else { throw Problem(.badRequest, "limit must be a number from 1 to 1000") }
        return n
    }
}
