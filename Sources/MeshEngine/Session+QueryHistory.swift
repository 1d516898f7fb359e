import Foundation
import MeshCatalog
import MeshCore
import MeshLineage

/// The queries a principal ran, from the audit log: their own, or everyone's for an org
/// admin (and for the local superuser, who has no principal).
extension Session {
    /// The newest queries first. `user` narrows an admin's view to one user; anyone else sees
    /// only their own queries whatever it says.
    public func queryHistory(user: String? = nil, product: String? = nil, limit: Int = 50) throws -> [AuditRecord] {
        let seesAll = principal.map(\.isAdmin) ?? true
        if !hasQueryHistory {
            // Every principal without a user is logged alike: none of them has a history of its own.
            throw MeshError(.permission, "query history is kept per user, and this principal has none",
                            hint: "act as a user (--user, \\as EMAIL)")
        }
        let who = seesAll ? user.flatMap { $0.isEmpty ? nil : $0 } : auditPrincipal
        engine.flushAudit()
        return try catalog.queryHistory(org: org, principal: who, product: product.flatMap { $0.isEmpty ? nil : $0 },
                                        limit: limit)
    }

    /// Whether the principal has queries of its own to see: an admin (and the local
    /// superuser) sees everyone's, anyone else needs a user.
    var hasQueryHistory: Bool { principal.map { $0.isAdmin || !$0.user.isEmpty } ?? true }

    /// `productLineage(name)` with the queries that read the product lately (as
    /// `queryHistory` shows them to this principal: none to one without a history).
    public func productLineage(_ name: String, recentQueries limit: Int) throws -> ProductLineage {
        var graph = try productLineage(name)
        if limit > 0, hasQueryHistory { graph.recentQueries = try queryHistory(product: graph.product, limit: limit) }
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
        let outcome = decision == .allowed ? "\(rowCount ?? 0) row\(rowCount == 1 ? "" : "s")" : "\(decision.rawValue) \(sqlstate ?? "")"
        let ms = elapsedMilliseconds.map { String(format: "%.1f ms", $0) } ?? ""
        let statement = self.statement.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(when)  \(principal)  \(outcome)  \(ms)  \(statement.count > 120 ? statement.prefix(119) + "…" : statement)"
    }
}

extension AuditRecord {
    /// A record read back from `historyJSON` (a shell talking to a server); nil if it is not one.
    public init?(historyJSON j: [String: Any]) {
        guard let id = j["query_id"] as? String, let at = (j["at"] as? String).flatMap(CatalogTimestamp.parse),
              let principal = j["principal"] as? String, let statement = j["statement"] as? String else { return nil }
        self.init(queryID: id, at: at, principal: principal, kind: j["kind"] as? String ?? "query", statement: statement,
                  decision: (j["status"] as? String).flatMap(Decision.init(rawValue:)) ?? .failed)
        products = j["products"] as? [String] ?? []
        sqlstate = j["sqlstate"] as? String
        rowCount = j["rows"] as? Int
        elapsedMilliseconds = (j["elapsed_ms"] as? NSNumber)?.doubleValue
    }
}

extension ProductLineage {
    /// A graph read back from `jsonObject` (a shell talking to a server); nil if it is not one.
    public init?(jsonObject j: [String: Any]) {
        guard let product = j["product"] as? String, let nodes = j["nodes"] as? [[String: Any]],
              let links = j["links"] as? [[String: Any]] else { return nil }
        let readNodes: [Node] = nodes.compactMap { n in
            guard let p = n["product"] as? String, let m = n["mesh"] as? String else { return nil }
            return Node(product: p, mesh: m, derived: n["derived"] as? Bool ?? false)
        }
        let readLinks: [Link] = links.compactMap { l in
            guard let from = l["from"] as? String, let to = l["to"] as? String else { return nil }
            let columns = (l["columns"] as? [[String: Any]] ?? []).compactMap { c -> ColumnLink? in
                guard let f = c["from"] as? String, let t = c["to"] as? String else { return nil }
                return ColumnLink(from: f, to: t, subtype: c["subtype"] as? String ?? "")
            }
            return Link(from: from, to: to, columns: columns)
        }
        self.init(product: product, nodes: readNodes, links: readLinks,
                  recentQueries: (j["recent_queries"] as? [[String: Any]] ?? []).compactMap(AuditRecord.init(historyJSON:)))
    }
}
