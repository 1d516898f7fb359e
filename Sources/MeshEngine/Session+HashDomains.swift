import Foundation
import MeshCatalog
import MeshCore
import MeshPolicy
import MeshSQL

/// Hash domains (`CREATE HASH DOMAIN`): each mesh's `hash()` masks have their own key, so a
/// manager cannot hash guesses in one mesh and join them to another mesh's hashed column. A
/// pseudonymous key that several meshes must share is an org admin's explicit choice.
extension Session {
    func executeHashDomainStatement(_ statement: Statement) throws -> StatementResult {
        switch statement {
        case .createHashDomain(let name, let meshes, let ifNotExists):
            if try catalog.hashDomains(org: org).contains(where: { $0.name == name }) {
                if ifNotExists { return .message("CREATE HASH DOMAIN (already exists, skipped)") }
                throw MeshError(.duplicateObject, "hash domain \"\(name)\" already exists")
            }
            try catalog.createHashDomain(HashDomain(org: org, name: name, meshIDs: try memberIDs(meshes)))
            return .message("CREATE HASH DOMAIN")

        case .alterHashDomain(let name, let meshes):
            var domain = try requireHashDomain(name)
            domain.meshIDs = try memberIDs(meshes)
            let kept = Set(meshes)
            if let (mesh, rule) = try hashDomainUses(name).first(where: { $0.mesh.map { !kept.contains($0) } ?? false }) {
                throw MeshError(.dependentObjects, "mesh \"\(mesh ?? "")\" still hashes with hash domain \"\(name)\" (\(rule))",
                                hint: "change that mask first")
            }
            try catalog.updateHashDomain(domain)
            return .message("ALTER HASH DOMAIN")

        case .dropHashDomain(let name, let ifExists):
            guard try catalog.hashDomains(org: org).contains(where: { $0.name == name }) else {
                if ifExists { return .message("DROP HASH DOMAIN (did not exist, skipped)") }
                throw MeshError(.undefinedObject, "hash domain \"\(name)\" does not exist")
            }
            if let (_, rule) = try hashDomainUses(name).first {
                throw MeshError(.dependentObjects, "hash domain \"\(name)\" is used by a mask (\(rule))", hint: "change that mask first")
            }
            try catalog.deleteHashDomain(name: name, org: org)
            return .message("DROP HASH DOMAIN")

        default:
            throw MeshError(.internalError, "not a hash domain statement")
        }
    }

    /// `SHOW HASH DOMAINS`: org admins see every domain; a mesh's managers the domains of
    /// the meshes they manage. Members are listed by their current names.
    func showHashDomains() throws -> QueryResult {
        let meshes = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0) })
        let rows = try catalog.hashDomains(org: org).compactMap { d -> [Value]? in
            let members = d.meshIDs.compactMap { meshes[$0] }
            guard isAdmin || members.contains(where: manages) else { return nil }
            return [.string(d.name), .string(members.map(\.sqlName).sorted().joined(separator: ", "))]
        }
        return QueryResult(fields: [Field(name: "domain", type: .text), Field(name: "meshes", type: .text)], rows: rows)
    }

    private func requireHashDomain(_ name: String) throws -> HashDomain {
        guard let d = try catalog.hashDomains(org: org).first(where: { $0.name == name }) else {
            throw MeshError(.undefinedObject, "hash domain \"\(name)\" does not exist")
        }
        return d
    }

    private func memberIDs(_ names: [String]) throws -> [UUID] {
        var ids: [UUID] = []
        for n in names {
            let m = try requireMesh(n)
            if m.isSystem { throw MeshError(.invalidParameter, "the system mesh has no products to hash") }
            if !ids.contains(m.id) { ids.append(m.id) }
        }
        return ids
    }

    /// The masks that hash with domain `name`: the mesh of the masked product (nil for an
    /// org-wide tag mask, which applies to every mesh) and the policy's id.
    private func hashDomainUses(_ name: String) throws -> [(mesh: String?, rule: String)] {
        var uses: [(mesh: String?, rule: String)] = []
        for r in try orgPolicies().rules {
            let mesh: String?, expr: Expr
            switch r.statement {
            case .mask(let column, let e, _): (mesh, expr) = (column.parts[0], e)
            case .maskTagged(_, let e, _, _): (mesh, expr) = (nil, e)
            default: continue
            }
            if expr.constantArguments(of: "hash", arity: 2, at: 1).contains(where: { $0.lowercased() == name }) {
                uses.append((mesh, r.id))
            }
        }
        return uses
    }
}
