import Foundation
import MeshCatalog
import MeshCore

/// The queries a principal ran, from the audit log: their own, or everyone's for an org
/// admin (and for the local superuser, who has no principal).
extension Session {
    /// The newest queries first. `user` narrows an admin's view to one user; anyone else sees
    /// only their own queries whatever it says.
    public func queryHistory(user: String? = nil, product: String? = nil, limit: Int = 50) throws -> [AuditRecord] {
        engine.flushAudit()
        let seesAll = principal.map(\.isAdmin) ?? true
        let who = seesAll ? user : newAuditRecord(kind: "query", text: "").principal
        return try catalog.queryHistory(org: org, principal: who, product: product, limit: limit)
    }

    /// `productLineage(name)` with the queries that read the product lately (as
    /// `queryHistory` shows them to this principal).
    public func productLineage(_ name: String, recentQueries limit: Int) throws -> ProductLineage {
        var graph = try productLineage(name)
        graph.recentQueries = try queryHistory(product: name, limit: limit)
        return graph
    }
}

extension AuditRecord {
    /// The record as `GET /api/query/history` and the lineage graph show it.
    public var historyJSON: [String: Any] {
        [
            "query_id": queryID, "at": CatalogTimestamp.format(at), "principal": principal, "kind": kind,
            "statement": statement, "status": decision.rawValue, "sqlstate": sqlstate ?? NSNull(),
            "rows": rowCount ?? NSNull(), "elapsed_ms": elapsedMilliseconds ?? NSNull(), "products": products,
        ]
    }

    /// One line for a terminal: when, who, how it ended, and the statement's shape.
    public var historyLine: String {
        let when = CatalogTimestamp.format(at).prefix(19).replacingOccurrences(of: "T", with: " ")
        let outcome = decision == .allowed ? "\(rowCount ?? 0) rows" : "\(decision.rawValue) \(sqlstate ?? "")"
        let ms = elapsedMilliseconds.map { String(format: "%.1f ms", $0) } ?? ""
        let statement = self.statement.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(when)  \(principal)  \(outcome)  \(ms)  \(statement.count > 120 ? statement.prefix(119) + "…" : statement)"
    }
}
