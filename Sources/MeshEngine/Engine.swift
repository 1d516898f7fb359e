import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MariaDBConnector
import MeshLineage
import PostgresConnector
import SQLiteConnector

/// The composition of one catalog file, the connector registry and the live connector
/// instances (with their pools). One engine serves any number of sessions.
///
/// `@unchecked Sendable`: the connector cache is only touched under `lock`; the catalog store
/// and connectors are themselves thread-safe.
public final class Engine: @unchecked Sendable {
    public let catalog: CatalogStore
    public let registry: ConnectorRegistry
    /// Relative SQLite paths in connector options resolve against the catalog's folder.
    public let baseDirectory: String

    /// Writes the audit log in the background.
    let auditWriter: AuditWriter
    /// Where each query's OpenLineage events go, if anywhere.
    let lineageSink: LineageDispatcher?
    /// Plans of statements seen before, by shape.
    let planCache = PlanCache()
    /// Writes connectors' and products' states off the query's path (`SourceHealth`).
    let stateWriter = DispatchQueue(label: "meshql.state", qos: .utility)

    private let lock = NSLock()
    private var instances: [UUID: (record: ConnectorRecord, connector: any Connector)] = [:]

    /// The registry of every connector type meshql ships; one line per `connectors/` folder.
    public static func defaultRegistry() -> ConnectorRegistry {
        var r = ConnectorRegistry()
        PostgresConnector.register(in: &r)
        SQLiteConnector.register(in: &r)
        MariaDBConnector.register(in: &r)
        return r
    }

    /// - Parameters:
    ///   - readOnly: open the catalog for reading only (nil: when it is not writable).
    ///   - lineage: where each query's OpenLineage events go (a file, an HTTP endpoint); by
    ///     default what `MESHQL_LINEAGE_FILE`, `MESHQL_LINEAGE_URL` and
    ///     `MESHQL_LINEAGE_API_KEY` say, else nowhere.
    public init(catalogPath: String, readOnly: Bool? = nil, registry: ConnectorRegistry = Engine.defaultRegistry(),
                lineage: LineageOptions = .fromEnvironment()) throws {
        let absolute = URL(fileURLWithPath: catalogPath).standardizedFileURL.path
        self.catalog = try CatalogStore(path: absolute, readOnly: readOnly)
        self.registry = registry
        self.baseDirectory = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
        self.auditWriter = AuditWriter(catalog: catalog)
        self.lineageSink = try LineageDispatcher(lineage)
    }

    /// Writes the audit records still queued (they are written in the background).
    public func flushAudit() {
        auditWriter.flush()
        lineageSink?.flush()
        stateWriter.sync {}
    }

    /// Waits up to `timeout` for the lineage events so far to reach their sinks (an HTTP
    /// endpoint's included).
    public func flushLineage(timeout: TimeInterval) {
        lineageSink?.drain(timeout: timeout)
    }

    public func makeSession() -> Session { Session(engine: self) }

    /// Whether the plan cache keeps a plan for `principal` now (tests).
    public func planCacheHolds(principal: Principal?) -> Bool { planCache.holdsTemplate(for: principal) }

    /// The live connector for a catalog record, created on first use and re-created when the
    /// record's options changed. Made under the lock, so concurrent requests get the same one
    /// (making one opens nothing: pools connect on first use).
    func connector(for record: ConnectorRecord) throws -> any Connector {
        lock.lock()
        if let cached = instances[record.id], cached.record.options == record.options,
           cached.record.secretOptions == record.secretOptions {
            lock.unlock()
            return cached.connector
        }
        let old = instances.removeValue(forKey: record.id)
        let made: any Connector
        do {
            made = try registry.make(type: record.type, options: record.connectionOptions, baseDirectory: baseDirectory)
        } catch {
            lock.unlock()
            old?.connector.shutdown()
            throw error
        }
        instances[record.id] = (record, made)
        lock.unlock()
        old?.connector.shutdown()
        return made
    }

    func forgetConnector(_ id: UUID) {
        lock.lock()
        let old = instances.removeValue(forKey: id)
        lock.unlock()
        old?.connector.shutdown()
    }

    /// Closes every pooled connection, then waits up to `drainTimeout` (in all, not per
    /// connector) for those still lent: cancelled queries give theirs back once their sources
    /// acknowledged the cancel, so a process that exits next leaves nothing running.
    public func shutdown(drainTimeout: TimeInterval = 3) {
        auditWriter.flush()
        // An HTTP endpoint gets a moment to take what is queued; a dead one none.
        lineageSink?.close(timeout: 2)
        lock.lock()
        let all = instances.values.map(\.connector)
        instances.removeAll()
        lock.unlock()
        all.forEach { $0.shutdown() }
        let deadline = Date().addingTimeInterval(drainTimeout)
        for c in all { c.drain(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }
}
