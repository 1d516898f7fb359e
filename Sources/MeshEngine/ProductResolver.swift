import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshPolicy

/// Resolves `mesh.product` for the binder from the catalog, in the session's organisation
/// and current mesh, with what the principal's policies allow. A product the principal may
/// not read resolves to nil: to them it does not exist.
struct ProductResolver: CatalogResolver {
    let catalog: CatalogStore
    let org: String
    let currentMesh: String?
    /// Nil: the local superuser, who bypasses policies.
    let principal: Principal?
    let policies: PolicyBook?
    /// The emulated PostgreSQL catalog, made when a statement first reads it; nil where
    /// statements do not see it (checking policies and views as they are saved).
    let pgCatalog: PGCatalogSource?

    init(catalog: CatalogStore, org: String, currentMesh: String?, principal: Principal? = nil, policies: PolicyBook? = nil,
         pgCatalog: PGCatalogSource? = nil) {
        self.catalog = catalog
        self.org = org
        self.currentMesh = currentMesh
        self.principal = principal
        self.policies = policies
        self.pgCatalog = pgCatalog
    }

    func postgresCatalog() throws -> PostgresCatalogFacts? { try pgCatalog?.facts() }

    func resolve(mesh: String?, product: String) throws -> ResolvedRelation? {
        if let pgCatalog {
            // pg_catalog comes first on PostgreSQL's search path: `pg_class` is its table.
            let schema = mesh ?? (product.hasPrefix("pg_") ? "pg_catalog" : nil)
            if let schema, PGCatalogSource.schemas.contains(schema) {
                if let table = PGCatalogTables.table(schema: schema, name: product) {
                    return .rows(table.relation(try pgCatalog.snapshot()))
                }
                // `pg_catalog.x` that is not emulated does not exist; a one-part `pg_x` may
                // still be a product of the session's mesh.
                if mesh != nil { return nil }
            }
        }
        guard let meshName = mesh ?? currentMesh,
              let m = try catalog.mesh(sqlName: meshName, org: org),
              let p = try catalog.product(meshId: m.id, name: product, org: org) else { return nil }
        var access: ProductAccess?
        if let principal {
            guard let policies, let a = try policies.access(to: p, in: m, for: principal) else { return nil }
            access = a
        }
        let full = "\(m.sqlName).\(p.name)"
        // Its columns no longer match its source (or the source table is gone): reading it
        // would give wrong rows or fail obscurely.
        guard p.state.healthy else {
            // The reason names columns, hidden ones too: its managers' to read.
            let reason = principal.map { $0.manages(m) } ?? true ? p.state.reason : "its source's schema changed (its managers can tell how)"
            throw MeshError(.unavailable, "data product \(full) is unhealthy: \(reason)",
                            hint: "REFRESH DATA PRODUCT \(full) once its source is as it should be")
        }
        if let sql = p.viewSQL { return .view(name: full, sql: sql, access: access) }
        guard let cid = p.connectorId, let c = try catalog.connector(id: cid, org: org), let remote = p.remoteName else {
            return nil
        }
        var fields: [Field] = []
        for col in p.columns {
            guard let t = col.dataType else {
                throw MeshError(.catalog, "column \"\(col.name)\" of \(full) has an unknown type")
            }
            fields.append(Field(name: col.name, type: t, nullable: col.nullable))
        }
        return .table(ProductScan(productName: full, connectorID: cid.uuidString, connectorName: c.name,
                                  remoteSchema: p.remoteSchema, remoteTable: remote, fields: fields,
                                  remoteColumns: p.columns.map(\.name), nativeTypes: p.columns.map(\.nativeType)),
                     access: access)
    }
}
