import Foundation
import SQLiteDB

/// What each view (derived product) reads, kept in `lineage_edges` when the view is created:
/// every product its binding resolves, through other views too. Dependency checks (DROP) and
/// the lineage API read this index instead of binding every view of the org per request.
/// Rows: `transform = 'reads'` from the read product to the view; one `'indexed'` row from the
/// view to itself says the view has been indexed (a view reading no product has only that).
extension CatalogStore {
    /// Replaces the products view `viewID` reads (ids with their `mesh.product` names, kept
    /// for people reading the table; lookups go by id).
    public func setViewReads(viewID: UUID, viewName: String, reads: [(id: UUID, name: String)], org: String) throws {
        try write { db in
            try db.run("DELETE FROM lineage_edges WHERE org = ? AND query_id IS NULL AND target_product_id = ?", [.text(org), .id(viewID)])
            let now = Date()
            try db.run("""
                INSERT INTO lineage_edges (org, source_product_id, source_product, target_product_id, target_product, transform, created_at)
                VALUES (?, ?, ?, ?, ?, 'indexed', ?)
                """, [.text(org), .id(viewID), .text(viewName), .id(viewID), .text(viewName), .date(now)])
            for r in reads where r.id != viewID {
                try db.run("""
                    INSERT INTO lineage_edges (org, source_product_id, source_product, target_product_id, target_product, transform, created_at)
                    VALUES (?, ?, ?, ?, ?, 'reads', ?)
                    """, [.text(org), .id(r.id), .text(r.name), .id(viewID), .text(viewName), .date(now)])
            }
        }
    }

    /// Per indexed view, the ids of the products it reads (a view missing here was not
    /// indexed yet).
    public func viewReads(org: String) throws -> [UUID: Set<UUID>] {
        try cached("viewReads\u{1}" + org) {
            try withDatabase { db in
                var out: [UUID: Set<UUID>] = [:]
                let rows = try db.query("""
                    SELECT target_product_id, source_product_id, transform FROM lineage_edges
                    WHERE org = ? AND query_id IS NULL AND transform IN ('reads', 'indexed')
                    """, [.text(org)]) { s in (s.text(0), s.text(1), s.text(2)) }
                for (target, source, transform) in rows {
                    guard let view = UUID(uuidString: target), let read = UUID(uuidString: source) else { continue }
                    if transform == "indexed" { out[view, default: []].formUnion([]) } else { out[view, default: []].insert(read) }
                }
                return out
            }
        }
    }
}
