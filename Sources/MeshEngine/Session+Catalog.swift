import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshExec
import MeshPlan
import MeshPolicy
import MeshSQL

extension Session {
    func executeCatalogStatement(_ statement: Statement) async throws -> StatementResult {
        switch statement {
        case .createMesh(let name, let options, let ifNotExists):
            if try catalog.mesh(sqlName: name, org: org) != nil {
                if ifNotExists { return .message("CREATE MESH (already exists, skipped)") }
                throw MeshError(.duplicateObject, "mesh \"\(name)\" already exists")
            }
            var mesh = Mesh(org: org, sqlName: name, name: name)
            try apply(options, to: &mesh)
            _ = try catalog.createMesh(mesh)
            return .message("CREATE MESH")

        case .alterMesh(let name, let options):
            var mesh = try requireMesh(name)
            try apply(options, to: &mesh)
            _ = try catalog.updateMesh(mesh)
            return .message("ALTER MESH")

        case .dropMesh(let name, let ifExists, let cascade):
            guard let mesh = try catalog.mesh(sqlName: name, org: org) else {
                if ifExists { return .message("DROP MESH (did not exist, skipped)") }
                throw MeshError(.undefinedObject, "mesh \"\(name)\" does not exist")
            }
            let connectors = try catalog.connectors(meshId: mesh.id, org: org)
            // Views of other meshes over this mesh's products would read nothing afterwards.
            let own = Set(try catalog.products(meshId: mesh.id, org: org).map { "\(mesh.sqlName).\($0.name)" })
            let views = try dependentViewsToDrop(of: own, cascade: cascade, what: "mesh \"\(name)\"")
            let deleted = try catalog.deleteMesh(id: mesh.id, org: org, cascade: cascade, alsoDeleting: views)
            connectors.forEach { engine.forgetConnector($0.id) }
            if currentMesh == name { currentMesh = nil }
            return .message(cascade && (deleted.products + deleted.connectors + views.count) > 0
                ? "DROP MESH (with \(deleted.products + views.count) data products and \(deleted.connectors) connectors)" : "DROP MESH")

        case .createConnector(let name, let meshName, let type, let options, let ifNotExists, let check):
            let mesh = try requireMesh(meshName)
            if try catalog.connector(name: name, org: org) != nil {
                if ifNotExists { return .message("CREATE CONNECTOR (already exists, skipped)") }
                throw MeshError(.duplicateObject, "connector \"\(name)\" already exists")
            }
            guard let allowed = engine.registry.options(for: type) else {
                throw MeshError(.invalidParameter, "unknown connector type \"\(type)\"",
                                hint: "known types: " + engine.registry.types.joined(separator: ", "))
            }
            var plain: [String: String] = [:], secret: [String: String] = [:]
            let secrets = engine.registry.secrets(for: type)
            for o in options {
                guard allowed.contains(o.key) else {
                    throw MeshError(.invalidParameter, "unknown option \"\(o.key)\" for connector type \(type)", at: o.location,
                                    hint: "accepted: " + allowed.sorted().joined(separator: ", "))
                }
                Self.file(o.key, o.value, secrets, plain: &plain, secret: &secret)
            }
            let record = ConnectorRecord(org: org, meshId: mesh.id, name: name, type: type, options: plain, secretOptions: secret)
            try admitSource(record)
            try refuseCatalogFiles(record)
            // Validates the options (paths, DSN syntax), then reaches the source unless told not
            // to: a missing file, a folder, a text file or an unreachable server is found now,
            // not at the first query.
            let connector = try engine.registry.make(type: type, options: record.connectionOptions, baseDirectory: engine.baseDirectory)
            var found = ""
            if check {
                defer { connector.shutdown() }
                do {
                    let health = try await connector.check()
                    found = " — found \(health.version)"
                } catch let e as MeshError {
                    throw MeshError(e.code == .source ? .connection : e.code, "cannot reach the source of connector \"\(name)\": \(e.message)",
                                    hint: "fix the options, or add NO CHECK to register it anyway")
                }
            }
            _ = try catalog.createConnector(record)
            try recordOperatorsSource(record)
            return .message("CREATE CONNECTOR" + found)

        case .alterConnector(let name, let set, let drop):
            var record = try requireConnector(name)
            let allowed = engine.registry.options(for: record.type) ?? []
            let secrets = engine.registry.secrets(for: record.type)
            for o in set {
                guard allowed.contains(o.key) else {
                    throw MeshError(.invalidParameter, "unknown option \"\(o.key)\" for connector type \(record.type)", at: o.location)
                }
                record.options.removeValue(forKey: o.key)
                record.secretOptions.removeValue(forKey: o.key)
                Self.file(o.key, o.value, secrets, plain: &record.options, secret: &record.secretOptions)
            }
            for key in drop {
                record.options.removeValue(forKey: key)
                record.secretOptions.removeValue(forKey: key)
            }
            try admitSource(record)
            try refuseCatalogFiles(record)
            _ = try engine.registry.make(type: record.type, options: record.connectionOptions, baseDirectory: engine.baseDirectory)
            _ = try catalog.updateConnector(record)
            try recordOperatorsSource(record)
            engine.forgetConnector(record.id)
            return .message("ALTER CONNECTOR")

        case .dropConnector(let name, let ifExists):
            guard let record = try catalog.connector(name: name, org: org) else {
                if ifExists { return .message("DROP CONNECTOR (did not exist, skipped)") }
                throw MeshError(.undefinedObject, "connector \"\(name)\" does not exist")
            }
            _ = try catalog.deleteConnector(id: record.id, org: org)
            engine.forgetConnector(record.id)
            return .message("DROP CONNECTOR")

        case .testConnector(let name):
            let record = try requireConnector(name)
            let health: ConnectorHealth
            do {
                health = try await sourceConnector(for: record).check()
            } catch let e as MeshError {
                try? catalog.setConnectorState(id: record.id, org: org, EntityState(code: "503", reason: "Unreachable: " + e.message, healthy: false))
                throw e
            }
            if !record.state.healthy {
                try? catalog.setConnectorState(id: record.id, org: org, EntityState(code: "000", reason: "Reachable.", healthy: true))
            }
            let fields = [Field(name: "connector", type: .text), Field(name: "type", type: .text),
                          Field(name: "latency_ms", type: .text), Field(name: "version", type: .text)]
            return .rows(QueryResult(fields: fields, rows: [[
                .string(record.name), .string(record.type),
                .string(String(format: "%.2f", health.latencyMilliseconds)), .string(health.version),
            ]]))

        case .createProduct(let name, let source, let options, let ifNotExists):
            return try await createProduct(name, source: source, options: options, ifNotExists: ifNotExists)

        case .createView(let name, let query, let text, let options):
            let (mesh, productName) = try splitProductName(name)
            if try catalog.product(meshId: mesh.id, name: productName, org: org) != nil {
                throw MeshError(.duplicateObject, "data product \"\(name)\" already exists", at: name.location)
            }
            // Bound as the principal: a view cannot expose what its creator may not read. A
            // one-part name in it is a product of the view's own mesh (as when it is read).
            let resolver = ProductResolver(catalog: catalog, org: org, currentMesh: mesh.sqlName, principal: principal,
                                           policies: try policyBook())
            let fields = try Binder(catalog: resolver, identity: queryIdentity).bind(query).fields
            var names = Set<String>()
            for f in fields where !names.insert(f.name).inserted {
                throw MeshError(.duplicateObject, "column \"\(f.name)\" specified more than once", at: query.location,
                                hint: "give each output column of the view its own alias")
            }
            // A column of bare string literals (`SELECT 'x' AS g UNION ALL …`) is text, as in
            // PostgreSQL's views; stored as "unknown", no policy could name it.
            var product = ProductRecord(org: org, meshId: mesh.id, name: productName, viewSQL: text,
                                        columns: fields.map { ProductColumn(name: $0.name, dataType: $0.type == .unknown ? .text : $0.type) })
            try apply(options, to: &product)
            let created = try catalog.createProduct(product)
            // What it reads, for dependency checks and lineage (no bind of every view later).
            try indexView(created)
            return .message("CREATE DATA PRODUCT")

        case .importProducts(let connectorName, let schema, let limitTo):
            return try await importProducts(connectorName, schema: schema, limitTo: limitTo)

        case .alterProductColumnTags(let name, let column, let tags):
            var product = try requireProduct(name)
            guard let i = product.columns.firstIndex(where: { $0.name == column }) else {
                throw MeshError(.undefinedColumn, "column \"\(column)\" of data product \"\(name)\" does not exist")
            }
            // One mask per column: two tags whose org-wide masks differ would compete.
            let masks = try orgPolicies().tagMasks
            let competing = Set(tags.map { $0.lowercased() }).filter { masks[$0] != nil }.sorted()
            if competing.count > 1 {
                throw MeshError(.invalidParameter, "tags \(competing.joined(separator: " and ")) both have org-wide masks: one mask per column",
                                hint: "tag the column with one of them")
            }
            product.columns[i].tags = tags
            product.updatedAt = Date()
            _ = try catalog.updateProduct(product)
            return .message("ALTER DATA PRODUCT")

        case .refreshProduct(let name):
            return try await refreshProduct(name)

        case .dropProduct(let name, let ifExists, let cascade):
            let (mesh, productName) = try splitProductName(name)
            guard let p = try catalog.product(meshId: mesh.id, name: productName, org: org) else {
                if ifExists { return .message("DROP DATA PRODUCT (did not exist, skipped)") }
                throw MeshError(.undefinedTable, "data product \"\(name)\" does not exist", at: name.location)
            }
            let dependents = try dependentViewsToDrop(of: ["\(mesh.sqlName).\(p.name)"], cascade: cascade, what: "data product \"\(name)\"")
            try catalog.deleteProducts(ids: dependents + [p.id], org: org)
            return .message(dependents.isEmpty ? "DROP DATA PRODUCT" : "DROP DATA PRODUCT (and \(dependents.count) derived from it)")

        case .show(let target):
            return .rows(try show(target))

        case .describe(let name):
            return .rows(try describe(name))

        case .use(let mesh):
            _ = try requireMesh(mesh)
            currentMesh = mesh
            return .message("USE \(mesh)")

        case .set("pushdown", let value):
            // Off: only scans go to the sources (as `--no-pushdown`), for comparing results.
            switch value {
            case "on", "true": pushdownEnabled = true
            case "off", "false": pushdownEnabled = false
            default:
                throw MeshError(.invalidParameter, "invalid value for parameter \"pushdown\": \"\(value)\"", hint: "on or off")
            }
            return .message("SET")

        case .set(let name, let value):
            guard name == "memory_limit" else {
                throw MeshError(.invalidParameter, "unrecognized configuration parameter \"\(name)\"")
            }
            guard let bytes = MemoryBudget.parse(value) else {
                throw MeshError(.invalidParameter, "invalid value for parameter \"memory_limit\": \"\(value)\"",
                                hint: "A size such as '512MB' or '4GB'.")
            }
            if let ceiling = memoryLimitCeiling, bytes > ceiling {
                throw MeshError(.invalidParameter, "memory_limit may be at most \(ceiling >> 20)MB here")
            }
            memoryLimit = bytes
            return .message("SET")

        case .policy, .createPolicy, .dropPolicy, .dropPolicyEntry:
            return try await executePolicyStatement(statement)

        case .createHashDomain, .alterHashDomain, .dropHashDomain:
            return try executeHashDomainStatement(statement)

        case .query, .explain:
            throw MeshError(.internalError, "not a catalog statement")
        }
    }

