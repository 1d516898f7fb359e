import Foundation
import MeshCore
import SQLiteDB

extension CatalogStore {
    /// Appends one record to the org's audit log.
    public func appendAudit(_ r: AuditRecord, org: String = "default") throws {
        try appendAudit([(r, org)])
    }

    /// Appends records (each with its org) in one transaction.
    public func appendAudit(_ records: [(AuditRecord, String)]) throws {
        try appendWrite { db in
            // Prepared once for the batch: a server appends thousands a second.
            let insert = try db.prepare("""
                INSERT INTO audit_log (org, query_id, at, principal, roles, kind, statement, products, policies,
                                       status, sqlstate, row_count, elapsed_ms, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (r, org) in records {
                try insert.bind([.text(org), .text(r.queryID), .text(CatalogTimestamp.format(r.at)), .text(r.principal),
                          .text(CatalogJSON.strings(r.roles)), .text(r.kind), .text(r.statement), .text(CatalogJSON.strings(r.products)),
                          .text(CatalogJSON.strings(r.policies)), .text(r.decision.rawValue), r.sqlstate.map { .text($0) } ?? .null,
                          r.rowCount.map { .int(Int64($0)) } ?? .null, r.elapsedMilliseconds.map { .double($0) } ?? .null,
                          .text(Self.detailsJSON(r))])
                while try insert.step() {}
            }
        }
    }

    /// `AuditRecord.Details` as JSON (what its Codable conformance reads back).
    static func detailsJSON(_ r: AuditRecord) -> String {
        let remote = r.remoteQueries.map { "{\"connector\":\(CatalogJSON.string($0.connector)),\"sql\":\(CatalogJSON.string($0.sql))}" }
        return "{\"columns\":\(CatalogJSON.strings(r.columns)),\"remote_queries\":[\(remote.joined(separator: ","))]}"
    }

    /// The org's audit log, newest first.
    public func auditRecords(org: String = "default", limit: Int? = nil) throws -> [AuditRecord] {
        try withDatabase { db in
            try db.query("SELECT \(Self.auditColumns) FROM audit_log WHERE org = ? ORDER BY id DESC LIMIT ?",
                         [.text(org), .int(Int64(limit ?? -1))], Self.auditRecord)
        }
    }

    /// The org's queries (EXPLAIN too), newest first: only `principal`'s if given, only those
    /// that read `product` (`mesh.product`, a derived one too) if given. The org's newest
    /// `window` records are searched, so a long log costs no more than that.
    public func queryHistory(org: String = "default", principal: String? = nil, product: String? = nil,
                             limit: Int = 50, window: Int = 100_000) throws -> [AuditRecord] {
        try withDatabase { db in
            try db.query("""
                SELECT \(Self.auditColumns) FROM audit_log
                WHERE org = ?1 AND kind IN ('query', 'explain', 'explain analyze')
                  AND (?2 IS NULL OR principal = ?2)
                  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(products) WHERE value = ?3))
                  AND id >= (SELECT coalesce(min(id), 0) FROM
                             (SELECT id FROM audit_log WHERE org = ?1 ORDER BY at DESC LIMIT ?4))
                ORDER BY id DESC LIMIT ?5
                """, [.text(org), principal.map { .text($0) } ?? .null, product.map { .text($0) } ?? .null,
                      .int(Int64(window)), .int(Int64(max(0, limit)))], Self.auditRecord)
        }
    }

    private static let auditColumns = """
        id, query_id, at, principal, roles, kind, statement, products, policies, status, sqlstate, row_count, elapsed_ms, details
        """

    /// A row of `auditColumns` as a record.
    private static func auditRecord(_ s: SQLiteStatement) throws -> AuditRecord {
        let details = (try? s.json(13, as: AuditRecord.Details.self, "audit details"))
            ?? AuditRecord.Details(columns: [], remoteQueries: [])
        return AuditRecord(
            id: s.int64(0), queryID: s.text(1), at: CatalogTimestamp.parse(s.text(2)) ?? .distantPast,
            principal: s.text(3), roles: (try? s.json(4, as: [String].self, "audit roles")) ?? [], kind: s.text(5),
            statement: s.text(6), products: (try? s.json(7, as: [String].self, "audit products")) ?? [],
            columns: details.columns, policies: (try? s.json(8, as: [String].self, "audit policies")) ?? [],
            decision: AuditRecord.Decision(rawValue: s.text(9)) ?? .failed,
            sqlstate: s.isNull(10) ? nil : s.text(10), rowCount: s.isNull(11) ? nil : Int(s.int64(11)),
            elapsedMilliseconds: s.isNull(12) ? nil : s.double(12), remoteQueries: details.remoteQueries)
    }
}
