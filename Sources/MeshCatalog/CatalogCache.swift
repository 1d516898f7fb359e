import Foundation
import Synchronization

/// A cache of catalog reads (meshes, products, connectors, policies, tokens) for the planner's
/// hot path: every query resolves its products, and a server does so thousands of times a
/// second. Writes through this store empty it; writes by another process are noticed through
/// SQLite's `PRAGMA data_version`, looked at no more than every `recheck` (so another
/// process's change shows within that time).
final class CatalogCache: Sendable {
    private struct State {
        var entries: [String: any Sendable] = [:]
        var version: Int64 = -1
        var checkedAt: ContinuousClock.Instant?
        /// Bumped by every clear: a value read before a write must not be stored after it.
        var generation = 0
    }
    private let state = Mutex(State())
    static let recheck: Duration = .milliseconds(50)

    /// A cached value, or nil. `currentVersion` is asked for only when the last look at the
    /// file's version is older than `recheck`.
    func value<T: Sendable>(_ key: String, as type: T.Type, currentVersion: () throws -> Int64) rethrows -> T? {
        let now = ContinuousClock.now
        let stale = state.withLock { s -> Bool in
            guard let at = s.checkedAt else { return true }
            return now - at > Self.recheck
        }
        if stale {
            let v = try currentVersion()
            state.withLock { s in
                if s.version != v { s.entries = [:]; s.version = v; s.generation += 1 }
                s.checkedAt = now
            }
        }
        // Unwrapped first: a stored nil (no such mesh) is a hit; a missing entry is not, and
        // `nil as? Mesh?` would pass for one.
        return state.withLock { s -> T? in
            guard let entry = s.entries[key] else { return nil }
            return entry as? T
        }
    }

    /// The generation to pass to `store` for a value about to be read.
    var generation: Int { state.withLock { $0.generation } }

    /// The generation now, having looked at the file's version if the last look is older than
    /// `recheck`: what a cache of things derived from the catalog (plans) keys on.
    func currentGeneration(currentVersion: () throws -> Int64) rethrows -> Int {
        _ = try value("", as: Never?.self, currentVersion: currentVersion)
        return generation
    }

    /// Keeps a value read in `generation`, unless a write has emptied the cache since.
    func store<T: Sendable>(_ key: String, _ value: T, readIn generation: Int) {
        state.withLock { s in if s.generation == generation { s.entries[key] = value } }
    }

    /// After a write through this store.
    func clear() {
        state.withLock { s in
            s.entries = [:]
            s.generation += 1
        }
    }
}

extension CatalogStore {
    /// A value derived from catalog reads (the engine's parsed policies), kept like the reads
    /// themselves until a write.
    public func memoized<T: Sendable>(_ key: String, _ load: () throws -> T) throws -> T {
        try cached("derived\u{1}" + key, load)
    }

    /// A number that changes whenever the catalog may have: after every write, by this
    /// process or (noticed within `CatalogCache.recheck`) another. Caches of things derived
    /// from the catalog, such as plans, key on it.
    public func metadataGeneration() throws -> Int {
        try cache.currentGeneration(currentVersion: { try dataVersion() })
    }

    /// `load()`'s result, from the cache when it holds one for `key`.
    func cached<T: Sendable>(_ key: String, keepIf keep: (T) -> Bool = { _ in true }, _ load: () throws -> T) throws -> T {
        if let hit = try cache.value(key, as: T.self, currentVersion: { try dataVersion() }) { return hit }
        let generation = cache.generation
        let value = try load()
        if keep(value) { cache.store(key, value, readIn: generation) }
        return value
    }

    /// The value cached for `key`, nil on a miss (nothing is read from the file but its
    /// version, at most every `CatalogCache.recheck`).
    func cachedOnly<T: Sendable>(_ key: String, as type: T.Type) throws -> T? {
        try cache.value(key, as: T.self, currentVersion: { try dataVersion() })
    }

    private func dataVersion() throws -> Int64 {
        try withDatabase { db in Int64(try db.scalarInt("PRAGMA data_version") ?? 0) }
    }
}