    // MARK: helpers

    /// A connector must not read the catalog itself (every org's meshes, tokens' hashes and
    /// audit log) or its key: a mesh manager could otherwise import it as a data product.
    func refuseCatalogFiles(_ record: ConnectorRecord) throws {
        guard let path = record.options["path"] else { return }
        let absolute = path.hasPrefix("/") ? path : engine.baseDirectory + "/" + path
        let resolved = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().standardizedFileURL.path
        let catalogFile = URL(fileURLWithPath: catalog.path).resolvingSymlinksInPath().standardizedFileURL.path
        let forbidden = [catalogFile, catalogFile + ".key", catalogFile + "-wal", catalogFile + "-shm", catalogFile + "-journal"]
        if forbidden.contains(resolved) {
            if principal != nil { throw Self.sourceRefused }
            throw MeshError(.permission, "a connector cannot read meshql's own catalog", hint: "point it at a source database")
        }
    }

    func requireMesh(_ name: String) throws -> Mesh {
        guard let m = try catalog.mesh(sqlName: name, org: org) else {
            throw MeshError(.undefinedObject, "mesh \"\(name)\" does not exist")
        }
        return m
    }

    func requireConnector(_ name: String) throws -> ConnectorRecord {
        guard let c = try catalog.connector(name: name, org: org) else {
            throw MeshError(.undefinedObject, "connector \"\(name)\" does not exist")
        }
        return c
    }

