import ConnectorKit
import Foundation
import MeshCore
import MeshPlan
import Synchronization

/// Optimized plans by statement shape (`QueryShape`), for statements a server sees again and
/// again with other literals. A point query costs less to run than to plan; this keeps the
/// planning for the first time a shape comes back.
///
/// Emptied whenever the catalog changes (its entries are tied to a metadata generation) and
/// when it holds `capacity` shapes.
final class PlanCache: Sendable {
    /// A plan made with sentinel literals, reused by putting the statement's own in their place.
    struct Template: Sendable {
        var plan: LogicalPlan
        var connectors: [String: any Connector]
        var rulesApplied: [String]
        var facts: AuditFacts
        /// The literal value each slot of the shape had when the plan was made, then each
        /// parameter's.
        var sentinels: [Value]
        /// The type each parameter is converted to, in order (the values of later runs are).
        var parameterTypes: [DataType] = []
    }

    enum Entry: Sendable {
        /// Seen once: a shape seen once is planned plainly (most never come back).
        case seen
        case template(Template)
        /// Its plan depends on more than the literals' classes (see `Session.cachedPlan`).
        case uncacheable
    }

    /// Everything a plan depends on besides the catalog and the slots' values: who asks (their
    /// policies), where (one-part names), and the settings that change plans.
    struct Key: Hashable, Sendable {
        var org: String
        var principal: Principal?
        var currentMesh: String?
        var pushdown: Bool
        var shape: String
    }

    static let capacity = 1_000

    private let state = Mutex<(generation: Int, entries: [Key: Entry])>((-1, [:]))

    /// Whether any plan is kept for `principal` (tests).
    func holdsTemplate(for principal: Principal?) -> Bool {
        state.withLock { s in s.entries.contains { k, e in if case .template = e { k.principal == principal } else { false } } }
    }

    func entry(_ key: Key, generation: Int) -> Entry? {
        state.withLock { s in s.generation == generation ? s.entries[key] : nil }
    }

    func store(_ key: Key, _ entry: Entry, generation: Int) {
        state.withLock { s in
            if s.generation != generation {
                // Made under an older catalog: not worth keeping; a newer one empties the cache.
                guard generation > s.generation else { return }
                s = (generation, [:])
            }
            if s.entries.count >= Self.capacity, s.entries[key] == nil { s.entries = [:] }
            s.entries[key] = entry
        }
    }
}
