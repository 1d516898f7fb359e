import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshEngine

/// `GET /api/audit`: the org's audit log for its admins, newest first, filtered by
/// `?user=`, `?product=` (mesh.product), `?since=` (ISO-8601) and `?limit=` (default 100).
struct AuditRoutes {
    let engine: Engine

    func add(to router: Router<MeshRequestContext>) {
        router.get("api/audit") { request, context in
            await answering {
                let session = try engine.session(for: context)
                guard session.principal?.isAdmin ?? true else {
                    throw Problem(.forbidden, "only org admins may read the audit log")
                }
                engine.flushAudit()
                let q = request.uri.queryParameters
                let limit = q["limit"].flatMap { Int(String($0)) } ?? 100
                let since = q["since"].flatMap { ISO8601DateFormatter().date(from: String($0)) }
                let user = q["user"].map(String.init), product = q["product"].map(String.init)
                // The newest 10,000 records are searched (the log can be long).
                let records = try engine.catalog.auditRecords(org: session.org, limit: 10_000).filter { r in
                    (user == nil || r.principal == user) && (product == nil || r.products.contains(product!))
                        && (since == nil || r.at >= since!)
                }.prefix(max(0, limit))
                return try json(records.map { r -> [String: Any] in
                    [
                        "query_id": r.queryID, "at": CatalogTimestamp.format(r.at), "principal": r.principal, "roles": r.roles,
                        "kind": r.kind, "statement": r.statement, "products": r.products, "columns": r.columns,
                        "policies": r.policies, "decision": r.decision.rawValue, "sqlstate": r.sqlstate ?? NSNull(),
                        "rows": r.rowCount ?? NSNull(), "elapsed_ms": r.elapsedMilliseconds ?? NSNull(),
                        "remote_sql": r.remoteQueries.map { ["connector": $0.connector, "sql": $0.sql] },
                    ]
                })
            }
        }
    }
}
