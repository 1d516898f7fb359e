import Foundation
import MeshCore
import SQLiteDB

/// A key for `hash(x, 'name')` masks shared by several meshes of an org, so that their hashed
/// columns still join: an explicit choice of an org admin. Without one, each mesh's `hash()`
/// has its own key and its hashed values compare with no other mesh's.
public struct HashDomain: Sendable, Hashable {
    public var id: UUID
    public var org: String
    public var name: String
    /// The member meshes, by id: a renamed mesh stays a member.
    public var meshIDs: [UUID]
    public var createdAt: Date

    public init(id: UUID = UUID(), org: String, name: String, meshIDs: [UUID], createdAt: Date = Date()) {
        self.id = id
        self.org = org
        self.name = name
        self.meshIDs = meshIDs
        self.createdAt = CatalogTimestamp.normalized(createdAt)
    }
}

extension CatalogStore {
    /// Stores a new domain; `.duplicateObject` when the org has one of that name.
    public func createHashDomain(_ domain: HashDomain) throws {
        try write { db in
            try db.run("INSERT OR IGNORE INTO hash_domains (id, org, name, meshes, created_at) VALUES (?, ?, ?, ?, ?)",
                       [.id(domain.id), .text(domain.org), .text(domain.name),
                        .json(domain.meshIDs.map { $0.uuidString.lowercased() }), .date(domain.createdAt)])
            guard db.changes > 0 else { throw MeshError(.duplicateObject, "hash domain \"\(domain.name)\" already exists") }
        }
    }

    /// Replaces a domain's members (its key stays).
    public func updateHashDomain(_ domain: HashDomain) throws {
        try write { db in
            try db.run("UPDATE hash_domains SET meshes = ? WHERE id = ? AND org = ?",
                       [.json(domain.meshIDs.map { $0.uuidString.lowercased() }), .id(domain.id), .text(domain.org)])
        }
    }

    /// Removes a domain; false when there was none of that name.
    @discardableResult
    public func deleteHashDomain(name: String, org: String) throws -> Bool {
        try write { db in
            try db.run("DELETE FROM hash_domains WHERE org = ? AND name = ?", [.text(org), .text(name)])
            return db.changes > 0
        }
    }

    /// An org's domains, by name.
    public func hashDomains(org: String) throws -> [HashDomain] {
        try cached("hashDomains\u{1}" + org) {
            try withDatabase { db in
                try db.query("SELECT id, org, name, meshes, created_at FROM hash_domains WHERE org = ? ORDER BY name",
                             [.text(org)]) { s in
                    let ids = try s.json(3, as: [String].self, "hash domain meshes")
                    return HashDomain(id: try s.uuid(0, "hash domain id"), org: s.text(1), name: s.text(2),
                                      meshIDs: ids.compactMap(UUID.init(uuidString:)), createdAt: try s.date(4, "hash domain time"))
                }
            }
        }
    }

    /// The key of `hash()` masks over the products of one mesh, or of one hash domain:
    /// derived from the catalog's secret, the org and the mesh's (domain's) id, so no two
    /// meshes hash alike unless an admin put them in one domain.
    public func maskingKey(org: String, meshID: UUID) throws -> [UInt8] {
        try sealer().derivedKey("meshql mask hash v2:" + org + ":mesh:" + meshID.uuidString.lowercased())
    }

    public func maskingKey(org: String, domain: HashDomain) throws -> [UInt8] {
        try sealer().derivedKey("meshql mask hash v2:" + org + ":domain:" + domain.id.uuidString.lowercased())
    }
}
