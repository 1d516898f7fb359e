import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshPolicy
import MeshSQL

extension Session {
    func columns(of table: RemoteTable) -> [ProductColumn] {
        table.columns.map { ProductColumn(name: $0.name, dataType: $0.type, nativeType: $0.nativeType, nullable: $0.nullable) }
    }

    func createProduct(_ name: QualifiedName, source: QualifiedName, options: [OptionItem],
                       ifNotExists: Bool) async throws -> StatementResult {
        let (mesh, productName) = try splitProductName(name)
        if try catalog.product(meshId: mesh.id, name: productName, org: org) != nil {
            if ifNotExists { return .message("CREATE DATA PRODUCT (already exists, skipped)") }
            throw MeshError(.duplicateObject, "data product \"\(name)\" already exists", at: name.location)
        }
        guard source.parts.count == 2 || source.parts.count == 3 else {
            throw MeshError(.syntax, "the source of a data product is connector.schema.table or connector.table", at: source.location)
        }
        let record = try requireConnector(source.parts[0])
        guard record.meshId == mesh.id else {
            throw MeshError(.invalidParameter, "connector \"\(record.name)\" belongs to another mesh", at: source.location)
        }
        let schema = source.parts.count == 3 ? source.parts[1] : nil
        let tableName = source.parts.last!
        let tables = try await sourceConnector(for: record).discover(schema: schema)
        guard let table = tables.first(where: { $0.name == tableName }) ?? tables.first(where: { $0.name.lowercased() == tableName }) else {
            throw MeshError(.undefinedTable, "relation \"\(source.parts.dropFirst().joined(separator: "."))\" does not exist in connector \"\(record.name)\"",
                            at: source.location)
        }
        // A second product over a table already published would carry none of the first one's
        // column tags and none of the rules written against its name (an org-wide mask, an
        // admin's DENY): a principal derives from the product instead (a view reads through
        // its policies). The operator is not held to this.
        if principal != nil, let existing = try catalog.products(meshId: mesh.id, org: org).first(where: {
            $0.connectorId == record.id && $0.remoteSchema == table.schema && $0.remoteName == table.name
        }) {
            throw MeshError(.duplicateObject, "source table \(source.parts.dropFirst().joined(separator: ".")) is published already, as data product \(mesh.sqlName).\(existing.name)",
                            at: source.location,
                            hint: "derive from it instead: CREATE DATA PRODUCT \(mesh.sqlName).\(productName) AS SELECT … FROM \(mesh.sqlName).\(existing.name)")
        }
        var product = ProductRecord(org: org, meshId: mesh.id, name: productName, connectorId: record.id,
                                    remoteSchema: table.schema, remoteName: table.name, columns: columns(of: table))
        try apply(options, to: &product)
        _ = try catalog.createProduct(product)
        return .message("CREATE DATA PRODUCT")
    }

    func importProducts(_ connectorName: String, schema: String?, limitTo: [String]) async throws -> StatementResult {
        let record = try requireConnector(connectorName)
        guard let mesh = try catalog.mesh(id: record.meshId, org: org) else {
            throw MeshError(.catalog, "connector \"\(connectorName)\" has no mesh")
        }
        let tables = try await sourceConnector(for: record).discover(schema: schema)
        var wanted = Set(limitTo)
        var created: [ProductRecord] = []
        var skipped: [String] = []
        for t in tables {
            let name = t.name.lowercased()
            if !limitTo.isEmpty {
                guard wanted.remove(t.name) != nil || wanted.remove(name) != nil else { continue }
            }
            if try catalog.product(meshId: mesh.id, name: name, org: org) != nil {
                skipped.append(name)
                continue
            }
            created.append(ProductRecord(org: org, meshId: mesh.id, name: name, connectorId: record.id,
                                         remoteSchema: t.schema, remoteName: t.name, columns: columns(of: t)))
        }
        if let missing = wanted.sorted().first {
            throw MeshError(.undefinedTable, "relation \"\(missing)\" does not exist in connector \"\(connectorName)\"")
        }
        _ = try catalog.createProducts(created)
        var msg = "IMPORT \(created.count)"
        if !created.isEmpty { msg += " — \(mesh.sqlName): " + created.map(\.name).joined(separator: ", ") }
        if !skipped.isEmpty { msg += "; skipped (already exist): " + skipped.joined(separator: ", ") }
        // Nothing at all to import is worth saying: a wrong file or schema looks just like this.
        if tables.isEmpty {
            msg += " — connector \"\(connectorName)\" shows no tables" + (schema.map { " in schema \"\($0)\"" } ?? "")
                + " (is it the source you meant?)"
        }
        return .message(msg)
    }

