import Foundation
import MeshCore
import SQLiteDB

extension CatalogStore {
    /// Stores one new data product. See `createProducts(_:)`.
    @discardableResult
    public func createProduct(_ product: ProductRecord) throws -> ProductRecord {
        try createProducts([product])[0]
    }

    /// Stores several new data products in one transaction (IMPORT DATA PRODUCTS): either all
    /// are stored or, on the first error, none.
    ///
    /// Each product's mesh must exist in its org. A table product names a connector of the same
    /// mesh and a remote object; a view has no connector and has `viewSQL`. A name already used
    /// in the mesh (in the catalog or earlier in `products`) is `.duplicateObject`.
    @discardableResult
    public func createProducts(_ products: [ProductRecord]) throws -> [ProductRecord] {
        for product in products { try Self.validate(product) }
        return try write { db in
            for product in products {
                let mesh = try Self.checkProductReferences(db, product)
                if try db.scalarInt("SELECT 1 FROM products WHERE id = ?", [.id(product.id)]) != nil {
                    throw MeshError(.duplicateObject,
                                    "data product identifier \(product.id.uuidString.lowercased()) is already in use")
                }
                try Self.checkProductUnique(db, product, meshName: mesh.sqlName)
                try db.run("""
                    INSERT INTO products (id, org, mesh_id, name, connector_id, remote_schema, remote_name, view_sql,
                                          description, owner, freshness, columns, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.id(product.id), .text(product.org), .id(product.meshId)]
                        + (try Self.productValues(product))
                        + [.date(product.createdAt), .date(product.updatedAt)])
            }
            return products
        }
    }

    /// Replaces the product with the same id and org — name, source, description, owner,
    /// freshness, columns (types, tags, descriptions) and state — and stamps `updatedAt`.
    /// A product cannot move to another mesh. Returns it as stored.
    @discardableResult
    public func updateProduct(_ product: ProductRecord) throws -> ProductRecord {
        try Self.validate(product)
        return try write { db in
            guard let stored = try Self.fetchProduct(db, "p.id = ?", [.id(product.id)], org: product.org) else {
                throw Self.noProduct(product.id)
            }
            guard stored.meshId == product.meshId else {
                throw MeshError(.invalidParameter, "data product \"\(stored.name)\" cannot move to another mesh")
            }
            let mesh = try Self.checkProductReferences(db, product)
            try Self.checkProductUnique(db, product, meshName: mesh.sqlName)
            var updated = product
            updated.createdAt = stored.createdAt
            updated.updatedAt = CatalogTimestamp.normalized(Date())
            try db.run("""
                UPDATE products SET name = ?, connector_id = ?, remote_schema = ?, remote_name = ?, view_sql = ?,
                       description = ?, owner = ?, freshness = ?, columns = ?, state = ?, updated_at = ?
                WHERE id = ? AND org = ?
                """, (try Self.productValues(updated))
                    + [.date(updated.updatedAt), .id(updated.id), .text(updated.org)])
            return updated
        }
    }

    /// The product named `name` in mesh `meshId` of `org`, or nil.
    public func product(meshId: UUID, name: String, org: String = "default") throws -> ProductRecord? {
        try cached("product\u{1}\(org)\u{1}\(meshId)\u{1}\(name)") {
            try withDatabase { db in
                try Self.fetchProduct(db, "p.mesh_id = ? AND p.name = ?", [.id(meshId), .text(name)], org: org)
            }
        }
    }

    /// The product of `org` with this id, or nil.
    /// Sets a product's description, owner and freshness (each when given) and nothing else,
    /// so a concurrent refresh or state change is not undone.
    public func setProductInfo(id: UUID, org: String, description: String?, owner: String?, freshness: String?) throws {
        try write { db in
            for (column, value) in [("description", description), ("owner", owner), ("freshness", freshness)] {
                guard let value else { continue }
                try db.run("UPDATE products SET \(column) = ?, updated_at = ? WHERE id = ? AND org = ?",
                           [.text(value), .date(Date()), .id(id), .text(org)])
            }
        }
    }

    /// Sets a product's state alone (schema drift a query found).
    public func setProductState(id: UUID, org: String, _ state: EntityState) throws {
        try write { db in
            try db.run("UPDATE products SET state = ? WHERE id = ? AND org = ?", [try .json(state), .id(id), .text(org)])
        }
    }

    public func product(id: UUID, org: String = "default") throws -> ProductRecord? {
        try withDatabase { db in try Self.fetchProduct(db, "p.id = ?", [.id(id)], org: org) }
    }

    /// The products of `org` (of one mesh when `meshId` is given), by mesh SQL name and name.
    public func products(meshId: UUID? = nil, org: String = "default") throws -> [ProductRecord] {
        try cached("products\u{1}\(org)\u{1}\(meshId?.uuidString ?? "")") { try withDatabase { db in
            let filter = meshId == nil ? "" : "AND p.mesh_id = ?"
            return try db.query("""
                SELECT \(Self.productColumns) FROM products p JOIN meshes m ON m.id = p.mesh_id
                WHERE p.org = ? \(filter) ORDER BY m.sql_name, p.name
                """, [.text(org)] + (meshId.map { [.id($0)] } ?? []), Self.decodeProduct)
        } }
    }

    /// Deletes a data product.
    public func deleteProduct(id: UUID, org: String = "default") throws {
        try deleteProducts(ids: [id], org: org)
    }

    /// Deletes the products all together or, if one is gone, none.
    public func deleteProducts(ids: [UUID], org: String = "default") throws {
        try write { db in
            for id in ids {
                guard try Self.fetchProduct(db, "p.id = ?", [.id(id)], org: org) != nil else {
                    throw Self.noProduct(id)
                }
                try db.run("DELETE FROM products WHERE id = ? AND org = ?", [.id(id), .text(org)])
                try Self.deleteViewReads(db, of: id, org: org)
            }
        }
    }

    /// The view-read index rows of a deleted product, as the view or as what is read.
    static func deleteViewReads(_ db: SQLiteDatabase, of id: UUID, org: String) throws {
        try db.run("""
            DELETE FROM lineage_edges WHERE org = ? AND query_id IS NULL AND transform IN ('reads', 'indexed')
              AND (target_product_id = ? OR source_product_id = ?)
            """, [.text(org), .id(id), .id(id)])
    }

    // MARK: - Rows

    static let productColumns = """
        p.id, p.org, p.mesh_id, p.name, p.connector_id, p.remote_schema, p.remote_name, p.view_sql,
        p.description, p.owner, p.freshness, p.columns, p.state, p.created_at, p.updated_at
        """

    /// The values of columns `name` … `state`, in `productColumns` order.
    private static func productValues(_ p: ProductRecord) throws -> [Bindable] {
        [.text(p.name), .id(p.connectorId), .optional(p.remoteSchema), .optional(p.remoteName),
         .optional(p.viewSQL), .optional(p.description), .optional(p.owner), .optional(p.freshness),
         try .json(p.columns), try .json(p.state)]
    }

    static func decodeProduct(_ row: SQLiteStatement) throws -> ProductRecord {
        ProductRecord(
            id: try row.uuid(0, "product id"), org: row.text(1), meshId: try row.uuid(2, "product mesh id"),
            name: row.text(3), connectorId: try row.optionalUUID(4, "product connector id"),
            remoteSchema: row.optionalText(5), remoteName: row.optionalText(6), viewSQL: row.optionalText(7),
            description: row.optionalText(8), owner: row.optionalText(9), freshness: row.optionalText(10),
            columns: try row.json(11, as: [ProductColumn].self, "product columns"),
            createdAt: try row.date(13, "product creation time"),
            updatedAt: try row.date(14, "product update time"),
            state: try row.json(12, as: EntityState.self, "product state"))
    }

    /// `condition` is a fixed SQL fragment over alias `p`; the org filter is always added.
    private static func fetchProduct(_ db: SQLiteDatabase, _ condition: StaticString, _ values: [Bindable],
                                     org: String) throws -> ProductRecord? {
        try db.query("SELECT \(productColumns) FROM products p WHERE p.org = ? AND \(condition)",
                     [.text(org)] + values, decodeProduct).first
    }

    /// Checks the product's mesh and connector exist in its org and belong together; returns
    /// the mesh (for messages).
    private static func checkProductReferences(_ db: SQLiteDatabase, _ product: ProductRecord) throws -> Mesh {
        guard let mesh = try fetchMesh(db, id: product.meshId, org: product.org) else { throw noMesh(product.meshId) }
        if let connectorId = product.connectorId {
            guard let connector = try fetchConnector(db, "id = ?", .id(connectorId), org: product.org) else {
                throw noConnector(connectorId)
            }
            // Products live with their source's mesh, so dropping a mesh takes all it serves.
            guard connector.meshId == product.meshId else {
                throw MeshError(.invalidParameter,
                                "connector \"\(connector.name)\" does not belong to mesh \"\(mesh.sqlName)\"",
                                hint: "a data product reads from a connector of its own mesh")
            }
        }
        return mesh
    }

    private static func checkProductUnique(_ db: SQLiteDatabase, _ product: ProductRecord, meshName: String) throws {
        if try db.scalarInt("SELECT 1 FROM products WHERE org = ? AND mesh_id = ? AND name = ? AND id <> ?",
                            [.text(product.org), .id(product.meshId), .text(product.name), .id(product.id)]) != nil {
            throw MeshError(.duplicateObject, "data product \"\(meshName).\(product.name)\" already exists")
        }
    }

    static func noProduct(_ id: UUID) -> MeshError {
        MeshError(.undefinedObject, "data product \(id.uuidString.lowercased()) does not exist")
    }

    private static func validate(_ product: ProductRecord) throws {
        try validateOrg(product.org)
        try SQLName.validate(product.name, kind: "data product")
        if product.connectorId != nil {
            guard product.viewSQL == nil else {
                throw MeshError(.invalidParameter, "data product \"\(product.name)\" cannot be both a table and a view")
            }
            guard let remote = product.remoteName, !remote.isEmpty else {
                throw MeshError(.invalidParameter, "data product \"\(product.name)\" needs the name of its remote table")
            }
        } else {
            guard let sql = product.viewSQL, !sql.isEmpty else {
                throw MeshError(.invalidParameter,
                                "data product \"\(product.name)\" needs a connector or a defining query")
            }
        }
        var seen = Set<String>()
        for column in product.columns where !seen.insert(column.name).inserted {
            throw MeshError(.duplicateObject, "data product \"\(product.name)\" has column \"\(column.name)\" twice")
        }
    }
}
