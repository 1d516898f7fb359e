import Foundation
import MeshCore
import SQLiteDB

/// A named policy of an org's library: one or more policy statements under a name that a
/// mesh's `security_policy` list can refer to.
public struct NamedPolicy: Sendable, Hashable {
    public var name: String
    /// The statements, separated by `;`, as written in `CREATE POLICY name AS '…'`.
    public var body: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, body: String, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.name = name
        self.body = body
        self.createdAt = CatalogTimestamp.normalized(createdAt)
        self.updatedAt = CatalogTimestamp.normalized(updatedAt)
    }
}

extension CatalogStore {
    /// The org's policy library, by name.
    public func namedPolicies(org: String = "default") throws -> [NamedPolicy] {
        try cached("policies\u{1}\(org)") { try withDatabase { db in
            try db.query("SELECT name, body, created_at, updated_at FROM named_policies WHERE org = ? ORDER BY name",
                         [.text(org)]) { s in
                NamedPolicy(name: s.text(0), body: s.text(1),
                            createdAt: CatalogTimestamp.parse(s.text(2)) ?? .distantPast,
                            updatedAt: CatalogTimestamp.parse(s.text(3)) ?? .distantPast)
            }
        } }
    }

    /// Creates or replaces a named policy.
    public func saveNamedPolicy(_ policy: NamedPolicy, org: String = "default") throws {
        try write { db in
            try db.run("""
                INSERT INTO named_policies (org, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (org, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                """, [.text(org), .text(policy.name), .text(policy.body),
                      .text(CatalogTimestamp.format(policy.createdAt)), .text(CatalogTimestamp.format(policy.updatedAt))])
        }
    }

    /// Removes a named policy; false if there was none of that name.
    @discardableResult
    public func deleteNamedPolicy(name: String, org: String = "default") throws -> Bool {
        try write { db in
            try db.run("DELETE FROM named_policies WHERE org = ? AND name = ?", [.text(org), .text(name)])
            return db.changes > 0
        }
    }
}