    func refreshProduct(_ name: QualifiedName) async throws -> StatementResult {
        var product = try requireProduct(name)
        guard let cid = product.connectorId, let record = try catalog.connector(id: cid, org: org),
              let remote = product.remoteName else {
            return .message("REFRESH DATA PRODUCT (a view: nothing to read)")
        }
        let tables = try await sourceConnector(for: record).discover(schema: product.remoteSchema)
        guard let table = tables.first(where: { $0.name == remote }) else {
            product.state = EntityState(code: "410", reason: "The source table no longer exists.", healthy: false)
            _ = try catalog.updateProduct(product)
            return .message("REFRESH DATA PRODUCT — drift: the source table is gone")
        }
        let fresh = columns(of: table)
        let old = Dictionary(uniqueKeysWithValues: product.columns.map { ($0.name, $0) })
        let new = Dictionary(uniqueKeysWithValues: fresh.map { ($0.name, $0) })
        var changes: [String] = []
        for c in fresh where old[c.name] == nil { changes.append("added \(c.name)") }
        for c in product.columns where new[c.name] == nil { changes.append("removed \(c.name)") }
        for c in fresh { if let o = old[c.name], o.type != c.type { changes.append("\(c.name): \(o.type) → \(c.type)") } }
        // Tags and descriptions are the product's own; keep them for columns that remain.
        product.columns = fresh.map { c in
            var c = c
            if let o = old[c.name] { c.tags = o.tags; c.description = o.description }
            return c
        }
        product.state = changes.isEmpty ? .created
            : EntityState(code: "409", reason: "Schema drift: " + changes.joined(separator: "; "), healthy: true)
        product.updatedAt = Date()
        _ = try catalog.updateProduct(product)
        return .message(changes.isEmpty ? "REFRESH DATA PRODUCT — no drift" : "REFRESH DATA PRODUCT — drift: " + changes.joined(separator: "; "))
    }

