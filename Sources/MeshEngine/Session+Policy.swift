import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshPolicy
import MeshSQL

/// Policy statements (SQL.md §5) and who may change what.
extension Session {
    /// The org's policies as they stand now, or nil for the local superuser (who bypasses them).
    func policyBook() throws -> PolicyBook? {
        principal == nil ? nil : try orgPolicies()
    }

    /// The org's policies, whoever asks (also for the superuser's checks and listings).
    func orgPolicies() throws -> PolicyBook {
        try PolicyBook.load(catalog: catalog, org: org, locate: sourceAddress)
    }

    var queryIdentity: QueryIdentity { QueryIdentity(org: org, principal: principal, currentMesh: currentMesh) }

    /// Whether the principal manages `mesh` (the superuser manages everything).
    func manages(_ mesh: Mesh) -> Bool { principal?.manages(mesh) ?? true }

    var isAdmin: Bool { principal?.isAdmin ?? true }

    /// Refuses catalog changes the principal may not make: creating meshes and managing the
    /// policy library is for org admins; a mesh's connectors, products and policies are for
    /// its managers. Reading statements need no check here: what they show is filtered.
    func authorize(_ statement: Statement) throws {
        guard principal != nil else { return }
        func mesh(_ name: String) throws {
            // A mesh the principal cannot manage is refused the same way whether it exists or not.
            guard let m = try catalog.mesh(sqlName: name, org: org), manages(m) else {
                throw MeshError(.permission, "permission denied for mesh \"\(name)\"", hint: "only its owner, assignees and org admins may change it")
            }
        }
        func admin(_ what: String) throws {
            guard isAdmin else { throw MeshError(.permission, "permission denied: only org admins may \(what)") }
        }
        func product(_ name: QualifiedName) throws {
            if name.parts.count == 2 { try mesh(name.parts[0]) } else if let m = currentMesh { try mesh(m) } else { try admin("change this") }
        }
        switch statement {
        case .query, .explain, .show, .describe, .set: return
        case .use(let name):
            _ = try requireVisibleMesh(name, policyBook())
        case .createMesh: try admin("create meshes")
        case .alterMesh(let name, _), .dropMesh(let name, _, _): try mesh(name)
        case .createConnector(_, let m, _, _, _, _): try mesh(m)
        case .alterConnector(let name, _, _), .dropConnector(let name, _), .importProducts(let name, _, _), .testConnector(let name):
            guard let c = try catalog.connector(name: name, org: org), let m = try catalog.mesh(id: c.meshId, org: org), manages(m) else {
                throw MeshError(.permission, "permission denied for connector \"\(name)\"")
            }
        case .createProduct(let name, _, _, _), .createView(let name, _, _, _),
             .refreshProduct(let name), .dropProduct(let name, _, _):
            try product(name)
        case .alterProductColumnTags(let name, let column, let tags):
            try product(name)
            // Tags that org-wide masks use are the org admins' to change: a mesh manager must
            // not lift such a mask by untagging a column.
            let old = try requireProduct(name).columns.first { $0.name == column }?.tags ?? []
            let masked = Set(try orgPolicies().tagMasks.keys)
            if !isAdmin, !masked.isDisjoint(with: (old + tags).map { $0.lowercased() }) {
                throw MeshError(.permission, "permission denied: only org admins may change tags that org-wide masks use")
            }
        case .policy(let p, _):
            if let m = p.meshName { try mesh(m) } else { try admin("set org-wide policies") }
        case .createPolicy, .dropPolicy: try admin("manage the policy library")
        case .createHashDomain, .alterHashDomain, .dropHashDomain: try admin("manage hash domains")
        case .dropPolicyEntry(_, let m): try mesh(m)
        }
    }

