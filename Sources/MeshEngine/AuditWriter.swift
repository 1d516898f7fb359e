import Foundation
import MeshCatalog
import Synchronization

/// Writes audit records off the query's path: a statement hands its record over and goes on;
/// a background queue writes what has gathered in one transaction. Committing each record
/// where the statement ends would make every query wait for the catalog's disk (and hold
/// Swift's few cooperative threads while it does).
final class AuditWriter: Sendable {
    private let catalog: CatalogStore
    private let pending = Mutex<(records: [(AuditRecord, String)], scheduled: Bool)>(([], false))
    private let queue = DispatchQueue(label: "meshql.audit", qos: .utility)

    init(catalog: CatalogStore) {
        self.catalog = catalog
    }

    /// Queues a record of `org`; it is written soon, in a batch.
    func append(_ record: AuditRecord, org: String) {
        guard !catalog.readOnly else { return }
        let schedule = pending.withLock { p -> Bool in
            p.records.append((record, org))
            if p.scheduled { return false }
            p.scheduled = true
            return true
        }
        // Gathered for a moment, so that one transaction (one write of each changed page)
        // takes many records: a server under load appends thousands a second.
        if schedule { queue.asyncAfter(deadline: .now() + Self.gather) { self.write() } }
    }

    /// How long records gather before they are written.
    static let gather: DispatchTimeInterval = .milliseconds(200)

    /// Writes everything queued so far before returning (SHOW AUDIT, shutdown, tests).
    func flush() {
        queue.sync { self.write() }
    }

    private func write() {
        let batch = pending.withLock { p -> [(AuditRecord, String)] in
            defer { p.records = []; p.scheduled = false }
            return p.records
        }
        guard !batch.isEmpty else { return }
        // A record that cannot be written (a full disk) is dropped: the query it describes
        // has run; failing it now would help nobody.
        try? catalog.appendAudit(batch)
    }
}