    func show(_ target: ShowTarget) throws -> QueryResult {
        func text(_ s: String?) -> Value { s.map { .string($0) } ?? .null }
        let book = try policyBook()
        switch target {
        case .meshes:
            let meshes = try catalog.meshes(org: org).filter { try isVisible($0, book) }
            let fields = ["mesh", "name", "label", "owner", "connectors", "products", "description"].map {
                Field(name: $0, type: ["connectors", "products"].contains($0) ? .bigint : .text)
            }
            // Loaded for the superuser too: an undefined policy name makes a mesh unhealthy.
            let policies = try book ?? orgPolicies()
            let rows = try meshes.map { m -> [Value] in
                [.string(m.sqlName), .string(m.name), .string(m.label), text(m.owner),
                 manages(m) ? .int(Int64(try catalog.connectors(meshId: m.id, org: org).count)) : .null,
                 .int(Int64(try visibleProducts(of: m, book).count)), .string(m.description),
                 .string(policies.brokenReason(m).map { "unhealthy: " + $0 } ?? (m.state.healthy ? "healthy" : "unhealthy: " + m.state.reason))]
            }
            return QueryResult(fields: fields + [Field(name: "state", type: .text)], rows: rows)
        case .connectors(let inMesh):
            let meshes = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0.sqlName) })
            let meshID = try inMesh.map { try requireVisibleMesh($0, book).id }
            let fields = ["connector", "mesh", "type", "options"].map { Field(name: $0, type: .text) }
            let managed = Set(try catalog.meshes(org: org).filter(manages).map(\.id))
            let rows = try catalog.connectors(meshId: meshID, org: org).filter { managed.contains($0.meshId) }.map { c -> [Value] in
                let opts = c.options.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.redactingCredentials($0.value))" }
                    + c.secretOptionNames.filter { c.options[$0] == nil }.map { "\($0)=********" }
                return [.string(c.name), text(meshes[c.meshId]), .string(c.type), .string(opts.joined(separator: ", "))]
            }
            return QueryResult(fields: fields, rows: rows)
        case .dataProducts(let inMesh):
            let meshes = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0.sqlName) })
            let connectors = Dictionary(uniqueKeysWithValues: try catalog.connectors(org: org).map { ($0.id, $0.name) })
            let meshID = try inMesh.map { try requireVisibleMesh($0, book).id }
            let fields = [Field(name: "mesh", type: .text), Field(name: "product", type: .text), Field(name: "source", type: .text),
                          Field(name: "columns", type: .bigint), Field(name: "description", type: .text)]
            let allMeshes = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0) })
            // Each product with the columns the principal sees (a product whose policies
            // conflict cannot be read, so it is not listed).
            let visible = try catalog.products(meshId: meshID, org: org).compactMap { p -> (ProductRecord, Int)? in
                guard let book, let principal, let m = allMeshes[p.meshId] else { return (p, p.columns.count) }
                guard let a = (try? book.access(to: p, in: m, for: principal)) ?? nil else { return nil }
                return (p, p.columns.filter { !a.hiddenColumns.contains($0.name) }.count)
            }
            // Where a product comes from (its connector and table, or that it is a view) is for
            // its mesh's managers, as in DESCRIBE and the product API.
            let rows = visible.map { p, columnCount -> [Value] in
                let source = p.isView ? "view" : [p.connectorId.flatMap { connectors[$0] }, p.remoteSchema, p.remoteName]
                    .compactMap { $0 }.joined(separator: ".")
                let shown = allMeshes[p.meshId].map(manages) ?? false
                return [text(meshes[p.meshId]), .string(p.name), shown ? .string(source) : .null, .int(Int64(columnCount)),
                        text(p.description)]
            }
            return QueryResult(fields: fields, rows: rows)
        case .policies(nil):
            // The org's policy library, and the built-in default_policy.
            let fields = [Field(name: "policy", type: .text), Field(name: "statements", type: .text)]
            var rows: [[Value]] = [[.string(PolicyEntry.defaultPolicy),
                                    .string("(built in) the mesh's owner and assignees and the org admins may read every product of the mesh")]]
            // The library's text names products and columns of every mesh: for org admins.
            if isAdmin {
                rows += try catalog.namedPolicies(org: org).map { [.string($0.name), .string($0.body)] }
            }
            return QueryResult(fields: fields, rows: rows)
        case .policies(let inMesh?):
            let m = try requireVisibleMesh(inMesh, book)
            guard manages(m) else { throw MeshError(.permission, "permission denied for mesh \"\(inMesh)\"", hint: "only its managers see its policies") }
            let fields = [Field(name: "mesh", type: .text), Field(name: "n", type: .bigint), Field(name: "id", type: .text),
                          Field(name: "statement", type: .text)]
            let rows = m.securityPolicy.enumerated().map {
                [.string(m.sqlName), .int(Int64($0.offset + 1)), .string("\(m.sqlName)#\($0.offset + 1)"), .string($0.element)] as [Value]
            }
            let reason = try (book ?? orgPolicies()).brokenReason(m)
            return QueryResult(fields: fields, rows: rows, message: reason.map { "unhealthy: " + $0 })
        case .audit(let condition, let limit):
            return try showAudit(where: condition, limit: limit)
        case .hashDomains:
            return try showHashDomains()
        }
    }

    /// A connection string with any password masked: `password=…` in libpq's key=value form and
    /// `user:…@` in a URI. Credentials are never shown back.
    static func redactingCredentials(_ value: String) -> String {
        var s = value.replacingOccurrences(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, with: "password=********",
                                           options: [.regularExpression, .caseInsensitive])
        s = s.replacingOccurrences(of: #"(://[^:/@\s]*):[^@/\s]*@"#, with: "$1:********@", options: .regularExpression)
        return s
    }

    /// The products of `mesh` the principal may read (all of them for the superuser).
    func visibleProducts(of mesh: Mesh, _ book: PolicyBook?) throws -> [ProductRecord] {
        let all = try catalog.products(meshId: mesh.id, org: org)
        guard let book, let principal else { return all }
        return all.filter { ((try? book.access(to: $0, in: mesh, for: principal)) ?? nil) != nil }
    }

    /// Whether the principal sees mesh `m` at all: the superuser and its managers do, others
    /// when they can read one of its products.
    func isVisible(_ m: Mesh, _ book: PolicyBook?) throws -> Bool {
        try principal == nil || manages(m) || !visibleProducts(of: m, book).isEmpty
    }

    /// A mesh the principal sees; any other is reported as not existing, so a listing does not
    /// tell which names exist.
    func requireVisibleMesh(_ name: String, _ book: PolicyBook?) throws -> Mesh {
        let m = try requireMesh(name)
        guard try isVisible(m, book) else { throw MeshError(.undefinedObject, "mesh \"\(name)\" does not exist") }
        return m
    }

    func describe(_ name: QualifiedName) throws -> QueryResult {
        let product = try requireProduct(name)
        var access: ProductAccess?
        if let principal, let book = try policyBook() {
            let (mesh, _) = try splitProductName(name)
            // A product the principal may not read does not exist for them.
            guard let a = try book.access(to: product, in: mesh, for: principal) else {
                throw MeshError(.undefinedTable, "data product \"\(name)\" does not exist", at: name.location)
            }
            access = a
        }
        let fields = ["column", "type", "nullable", "source type", "tags", "description"].map { Field(name: $0, type: .text) }
        var shown = product.columns.filter { !(access?.hiddenColumns.contains($0.name) ?? false) }
        var unreadable = false
        if principal != nil, product.isView {
            // The name as SQL, quoted where it needs to be.
            let quoted = SQLPrinter.print(.describe(name)).dropFirst("DESCRIBE ".count)
            let q = try Parser.parseQuery("SELECT * FROM " + quoted)
            // A view's stored columns were its creator's; the principal sees what binding it
            // as them gives (denied base columns are not there).
            let resolver = ProductResolver(catalog: catalog, org: org, currentMesh: currentMesh, principal: principal,
                                           policies: try policyBook())
            let names = try? Set(Binder(catalog: resolver, identity: queryIdentity).bind(q).fields.map(\.name))
            shown = shown.filter { names?.contains($0.name) ?? false }
            if names == nil { unreadable = true }
        }
        let inherited = try inheritedTags(of: product, in: try splitProductName(name).0)
        let rows = shown.map { c -> [Value] in
            let masked = access?.masks[c.name] != nil
            // Tags the source column carries in another product hold here too: shown marked.
            let tags = c.tags + (inherited[c.name] ?? []).map { $0 + " (from its source)" }
            return [.string(c.name), .string(c.type), .string(c.nullable && !masked ? "yes" : masked ? "yes (masked)" : "no"),
                    .string(c.nativeType), .string(tags.joined(separator: ", ")), c.description.map { .string($0) } ?? .null]
        }
        var about: [String] = []
        if unreadable { about.append("this data product reads data you may not read: querying it fails") }
        if let d = product.description { about.append(d) }
        if let o = product.owner { about.append("owner: \(o)") }
        if let f = product.freshness { about.append("freshness: \(f)") }
        if !product.state.healthy || product.state.code != "000" {
            // A drift report names columns, hidden ones included: the managers' to read.
            let canRead = principal == nil || (try? splitProductName(name)).map { manages($0.0) } == true
            about.append("state: " + (canRead ? product.state.reason : "the source's schema changed (its managers can tell how)"))
        }
        return QueryResult(fields: fields, rows: rows, message: about.isEmpty ? nil : about.joined(separator: "\n"))
    }
}
