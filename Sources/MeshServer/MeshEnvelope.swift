import Foundation
import MeshCatalog
import MeshCore

/// The seed's envelope for a mesh (`seeds/mesh-api.txt`): `entity`, `entity_info`, `links`.
/// Requests are read strictly — an unknown field is a 400 naming it — and responses carry
/// exactly the seed's fields with the seed's types.
enum MeshEnvelope {
    static let requestKeys: Set<String> = ["entity", "entity_info", "links"]
    /// What a client sends, plus what it may send back unchanged from a response (PUT of the
    /// full entity): `identifier`, `urn`, `is_system`, `created_at` and `state` are read-only.
    static let entityKeys: Set<String> = [
        "name", "entity_type", "label", "description", "purpose", "assignees", "security_policy", "owner",
        "identifier", "urn", "is_system", "created_at", "state",
    ]
    static let entityInfoKeys: Set<String> = ["owner", "contact_ids", "links"]
    static let assigneeKeys: Set<String> = ["email", "full_name", "role"]

    /// The mesh a request body describes, over `base` (a stored mesh for PUT).
    static func mesh(from body: [String: Any], base: Mesh?) throws -> Mesh {
        try unknown(body, requestKeys, at: "")
        guard let entity = body["entity"] as? [String: Any] else { throw field("entity", "an object is required") }
        try unknown(entity, entityKeys, at: "entity.")
        if let type = entity["entity_type"] {
            guard type as? String == "mesh" else { throw field("entity.entity_type", "must be \"mesh\"") }
        }
        guard let name = entity["name"] as? String, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw field("entity.name", "a non-empty string is required")
        }
        var mesh = base ?? Mesh(name: name)
        if base != nil, let id = entity["identifier"] {
            guard let s = id as? String, UUID(uuidString: s) == mesh.id else {
                throw field("entity.identifier", "does not match the identifier in the URL")
            }
        }
        if base == nil || mesh.name != name {
            mesh.name = name
            mesh.sqlName = SQLName.slug(name)
        }
        mesh.label = try string(entity, "label", at: "entity.") ?? (base == nil ? "" : mesh.label)
        mesh.description = try string(entity, "description", at: "entity.") ?? (base == nil ? "" : mesh.description)
        mesh.purpose = try string(entity, "purpose", at: "entity.") ?? (base == nil ? "" : mesh.purpose)
        if entity.keys.contains("owner") {
            mesh.owner = entity["owner"] is NSNull ? nil : try string(entity, "owner", at: "entity.")
        }
        if let list = entity["assignees"] {
            guard let items = list as? [[String: Any]] else { throw field("entity.assignees", "a list of objects is required") }
            mesh.assignees = try items.enumerated().map { i, a in
                let at = "entity.assignees[\(i)]."
                try unknown(a, assigneeKeys, at: at)
                guard let email = a["email"] as? String else { throw field(at + "email", "a string is required") }
                return Assignee(email: email, fullName: try string(a, "full_name", at: at) ?? "", role: try string(a, "role", at: at) ?? "")
            }
        }
        if let list = entity["security_policy"] {
            guard let items = list as? [String] else { throw field("entity.security_policy", "a list of strings is required") }
            mesh.securityPolicy = items
        }
        if let info = body["entity_info"] {
            guard let info = info as? [String: Any] else { throw field("entity_info", "an object is required") }
            try unknown(info, entityInfoKeys, at: "entity_info.")
            if info.keys.contains("owner") {
                mesh.entityInfo.owner = info["owner"] is NSNull ? nil : try string(info, "owner", at: "entity_info.")
            }
            if let ids = info["contact_ids"] {
                guard let ids = ids as? [String] else { throw field("entity_info.contact_ids", "a list of strings is required") }
                mesh.entityInfo.contactIds = ids
            }
            if let links = info["links"] {
                guard let links = links as? [String] else { throw field("entity_info.links", "a list of strings is required") }
                mesh.entityInfo.links = links
            }
        }
        return mesh
    }

    /// The response body for a mesh.
    static func json(_ mesh: Mesh, children: [String]) -> [String: Any] {
        func null(_ s: String?) -> Any { s ?? NSNull() }
        let entity: [String: Any] = [
            "identifier": mesh.id.uuidString.lowercased(),
            "urn": mesh.urn,
            "name": mesh.name,
            "is_system": mesh.isSystem,
            "description": mesh.description,
            "label": mesh.label,
            "created_at": CatalogTimestamp.format(mesh.createdAt),
            "state": ["code": mesh.state.code, "reason": mesh.state.reason, "healthy": mesh.state.healthy],
            "owner": null(mesh.owner),
            "purpose": mesh.purpose,
            "assignees": mesh.assignees.map { ["email": $0.email, "full_name": $0.fullName, "role": $0.role] },
            "security_policy": mesh.securityPolicy,
        ]
        let info: [String: Any] = [
            "owner": null(mesh.entityInfo.owner), "contact_ids": mesh.entityInfo.contactIds, "links": mesh.entityInfo.links,
        ]
        return ["entity": entity, "entity_info": info, "links": ["parents": [String](), "children": children]]
    }

    static func unknown(_ object: [String: Any], _ allowed: Set<String>, at prefix: String) throws {
        if let bad = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw field(prefix + bad, "unknown field")
        }
    }

    static func string(_ object: [String: Any], _ key: String, at prefix: String) throws -> String? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw field(prefix + key, "a string is required") }
        return s
    }

    static func field(_ name: String, _ problem: String) -> Problem {
        Problem(.badRequest, "\(name): \(problem)", title: "Invalid request body")
    }
}
