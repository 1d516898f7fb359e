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
        // What the catalog knows, and for each table what it lacks.
        var fresh: [String: [String: Double]] = [:]
        var idOf: [UUID: String] = [:]
        var asks: [TableAsk] = []
        let now = Date()
        for (connectorID, scans) in Dictionary(grouping: scans, by: \.connectorID) {
            guard let uuid = UUID(uuidString: connectorID), let connector = connectors[connectorID] else { continue }
            idOf[uuid] = connectorID
            let objects = Array(Set(scans.map(Self.object)))
            let known = (try? catalog.sourceStatistics(connectorID: uuid, objects: objects, org: org)) ?? []
            var values: [String: Double] = [:]
            for s in known where now.timeIntervalSince(s.collectedAt) < Self.maxAge {
                values[Self.key(s.object, s.column)] = s.value
            }
            for (object, tableScans) in Dictionary(grouping: scans, by: Self.object) {
                let scan = tableScans[0]
                var columns = Set<String>()
                for s in tableScans {
                    for (id, column) in zip(s.columnIDs, s.remoteColumns) where wanted.contains(id) { columns.insert(column) }
                }
                let missing = columns.filter { values[Self.key(object, $0)] == nil }.sorted()
                let rows = values[Self.key(object, nil)]
                let needsPages = values[Self.key(object, Self.pagesColumn)] == nil
                if rows == nil || (needsPages && rows! >= Self.pagesWorthKnowing) || !missing.isEmpty {
                    asks.append(TableAsk(connectorID: uuid, connector: connector, object: object, schema: scan.remoteSchema ?? "",
                                         table: scan.remoteTable, rows: rows, needsPages: needsPages, columns: missing))
                }
            }
            fresh[connectorID] = values
        }
        // The sources are asked at once, a task per table (a first query over seven tables
        // otherwise waits for each count in turn: TPC-H q10, 1.2 s).
        let answers = await withTaskGroup(of: [SourceStatistic].self) { group in
            for ask in asks { group.addTask { await ask.run(at: now) } }
            var all: [SourceStatistic] = []
            for await part in group { all += part }
            return all
        }
        for s in answers {
            if let id = idOf[s.connectorID] { fresh[id, default: [:]][Self.key(s.object, s.column)] = s.value }
        }
        for (connectorID, scans) in Dictionary(grouping: scans, by: \.connectorID) {
            guard let values = fresh[connectorID] else { continue }
            for scan in scans {
                let object = Self.object(scan)
                if let rows = values[Self.key(object, nil)] { estimator.tableRows[scan.statisticsKey] = rows }
                if let pages = values[Self.key(object, Self.pagesColumn)] { estimator.tablePages[scan.statisticsKey] = pages }
                for (id, column) in zip(scan.columnIDs, scan.remoteColumns) where wanted.contains(id) {
                    if let d = values[Self.key(object, column)] { estimator.columnDistinct[scan.statisticsKey + "\u{1}" + column] = d }
                }
            }
        }
        if !answers.isEmpty { try? catalog.saveSourceStatistics(answers, org: org) }
        return estimator
    }

    /// What one table's statistics lack, asked of its source.
    struct TableAsk: Sendable {
        let connectorID: UUID
        let connector: any Connector
        let object: String
        let schema: String
        let table: String
        /// The row count, when known already.
        let rows: Double?
        let needsPages: Bool
        let columns: [String]

        func run(at now: Date) async -> [SourceStatistic] {
            var out: [SourceStatistic] = []
            func add(_ column: String?, _ value: Double) {
                out.append(SourceStatistic(connectorID: connectorID, object: object, column: column, value: value, collectedAt: now))
            }
            var rows = self.rows
            if rows == nil, let n = try? await connector.estimatedRowCount(schema: schema, table: table) {
                rows = Double(n)
                add(nil, Double(n))
            }
            if needsPages, let rows, rows >= PlanningStatistics.pagesWorthKnowing,
               let n = try? await connector.estimatedPageCount(schema: schema, table: table) {
                add(PlanningStatistics.pagesColumn, Double(n))
            }
            if !columns.isEmpty, let counts = try? await connector.distinctCounts(schema: schema, table: table, columns: columns) {
                for column in columns { if let d = counts[column] { add(column, d) } }
            }
            return out
        }
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
