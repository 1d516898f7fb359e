import Foundation
import SQLiteDB

/// One statistic of a source table: its row count (`column` nil) or the number of distinct
/// values of one column.
public struct SourceStatistic: Sendable, Hashable {
    public var connectorID: UUID
    /// The table as the source names it: `schema.table`.
    public var object: String
    public var column: String?
    public var value: Double
    public var collectedAt: Date

    public init(connectorID: UUID, object: String, column: String?, value: Double, collectedAt: Date) {
        self.connectorID = connectorID
        self.object = object
        self.column = column
        self.value = value
        self.collectedAt = collectedAt
    }
}

extension CatalogStore {
    /// The statistics kept for the given tables of one connector.
    public func sourceStatistics(connectorID: UUID, objects: [String], org: String = "default") throws -> [SourceStatistic] {
        guard !objects.isEmpty else { return [] }
        let key = (["statistics", org, connectorID.uuidString] + objects).joined(separator: "\u{1}")
        return try cached(key) { try withDatabase { db in
            let marks = objects.map { _ in "?" }.joined(separator: ", ")
            return try db.query("""
                SELECT object, column_name, value, collected_at FROM source_statistics
                WHERE org = ? AND connector_id = ? AND object IN (\(marks))
                """, [.text(org), .id(connectorID)] + objects.map { .text($0) }) { s in
                let column = s.text(1)
                return SourceStatistic(connectorID: connectorID, object: s.text(0), column: column.isEmpty ? nil : column,
                                       value: s.double(2), collectedAt: CatalogTimestamp.parse(s.text(3)) ?? .distantPast)
            }
        } }
    }

    /// Records statistics, replacing older values of the same ones.
    public func saveSourceStatistics(_ stats: [SourceStatistic], org: String = "default") throws {
        guard !stats.isEmpty else { return }
        try write { db in
            for st in stats {
                try db.run("""
                    INSERT INTO source_statistics (org, connector_id, object, column_name, value, collected_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (org, connector_id, object, column_name)
                    DO UPDATE SET value = excluded.value, collected_at = excluded.collected_at
                    """, [.text(org), .id(st.connectorID), .text(st.object), .text(st.column ?? ""),
                          .double(st.value), .text(CatalogTimestamp.format(st.collectedAt))])
            }
        }
    }
}
