import Foundation
import MeshCatalog
import MeshCore
import MeshSQL

/// The seed's envelope (`entity`, `links`) for connectors and data products (API.md). Read
/// strictly, as meshes are: an unknown field is a 400 naming it. A connector's secret options
/// are write-only: a response names them, never shows their values.
enum EntityEnvelope {
    static let requestKeys: Set<String> = ["entity", "links"]
    /// Fields a response carries that a client may send back unchanged (PUT of the whole entity).
    static let readOnlyKeys: Set<String> = ["identifier", "urn", "created_at", "updated_at", "state", "entity_type", "secret_options"]
    static let connectorKeys: Set<String> = readOnlyKeys.union(["name", "mesh", "type", "options"])
    static let productKeys: Set<String> = readOnlyKeys.union(["name", "mesh", "source", "query", "description", "owner", "freshness", "columns"])
    static let columnKeys: Set<String> = ["name", "type", "tags", "description", "native_type", "nullable", "inherited_tags"]

    /// The `entity` object of a body, checked against `allowed` and `entity_type`.
    static func entity(_ body: [String: Any], allowed: Set<String>, type: String) throws -> [String: Any] {
        try MeshEnvelope.unknown(body, requestKeys, at: "")
        guard let entity = body["entity"] as? [String: Any] else { throw MeshEnvelope.field("entity", "an object is required") }
        try MeshEnvelope.unknown(entity, allowed, at: "entity.")
        if let t = entity["entity_type"], t as? String != type { throw MeshEnvelope.field("entity.entity_type", "must be \"\(type)\"") }
        return entity
    }

    static func required(_ entity: [String: Any], _ key: String) throws -> String {
        guard let s = try MeshEnvelope.string(entity, key, at: "entity."), !s.isEmpty else {
            throw MeshEnvelope.field("entity." + key, "a non-empty string is required")
        }
        return s
    }

    /// `entity.options`: an object of strings, as option items.
    static func options(_ entity: [String: Any]) throws -> [OptionItem] {
        guard let raw = entity["options"] else { return [] }
        guard let object = raw as? [String: Any] else { throw MeshEnvelope.field("entity.options", "an object of strings is required") }
        return try object.keys.sorted().map { k in
            guard let v = object[k] as? String else { throw MeshEnvelope.field("entity.options.\(k)", "a string is required") }
            return OptionItem(key: k, value: v)
        }
    }

    static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

    static func state(_ s: EntityState) -> [String: Any] { ["code": s.code, "reason": s.reason, "healthy": s.healthy] }

    static func json(_ c: ConnectorRecord, mesh: Mesh, products: [ProductRecord]) -> [String: Any] {
        let entity: [String: Any] = [
            "identifier": id(c.id), "urn": c.urn, "name": c.name, "entity_type": "connector", "mesh": id(mesh.id),
            "type": c.type, "options": c.options, "secret_options": c.secretOptionNames,
            "created_at": CatalogTimestamp.format(c.createdAt), "state": state(c.state),
        ]
        return ["entity": entity, "links": ["parents": [mesh.urn], "children": products.map(\.urn)]]
    }

    /// - Parameter inheritedTags: per column, the tags it carries through another product over
    ///   the same source column (`inherited_tags`, beside the column's own `tags`).
    static func json(_ p: ProductRecord, mesh: Mesh, connector: ConnectorRecord?, inheritedTags: [String: [String]] = [:]) -> [String: Any] {
        func null(_ s: String?) -> Any { s ?? NSNull() }
        var source: Any = NSNull()
        if let connector {
            source = ["connector": id(connector.id), "schema": null(p.remoteSchema), "table": null(p.remoteName)]
        }
        let columns: [[String: Any]] = p.columns.map {
            ["name": $0.name, "type": $0.type, "native_type": $0.nativeType, "nullable": $0.nullable, "tags": $0.tags,
             "inherited_tags": inheritedTags[$0.name] ?? [], "description": null($0.description)]
        }
        let entity: [String: Any] = [
            "identifier": id(p.id), "urn": p.urn, "name": p.name, "entity_type": "product", "mesh": id(mesh.id),
            "source": source, "query": null(p.viewSQL), "description": null(p.description), "owner": null(p.owner),
            "freshness": null(p.freshness), "columns": columns, "created_at": CatalogTimestamp.format(p.createdAt),
            "updated_at": CatalogTimestamp.format(p.updatedAt), "state": state(p.state),
        ]
        return ["entity": entity, "links": ["parents": [mesh.urn] + (connector.map { [$0.urn] } ?? []), "children": [String]()]]
    }
}
