import ConnectorKit
import Foundation
import MeshPlan
import Synchronization

/// Table sizes from the sources (PostgreSQL's `pg_class.reltuples`, SQLite's `sqlite_stat1`
/// or a count), kept for `maxAge` so planning does not ask a source on every query. A source
/// that cannot answer leaves the planner's default.
final class TableSizeCache: Sendable {
    let maxAge: TimeInterval
    private let entries = Mutex<[String: (rows: Double, at: Date)]>([:])

    init(maxAge: TimeInterval = 600) {
        self.maxAge = maxAge
    }

    /// Rows of each distinct table the scans read, by `ProductScan.statisticsKey`.
    func rows(for scans: [ProductScan], connectors: [String: any Connector]) async -> [String: Double] {
        var out: [String: Double] = [:]
        var missing: [ProductScan] = []
        let now = Date()
        let known = entries.withLock { $0 }
        for s in scans where out[s.statisticsKey] == nil {
            if let e = known[s.statisticsKey], now.timeIntervalSince(e.at) < maxAge {
                out[s.statisticsKey] = e.rows
            } else if !missing.contains(where: { $0.statisticsKey == s.statisticsKey }) {
                missing.append(s)
            }
        }
        for s in missing {
            guard let c = connectors[s.connectorID],
                  let n = try? await c.estimatedRowCount(schema: s.remoteSchema ?? "", table: s.remoteTable) else { continue }
            out[s.statisticsKey] = Double(n)
            entries.withLock { $0[s.statisticsKey] = (Double(n), Date()) }
        }
        return out
    }
}
