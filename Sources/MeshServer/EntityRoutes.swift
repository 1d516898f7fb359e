import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshCore
import MeshEngine
import MeshSQL

/// `/api/data/connector` and `/api/data/product` (API.md): the mesh API's envelope for the
/// other entities. Each change runs as the catalog statement a user would type (built as a
/// statement, never as spliced text), so it is authorized, validated and audited the same way.
struct EntityRoutes {
    let engine: Engine

    func add(to router: Router<MeshRequestContext>) {
        addConnectorRoutes(router)
        addProductRoutes(router)
    }

    // MARK: connectors

    private func addConnectorRoutes(_ router: Router<MeshRequestContext>) {
        router.post("api/data/connector") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let e = try EntityEnvelope.entity(try await jsonObject(request, context), allowed: EntityEnvelope.connectorKeys, type: "connector")
                let mesh = try self.mesh(session, e)
                let name = try EntityEnvelope.required(e, "name")
                _ = try await session.execute(.createConnector(name: name, mesh: mesh.sqlName, type: try EntityEnvelope.required(e, "type"),
                                                                         options: try EntityEnvelope.options(e), ifNotExists: false))
                guard let c = try engine.catalog.connector(name: name, org: session.org) else { throw Problem(.internalServerError, "the connector was not saved") }
                return try json(connectorJSON(session, c, mesh))
            }
        }
        router.get("api/data/connector/list") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let list = try session.visibleConnectors(meshId: try meshFilter(request)).map { try connectorJSON(session, $0.0, $0.1) }
                return try json(list)
            }
        }
        router.get("api/data/connector") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (c, mesh) = try connector(session, request)
                return try json(connectorJSON(session, c, mesh))
            }
        }
        router.put("api/data/connector") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (stored, mesh) = try connector(session, request)
                let e = try EntityEnvelope.entity(try await jsonObject(request, context), allowed: EntityEnvelope.connectorKeys, type: "connector")
                try unchanged(e, "identifier", EntityEnvelope.id(stored.id))
                try unchanged(e, "name", stored.name)
                try unchanged(e, "type", stored.type)
                try unchanged(e, "mesh", EntityEnvelope.id(mesh.id))
                if e["options"] != nil {
                    // The whole set of plain options; secret ones are write-only, so one not
                    // sent back keeps its value.
                    let given = try EntityEnvelope.options(e)
                    let drop = stored.options.keys.filter { k in !given.contains { $0.key == k } }.sorted()
                    if !given.isEmpty || !drop.isEmpty {
                        _ = try await session.execute(.alterConnector(name: stored.name, set: given, drop: drop))
                    }
                }
                let (c, m) = try connector(session, request)
                return try json(connectorJSON(session, c, m))
            }
        }
        router.delete("api/data/connector") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (c, _) = try connector(session, request)
                _ = try await session.execute(.dropConnector(name: c.name, ifExists: false))
                return Response(status: .noContent)
            }
        }
        router.post("api/data/connector/test") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (c, _) = try connector(session, request)
                guard case .rows(let result) = try await session.execute(.testConnector(name: c.name)),
                      let row = try await result.collectRows().first, row.count == 4 else {
                    throw Problem(.internalServerError, "the connector test gave no answer")
                }
                return try json(["connector": EntityEnvelope.id(c.id), "type": c.type, "healthy": true,
                                 "latency_ms": Double(row[2].description) ?? 0, "version": row[3].description])
            }
        }
    }

    private func connectorJSON(_ session: Session, _ c: ConnectorRecord, _ mesh: Mesh) throws -> [String: Any] {
        let products = try engine.catalog.products(meshId: mesh.id, org: session.org).filter { $0.connectorId == c.id }
        return EntityEnvelope.json(c, mesh: mesh, products: products)
    }

    /// The connector `?identifier=` names, if the caller manages its mesh; else 404.
    private func connector(_ session: Session, _ request: Request) throws -> (ConnectorRecord, Mesh) {
        let text = try identifier(request)
        guard let id = UUID(uuidString: text), let found = try session.visibleConnector(id: id) else {
            throw Problem(.notFound, "connector \(text) does not exist")
        }
        return found
    }

    // MARK: products

    private func addProductRoutes(_ router: Router<MeshRequestContext>) {
        router.post("api/data/product") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let e = try EntityEnvelope.entity(try await jsonObject(request, context), allowed: EntityEnvelope.productKeys, type: "product")
                let mesh = try self.mesh(session, e)
                let name = try EntityEnvelope.required(e, "name")
                let qualified = QualifiedName([mesh.sqlName, name])
                var options: [OptionItem] = []
                for key in ["description", "owner", "freshness"] {
                    if let v = try MeshEnvelope.string(e, key, at: "entity.") { options.append(OptionItem(key: key, value: v)) }
                }
                if let text = try MeshEnvelope.string(e, "query", at: "entity.") {
                    guard e["source"] == nil || e["source"] is NSNull else { throw MeshEnvelope.field("entity.source", "give a source or a query, not both") }
                    let query: Query
                    do { query = try Parser.parseQuery(text) } catch let error as SQLSyntaxError {
                        throw Problem(MeshError(.syntax, "entity.query: " + error.message, at: error.location))
                    }
                    _ = try await session.execute(.createView(name: qualified, query: query, text: text, options: options))
                } else {
                    guard let source = e["source"] as? [String: Any] else {
                        throw MeshEnvelope.field("entity.source", "an object {connector, schema, table} (or a query) is required")
                    }
                    try MeshEnvelope.unknown(source, ["connector", "schema", "table"], at: "entity.source.")
                    guard let cid = (source["connector"] as? String).flatMap(UUID.init(uuidString:)),
                          let (c, _) = try session.visibleConnector(id: cid) else {
                        throw MeshEnvelope.field("entity.source.connector", "the identifier of a connector of yours is required")
                    }
                    guard let table = try MeshEnvelope.string(source, "table", at: "entity.source."), !table.isEmpty else {
                        throw MeshEnvelope.field("entity.source.table", "a non-empty string is required")
                    }
                    let schema = try MeshEnvelope.string(source, "schema", at: "entity.source.")
                    let parts = [c.name] + (schema.map { [$0] } ?? []) + [table]
                    _ = try await session.execute(.createProduct(name: qualified, source: QualifiedName(parts), options: options, ifNotExists: false))
                }
                guard let p = try engine.catalog.product(meshId: mesh.id, name: name, org: session.org) else {
                    throw Problem(.internalServerError, "the data product was not saved")
                }
                return try json(productJSON(session, p, mesh))
            }
        }
        router.get("api/data/product/list") { request, context in
            await answering {
                let session = try engine.session(for: context)
                return try json(try session.visibleProducts(meshId: try meshFilter(request)).map { try productJSON(session, $0.0, $0.1) })
            }
        }
        router.get("api/data/product") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (p, mesh) = try product(session, request)
                return try json(productJSON(session, p, mesh))
            }
        }
        router.put("api/data/product") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (stored, mesh) = try product(session, request)
                let e = try EntityEnvelope.entity(try await jsonObject(request, context), allowed: EntityEnvelope.productKeys, type: "product")
                try unchanged(e, "identifier", EntityEnvelope.id(stored.id))
                try unchanged(e, "name", stored.name)
                try unchanged(e, "mesh", EntityEnvelope.id(mesh.id))
                if let q = e["query"], !(q is NSNull), q as? String != stored.viewSQL {
                    throw MeshEnvelope.field("entity.query", "cannot be changed; create a new data product")
                }
                let qualified = QualifiedName([mesh.sqlName, stored.name])
                if let columns = e["columns"] {
                    guard let list = columns as? [[String: Any]] else { throw MeshEnvelope.field("entity.columns", "a list of objects is required") }
                    for (i, c) in list.enumerated() {
                        try MeshEnvelope.unknown(c, EntityEnvelope.columnKeys, at: "entity.columns[\(i)].")
                        guard let name = c["name"] as? String, let column = stored.columns.first(where: { $0.name == name }) else {
                            throw MeshEnvelope.field("entity.columns[\(i)].name", "a column of the product is required")
                        }
                        guard let raw = c["tags"] else { continue }
                        guard let tags = raw as? [String] else { throw MeshEnvelope.field("entity.columns[\(i)].tags", "a list of strings is required") }
                        if tags != column.tags {
                            _ = try await session.execute(.alterProductColumnTags(product: qualified, column: name, tags: tags))
                        }
                    }
                }
                let description = try MeshEnvelope.string(e, "description", at: "entity.")
                let owner = try MeshEnvelope.string(e, "owner", at: "entity.")
                let freshness = try MeshEnvelope.string(e, "freshness", at: "entity.")
                if description != nil || owner != nil || freshness != nil {
                    _ = try await session.updateProductInfo(id: stored.id, description: description, owner: owner, freshness: freshness)
                }
                let (p, m) = try product(session, request)
                return try json(productJSON(session, p, m))
            }
        }
        router.delete("api/data/product") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (p, mesh) = try product(session, request)
                _ = try await session.execute(.dropProduct(QualifiedName([mesh.sqlName, p.name]), ifExists: false))
                return Response(status: .noContent)
            }
        }
        router.post("api/data/product/refresh") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let (p, mesh) = try product(session, request)
                _ = try await session.execute(.refreshProduct(QualifiedName([mesh.sqlName, p.name])))
                let (fresh, m) = try product(session, request)
                return try json(productJSON(session, fresh, m))
            }
        }
        router.post("api/data/product/import") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let body = try await jsonObject(request, context)
                try MeshEnvelope.unknown(body, ["connector", "schema", "limit_to"], at: "")
                guard let cid = (body["connector"] as? String).flatMap(UUID.init(uuidString:)), let (c, mesh) = try session.visibleConnector(id: cid) else {
                    throw MeshEnvelope.field("connector", "the identifier of a connector of yours is required")
                }
                var limitTo: [String] = []
                if let raw = body["limit_to"] {
                    guard let names = raw as? [String] else { throw MeshEnvelope.field("limit_to", "a list of strings is required") }
                    limitTo = names
                }
                _ = try await session.execute(.importProducts(connector: c.name, schema: try MeshEnvelope.string(body, "schema", at: ""),
                                                                        limitTo: limitTo))
                let products = try engine.catalog.products(meshId: mesh.id, org: session.org).filter { $0.connectorId == c.id }
                return try json(try products.map { try productJSON(session, $0, mesh) })
            }
        }
    }

    private func productJSON(_ session: Session, _ product: ProductRecord, _ mesh: Mesh) throws -> [String: Any] {
        let p = try session.readerView(of: product, in: mesh)
        let connector = try p.connectorId.flatMap { try engine.catalog.connector(id: $0, org: session.org) }
        return EntityEnvelope.json(p, mesh: mesh, connector: connector, inheritedTags: try session.inheritedTags(of: product, in: mesh))
    }

    private func product(_ session: Session, _ request: Request) throws -> (ProductRecord, Mesh) {
        let text = try identifier(request)
        guard let id = UUID(uuidString: text), let found = try session.visibleProduct(id: id) else {
            throw Problem(.notFound, "data product \(text) does not exist")
        }
        return found
    }

    // MARK: shared

    private func identifier(_ request: Request) throws -> String {
        guard let text = request.uri.queryParameters["identifier"].map(String.init) else {
            throw Problem(.badRequest, "identifier: the query parameter is required")
        }
        return text
    }

    /// `?mesh=ID` of a list route (nil: every mesh).
    private func meshFilter(_ request: Request) throws -> UUID? {
        guard let text = request.uri.queryParameters["mesh"].map(String.init) else { return nil }
        guard let id = UUID(uuidString: text) else { throw Problem(.badRequest, "mesh: a mesh identifier is required") }
        return id
    }

    /// The mesh `entity.mesh` names (its identifier), as the caller sees it.
    private func mesh(_ session: Session, _ entity: [String: Any]) throws -> Mesh {
        let text = try EntityEnvelope.required(entity, "mesh")
        guard let id = UUID(uuidString: text), let mesh = try session.visibleMesh(id: id) else {
            throw Problem(.notFound, "mesh \(text) does not exist")
        }
        return mesh
    }

    /// A read-only field sent back must keep its value.
    private func unchanged(_ entity: [String: Any], _ key: String, _ value: String) throws {
        guard let v = entity[key], !(v is NSNull) else { return }
        guard v as? String == value else { throw MeshEnvelope.field("entity." + key, "cannot be changed") }
    }
}
