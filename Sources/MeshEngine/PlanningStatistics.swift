import ConnectorKit
import Foundation
import MeshCatalog
import MeshPlan

/// The source statistics a query's join ordering needs: each table's row count and the
/// distinct counts of its join columns. Taken from the catalog while younger than `maxAge`,
/// otherwise asked of the source (`pg_class` / `pg_stats`, `sqlite_stat1` or a count) and
/// saved back. A source that cannot answer leaves the planner's defaults; a catalog that
/// cannot be written only loses the cache.
struct PlanningStatistics {
    static let maxAge: TimeInterval = 3600

    let catalog: CatalogStore
    let org: String

    func collect(for plan: LogicalPlan, connectors: [String: any Connector]) async -> CardinalityEstimator {
        let scans = plan.allScans
        let wanted = plan.statisticsColumns
        var estimator = CardinalityEstimator(tableRows: [:])
        let byConnector = Dictionary(grouping: scans, by: \.connectorID)
        for (connectorID, scans) in byConnector {
            guard let uuid = UUID(uuidString: connectorID), let connector = connectors[connectorID] else { continue }
            let objects = Array(Set(scans.map(Self.object)))
            let known = (try? catalog.sourceStatistics(connectorID: uuid, objects: objects, org: org)) ?? []
            let now = Date()
            var fresh: [String: Double] = [:]
            for s in known where now.timeIntervalSince(s.collectedAt) < Self.maxAge {
                fresh[Self.key(s.object, s.column)] = s.value
            }
            var collected: [SourceStatistic] = []
            var seen = Set<String>()
            for scan in scans {
                let object = Self.object(scan)
                let schema = scan.remoteSchema ?? ""
                let tableKey = Self.key(object, nil)
                if !seen.contains(tableKey) {
                    seen.insert(tableKey)
                    if fresh[tableKey] == nil,
                       let n = try? await connector.estimatedRowCount(schema: schema, table: scan.remoteTable) {
                        fresh[tableKey] = Double(n)
                        collected.append(SourceStatistic(connectorID: uuid, object: object, column: nil, value: Double(n), collectedAt: now))
                    }
                }
                if let rows = fresh[tableKey] { estimator.tableRows[scan.statisticsKey] = rows }
                // Pages of a big table, kept beside its rows under a name no column has.
                let pagesKey = Self.key(object, Self.pagesColumn)
                if !seen.contains(pagesKey) {
                    seen.insert(pagesKey)
                    if fresh[pagesKey] == nil, let rows = fresh[tableKey], rows >= Self.pagesWorthKnowing,
                       let n = try? await connector.estimatedPageCount(schema: schema, table: scan.remoteTable) {
                        fresh[pagesKey] = Double(n)
                        collected.append(SourceStatistic(connectorID: uuid, object: object, column: Self.pagesColumn,
                                                         value: Double(n), collectedAt: now))
                    }
                }
                if let pages = fresh[pagesKey] { estimator.tablePages[scan.statisticsKey] = pages }
                for (id, column) in zip(scan.columnIDs, scan.remoteColumns) where wanted.contains(id) {
                    let columnKey = Self.key(object, column)
                    if !seen.contains(columnKey) {
                        seen.insert(columnKey)
                        if fresh[columnKey] == nil,
                           let d = try? await connector.distinctCount(schema: schema, table: scan.remoteTable, column: column) {
                            fresh[columnKey] = d
                            collected.append(SourceStatistic(connectorID: uuid, object: object, column: column, value: d, collectedAt: now))
                        }
                    }
                    if let d = fresh[columnKey] { estimator.columnDistinct[scan.statisticsKey + "\u{1}" + column] = d }
                }
            }
            try? catalog.saveSourceStatistics(collected, org: org)
        }
        return estimator
    }

    /// The statistic's column name for a table's page count.
    static let pagesColumn = "\u{1}pages"
    /// Rows from which a table's pages are asked for (only big reads are cut into ranges).
    static let pagesWorthKnowing: Double = 500_000

    static func object(_ scan: ProductScan) -> String {
        (scan.remoteSchema.map { $0 + "." } ?? "") + scan.remoteTable
    }

    static func key(_ object: String, _ column: String?) -> String {
        object + "\u{1}" + (column ?? "")
    }
}
