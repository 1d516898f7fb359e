import Foundation
import MeshCore
import SQLiteDB

extension CatalogStore {
    /// Stores a new mesh and returns it as stored.
    /// Throws `.duplicateObject` when its SQL name is taken in its org, its id is in use, or it
    /// is a second system mesh of the org.
    @discardableResult
    public func createMesh(_ mesh: Mesh) throws -> Mesh {
        try validate(mesh)
        try Self.refuseCatalogSchemaName(mesh.sqlName)
        return try write { db in
            if try Self.meshExists(db, id: mesh.id) {
                throw MeshError(.duplicateObject, "mesh identifier \(mesh.id.uuidString.lowercased()) is already in use")
            }
            try Self.checkMeshUnique(db, mesh)
            try db.run("""
                INSERT INTO meshes (id, org, sql_name, name, label, description, purpose, owner, assignees,
                                    security_policy, entity_info, is_system, created_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, try Self.meshValues(mesh) + [.date(mesh.createdAt), .json(mesh.state)])
            return mesh
        }
    }

    /// Replaces every field of the mesh with the same id and org, except `createdAt`.
    /// Returns the mesh as stored.
    /// - Parameter rewrites: for a mesh taking a new SQL name, the other meshes' policy lists,
    ///   the library's policies and the views that named it, rewritten: saved in the same
    ///   transaction, so no reader ever sees a rule pointing at a name that is gone.
    @discardableResult
    public func updateMesh(_ mesh: Mesh, rewrites: MeshRenameRewrites = MeshRenameRewrites()) throws -> Mesh {
        try validate(mesh)
        return try write { db in
            guard let stored = try Self.fetchMesh(db, id: mesh.id, org: mesh.org) else {
                throw Self.noMesh(mesh.id)
            }
            try Self.checkMeshUnique(db, mesh)
            try db.run("""
                UPDATE meshes SET id = ?, org = ?, sql_name = ?, name = ?, label = ?, description = ?,
                       purpose = ?, owner = ?, assignees = ?, security_policy = ?, entity_info = ?,
                       is_system = ?, state = ?
                WHERE id = ? AND org = ?
                """, try Self.meshValues(mesh) + [.json(mesh.state), .id(mesh.id), .text(mesh.org)])
            for (id, list) in rewrites.policyLists where id != mesh.id {
                try db.run("UPDATE meshes SET security_policy = ? WHERE id = ? AND org = ?", [.json(list), .id(id), .text(mesh.org)])
            }
            for (name, body) in rewrites.namedPolicies {
                try db.run("UPDATE named_policies SET body = ?, updated_at = ? WHERE org = ? AND name = ?",
                           [.text(body), .date(Date()), .text(mesh.org), .text(name)])
            }
            for (id, sql) in rewrites.viewSQL {
                try db.run("UPDATE products SET view_sql = ? WHERE id = ? AND org = ?", [.text(sql), .id(id), .text(mesh.org)])
            }
            var updated = mesh
            updated.createdAt = stored.createdAt
            return updated
        }
    }

    /// The mesh of `org` with this SQL name, or nil.
    public func mesh(sqlName: String, org: String = "default") throws -> Mesh? {
        try cached("mesh\u{1}\(org)\u{1}\(sqlName)") {
            try withDatabase { db in
                try db.query("SELECT \(Self.meshColumns) FROM meshes WHERE org = ? AND sql_name = ?",
                             [.text(org), .text(sqlName)], Self.decodeMesh).first
            }
        }
    }

    /// The mesh of `org` with this id, or nil (also when it belongs to another org).
    public func mesh(id: UUID, org: String = "default") throws -> Mesh? {
        try withDatabase { db in try Self.fetchMesh(db, id: id, org: org) }
    }

    /// Every mesh of `org`, by SQL name.
    public func meshes(org: String = "default") throws -> [Mesh] {
        try cached("meshes\u{1}\(org)") {
            try withDatabase { db in
                try db.query("SELECT \(Self.meshColumns) FROM meshes WHERE org = ? ORDER BY sql_name",
                             [.text(org)], Self.decodeMesh)
            }
        }
    }

    /// The org's system mesh (org-wide policy), or nil.
    public func systemMesh(org: String = "default") throws -> Mesh? {
        try withDatabase { db in
            try db.query("SELECT \(Self.meshColumns) FROM meshes WHERE org = ? AND is_system = 1",
                         [.text(org)], Self.decodeMesh).first
        }
    }

    /// Deletes a mesh together with its connectors. A mesh that still has data products is
    /// refused with `.dependentObjects` unless `cascade`, which deletes the products too.
    /// All in one transaction.
    @discardableResult
    /// - Parameter alsoDeleting: products of other meshes (views over this one's) that go in
    ///   the same transaction.
    public func deleteMesh(id: UUID, org: String = "default", cascade: Bool = false,
                           alsoDeleting others: [UUID] = []) throws -> CatalogDeletion {
        try write { db in
            guard let mesh = try Self.fetchMesh(db, id: id, org: org) else { throw Self.noMesh(id) }
            for other in others {
                try db.run("DELETE FROM products WHERE id = ? AND org = ?", [.id(other), .text(org)])
                try Self.deleteViewReads(db, of: other, org: org)
            }
            let products = try db.scalarInt("SELECT count(*) FROM products WHERE mesh_id = ?", [.id(id)]) ?? 0
            if products > 0 && !cascade {
                throw MeshError(.dependentObjects,
                                "mesh \"\(mesh.sqlName)\" still has \(products) data product\(products == 1 ? "" : "s")",
                                hint: "drop the data products first, or use DROP MESH … CASCADE")
            }
            let own = try db.query("SELECT id FROM products WHERE mesh_id = ?", [.id(id)]) { $0.text(0) }
            for p in own.compactMap(UUID.init(uuidString:)) { try Self.deleteViewReads(db, of: p, org: org) }
            try db.run("DELETE FROM products WHERE mesh_id = ?", [.id(id)])
            try db.run("DELETE FROM connectors WHERE mesh_id = ?", [.id(id)])
            let connectors = db.changes
            try db.run("DELETE FROM meshes WHERE id = ?", [.id(id)])
            return CatalogDeletion(products: products, connectors: connectors)
        }
    }

    // MARK: - Rows

    static let meshColumns = """
        id, org, sql_name, name, label, description, purpose, owner, assignees, security_policy,
        entity_info, is_system, created_at, state
        """

    /// The values of columns `id` … `is_system`, in table order.
    private static func meshValues(_ m: Mesh) throws -> [Bindable] {
        [.id(m.id), .text(m.org), .text(m.sqlName), .text(m.name), .text(m.label), .text(m.description),
         .text(m.purpose), .optional(m.owner), try .json(m.assignees), try .json(m.securityPolicy),
         try .json(m.entityInfo), .int(m.isSystem ? 1 : 0)]
    }

    static func decodeMesh(_ row: SQLiteStatement) throws -> Mesh {
        Mesh(id: try row.uuid(0, "mesh id"), org: row.text(1), sqlName: row.text(2), name: row.text(3),
             label: row.text(4), description: row.text(5), purpose: row.text(6), owner: row.optionalText(7),
             assignees: try row.json(8, as: [Assignee].self, "mesh assignees"),
             securityPolicy: try row.json(9, as: [String].self, "mesh security policy"),
             entityInfo: try row.json(10, as: EntityInfo.self, "mesh entity info"),
             isSystem: row.int64(11) != 0, createdAt: try row.date(12, "mesh creation time"),
             state: try row.json(13, as: EntityState.self, "mesh state"))
    }

    static func fetchMesh(_ db: SQLiteDatabase, id: UUID, org: String) throws -> Mesh? {
        try db.query("SELECT \(meshColumns) FROM meshes WHERE id = ? AND org = ?",
                     [.id(id), .text(org)], decodeMesh).first
    }

    private static func meshExists(_ db: SQLiteDatabase, id: UUID) throws -> Bool {
        try db.scalarInt("SELECT 1 FROM meshes WHERE id = ?", [.id(id)]) != nil
    }

    /// SQL name and system-mesh uniqueness within the org, ignoring the mesh itself.
    private static func checkMeshUnique(_ db: SQLiteDatabase, _ mesh: Mesh) throws {
        if try db.scalarInt("SELECT 1 FROM meshes WHERE org = ? AND sql_name = ? AND id <> ?",
                            [.text(mesh.org), .text(mesh.sqlName), .id(mesh.id)]) != nil {
            throw MeshError(.duplicateObject, "mesh \"\(mesh.sqlName)\" already exists")
        }
        if mesh.isSystem,
           try db.scalarInt("SELECT 1 FROM meshes WHERE org = ? AND is_system = 1 AND id <> ?",
                            [.text(mesh.org), .id(mesh.id)]) != nil {
            throw MeshError(.duplicateObject, "the organisation already has a system mesh")
        }
    }

    static func noMesh(_ id: UUID) -> MeshError {
        MeshError(.undefinedObject, "mesh \(id.uuidString.lowercased()) does not exist")
    }

    private func validate(_ mesh: Mesh) throws {
        try Self.validateOrg(mesh.org)
        if mesh.sqlName.isEmpty {
            throw MeshError(.invalidParameter, "mesh name \"\(mesh.name)\" has no letters or digits to make a SQL name",
                            hint: "give sql_name explicitly")
        }
        try SQLName.validate(mesh.sqlName, kind: "mesh")
    }

    /// `pg_catalog`, `information_schema` and every `pg_…` name are PostgreSQL's schemas, which
    /// the emulated catalog answers for: a mesh so named could never be read.
    public static func refuseCatalogSchemaName(_ sqlName: String) throws {
        if sqlName.hasPrefix("pg_") || sqlName == "information_schema" {
            throw MeshError(.invalidParameter, "mesh name \"\(sqlName)\" is reserved for PostgreSQL's catalog",
                            hint: "names beginning with pg_, and information_schema, are PostgreSQL's schemas")
        }
    }

    static func validateOrg(_ org: String) throws {
        guard !org.isEmpty else { throw MeshError(.invalidParameter, "organisation must not be empty") }
    }
}

/// What else a mesh's new SQL name changes (`updateMesh(_:rewrites:)`).
public struct MeshRenameRewrites: Sendable {
    /// Per mesh id, its whole `security_policy` list.
    public var policyLists: [UUID: [String]] = [:]
    /// Per library policy name, its body.
    public var namedPolicies: [String: String] = [:]
    /// Per view (product) id, its query.
    public var viewSQL: [UUID: String] = [:]

    public init() {}

    public var isEmpty: Bool { policyLists.isEmpty && namedPolicies.isEmpty && viewSQL.isEmpty }
}