    func executePolicyStatement(_ statement: Statement) async throws -> StatementResult {
        switch statement {
        case .policy(let p, let text):
            var mesh = try p.meshName.map(requireMesh) ?? systemMesh()
            let entries = mesh.securityPolicy + [text]
            try PolicyValidator(catalog: catalog, org: org).validate(entries, for: mesh)
            mesh.securityPolicy = entries
            _ = try catalog.updateMesh(mesh)
            try refreshPolicyStates()
            return .message("\(p.verb) (policy \(mesh.sqlName)#\(entries.count))")

        case .createPolicy(let name, let body, let location):
            if name == PolicyEntry.defaultPolicy {
                throw MeshError(.duplicateObject, "default_policy is built in and cannot be redefined")
            }
            do {
                try PolicyValidator(catalog: catalog, org: org).validateNamed(body)
            } catch let e as MeshError {
                // Positions inside the quoted text are not positions in the statement.
                throw MeshError(e.code, "policy \"\(name)\": \(e.message)", at: location, hint: e.hint)
            }
            let existing = try catalog.namedPolicies(org: org).first { $0.name == name }
            try catalog.saveNamedPolicy(NamedPolicy(name: name, body: body, createdAt: existing?.createdAt ?? Date()), org: org)
            try refreshPolicyStates()
            return .message(existing == nil ? "CREATE POLICY" : "CREATE POLICY (replaced)")

        case .dropPolicy(let name, let ifExists):
            guard try catalog.deleteNamedPolicy(name: name, org: org) else {
                if ifExists { return .message("DROP POLICY (did not exist, skipped)") }
                throw MeshError(.undefinedObject, "policy \"\(name)\" does not exist")
            }
            // Meshes naming it deny again (fail closed) until it is defined anew.
            try refreshPolicyStates()
            return .message("DROP POLICY")

        case .dropPolicyEntry(let index, let meshName):
            var mesh = try requireMesh(meshName)
            guard index <= mesh.securityPolicy.count else {
                throw MeshError(.undefinedObject, "mesh \"\(meshName)\" has \(mesh.securityPolicy.count) policies, not \(index)")
            }
            mesh.securityPolicy.remove(at: index - 1)
            _ = try catalog.updateMesh(mesh)
            try refreshPolicyStates()
            return .message("DROP POLICY")

        default:
            throw MeshError(.internalError, "not a policy statement")
        }
    }

    /// Replaces a mesh's whole policy list after validating it (what `PUT /api/data/mesh`
    /// does): an invalid entry rejects the list with its index and position.
    public func setSecurityPolicy(_ entries: [String], forMesh name: String) throws {
        var mesh = try requireMesh(name)
        if let principal, !principal.manages(mesh) { throw MeshError(.permission, "permission denied for mesh \"\(name)\"") }
        try PolicyValidator(catalog: catalog, org: org).validate(entries, for: mesh)
        mesh.securityPolicy = entries
        _ = try catalog.updateMesh(mesh)
        try refreshPolicyStates()
    }

    /// Brings every mesh's stored `state` in line with its policies: a list naming an
    /// undefined policy makes the mesh unhealthy with the reason (what the seed API's `state`
    /// shows), and defining it makes the mesh healthy again.
    func refreshPolicyStates() throws {
        let book = try orgPolicies()
        for var mesh in try catalog.meshes(org: org) {
            let wanted: EntityState
            if let reason = book.brokenReason(mesh) {
                wanted = EntityState(code: "412", reason: reason, healthy: false)
            } else if mesh.state.code == "412" {
                wanted = .created
            } else {
                continue
            }
            guard mesh.state != wanted else { continue }
            mesh.state = wanted
            _ = try catalog.updateMesh(mesh)
        }
    }

    /// The org's system mesh, created the first time an org-wide statement needs it.
    func systemMesh() throws -> Mesh {
        if let m = try catalog.systemMesh(org: org) { return m }
        let name = try catalog.mesh(sqlName: "system", org: org) == nil ? "system" : "org_system"
        return try catalog.createMesh(Mesh(org: org, sqlName: name, name: name, label: "Org-wide policies",
                                           description: "The org's system mesh: policies for every mesh", isSystem: true))
    }
}

extension PolicyStatement {
    /// The mesh whose list the statement belongs to; nil for org-wide ones (tag masks).
    var meshName: String? {
        switch self {
        case .grant(let t, _), .deny(let t, _, _):
            switch t {
            case .product(let n): n.parts[0]
            case .allProducts(let m, _): m
            }
        case .mask(let c, _, _): c.parts[0]
        case .filter(let n, _, _): n.parts[0]
        case .maskTagged: nil
        }
    }

    var verb: String {
        switch self {
        case .grant: "GRANT"
        case .deny: "DENY"
        case .mask, .maskTagged: "MASK"
        case .filter: "FILTER"
        }
    }
}