    func splitProductName(_ name: QualifiedName) throws -> (Mesh, String) {
        let meshName: String
        switch name.parts.count {
        case 2: meshName = name.parts[0]
        case 1:
            guard let m = currentMesh else {
                throw MeshError(.undefinedObject, "no mesh given for \"\(name)\"", at: name.location, hint: "write mesh.product or run USE mesh")
            }
            meshName = m
        default: throw MeshError(.syntax, "a data product is named mesh.product", at: name.location)
        }
        guard let mesh = try catalog.mesh(sqlName: meshName, org: org) else {
            throw MeshError(.undefinedObject, "mesh \"\(meshName)\" does not exist", at: name.location)
        }
        return (mesh, name.parts.last!)
    }

    func requireProduct(_ name: QualifiedName) throws -> ProductRecord {
        let (mesh, productName) = try splitProductName(name)
        guard let p = try catalog.product(meshId: mesh.id, name: productName, org: org) else {
            throw MeshError(.undefinedTable, "data product \"\(name)\" does not exist", at: name.location)
        }
        return p
    }

    func apply(_ options: [OptionItem], to mesh: inout Mesh) throws {
        for o in options {
            switch o.key {
            case "name": mesh.name = o.value
            case "label": mesh.label = o.value
            case "description": mesh.description = o.value
            case "purpose": mesh.purpose = o.value
            case "owner": mesh.owner = o.value; mesh.entityInfo.owner = o.value
            default:
                throw MeshError(.invalidParameter, "unknown mesh option \"\(o.key)\"", at: o.location,
                                hint: "accepted: name, label, description, purpose, owner")
            }
        }
    }

    func apply(_ options: [OptionItem], to product: inout ProductRecord) throws {
        for o in options {
            switch o.key {
            case "description": product.description = o.value
            case "owner": product.owner = o.value
            case "freshness": product.freshness = o.value
            default:
                throw MeshError(.invalidParameter, "unknown data product option \"\(o.key)\"", at: o.location,
                                hint: "accepted: description, owner, freshness")
            }
        }
    }

    /// Files a connector option as plain or secret. A declared secret (a password) is secret;
    /// so is any other value holding credentials (a DSN with `password=` or `user:pw@`), which
    /// also keeps a masked copy as a plain option, for listings.
    static func file(_ key: String, _ value: String, _ secrets: Set<String>,
                     plain: inout [String: String], secret: inout [String: String]) {
        if secrets.contains(key) {
            secret[key] = value
            return
        }
        let masked = redactingCredentials(value)
        if masked != value {
            secret[key] = value
        }
        plain[key] = masked
    }
}
