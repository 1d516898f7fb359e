import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshPolicy

/// What the emulated PostgreSQL catalog shows one principal: the meshes (schemas) and products
/// (tables, and views for derived products) it may read, each with the columns its policies
/// leave it, and a stable OID for each. Made once per statement that reads the catalog.
struct PGCatalogSnapshot: Sendable {
    struct Schema: Sendable {
        let oid: Int64
        let name: String
        let description: String?
    }

    struct Relation: Sendable {
        let oid: Int64
        let schema: Schema
        let name: String
        /// `r` for a product read from a source, `v` for a derived product.
        let kind: String
        let columns: [ProductColumn]
        let description: String?
        /// The derived product's SQL, for those who manage its mesh.
        let definition: String?
    }

    /// The org: PostgreSQL's database.
    let database: String
    /// The principal (the role clients see as the current user).
    let user: String
    let currentSchema: String?
    let schemas: [Schema]
    let relations: [Relation]
    let backendPID: Int64
    /// The session's settings as `current_setting()` and `pg_settings` show them.
    let settings: [String: String]

    /// OIDs below this are PostgreSQL's own objects.
    static let firstUserOID: Int64 = 16_384
    static let userRoleOID: Int64 = 10
    static let databaseOID: Int64 = 16_383

    /// A stable OID for a catalog entity: from its UUID, so the same product has the same OID
    /// in every statement (clients look a table up by name, then by OID).
    static func oid(_ id: UUID, taken: inout Set<Int64>) -> Int64 {
        let u = id.uuid
        var v = (Int64(u.0) << 24 | Int64(u.1) << 16 | Int64(u.2) << 8 | Int64(u.3)) % (Int64(Int32.max) - firstUserOID)
        v += firstUserOID
        // Two ids hashing alike (rare): the later in UUID order takes the next free number.
        while taken.contains(v) { v = v + 1 >= Int64(Int32.max) ? firstUserOID : v + 1 }
        taken.insert(v)
        return v
    }
}

extension Session {
    /// What a PostgreSQL server reports of itself, as its clients ask (`current_setting`).
    static let serverSettings: [String: String] = [
        "server_version": QueryIdentity.postgresVersion, "server_version_num": "150000", "server_encoding": "UTF8",
        "client_encoding": "UTF8", "datestyle": "ISO, MDY", "timezone": "UTC", "integer_datetimes": "on",
        "standard_conforming_strings": "on", "default_table_access_method": "heap", "max_identifier_length": "63",
        "max_index_keys": "32", "transaction_isolation": "read committed", "default_transaction_isolation": "read committed",
        "transaction_read_only": "on", "default_transaction_read_only": "on", "application_name": "",
        "lc_collate": "C", "lc_ctype": "C", "block_size": "8192",
    ]

    /// The catalog as this session's principal may see it (the local superuser sees all).
    func pgCatalogSnapshot() throws -> PGCatalogSnapshot {
        let book = try policyBook()
        var taken = Set<Int64>()
        var schemas: [PGCatalogSnapshot.Schema] = []
        var relations: [PGCatalogSnapshot.Relation] = []
        let meshes = try catalog.meshes(org: org).sorted { $0.id.uuidString < $1.id.uuidString }
        var readable: [(Mesh, [ProductRecord])] = []
        for m in meshes {
            let products = try visibleProducts(of: m, book)
            guard principal == nil || manages(m) || !products.isEmpty else { continue }
            readable.append((m, products))
        }
        for (m, products) in readable {
            let schema = PGCatalogSnapshot.Schema(oid: PGCatalogSnapshot.oid(m.id, taken: &taken), name: m.sqlName,
                                                  description: m.description.isEmpty ? nil : m.description)
            schemas.append(schema)
            for p in products.sorted(by: { $0.id.uuidString < $1.id.uuidString }) {
                var columns = p.columns
                if let principal, let book, let access = try book.access(to: p, in: m, for: principal) {
                    columns.removeAll { access.hiddenColumns.contains($0.name) }
                }
                relations.append(.init(oid: PGCatalogSnapshot.oid(p.id, taken: &taken), schema: schema, name: p.name,
                                       kind: p.isView ? "v" : "r", columns: columns, description: p.description,
                                       definition: manages(m) ? p.viewSQL : nil))
            }
        }
        var settings = Self.serverSettings
        settings["search_path"] = currentMesh ?? ""
        settings["is_superuser"] = principal == nil ? "on" : "off"
        settings.merge(clientSettings) { _, client in client }
        return PGCatalogSnapshot(database: org, user: principal?.user ?? "meshql", currentSchema: currentMesh,
                                 schemas: schemas.sorted { $0.name < $1.name },
                                 relations: relations.sorted { ($0.schema.name, $0.name) < ($1.schema.name, $1.name) },
                                 backendPID: Int64(backendPID), settings: settings)
    }
}
