import Foundation
import MeshCatalog
import MeshCore
import MeshSQL

/// Policies and views name meshes by their SQL name (`sales.orders`), so renaming a mesh would
/// leave them pointing at a name that no longer exists: a DENY, MASK or FILTER would stop
/// applying (a manager escaping an admin's rule by renaming the mesh). Until rules bind to ids,
/// a mesh keeps its SQL name while anything names it.
extension Session {
    /// Refuses to change a mesh's SQL name from `old` while a policy (of any mesh, the org's,
    /// or the policy library) or a view names it.
    func refuseRenamingNamedMesh(_ old: String, products: [ProductRecord]) throws {
        let named = old.lowercased()
        var names = false
        for mesh in try catalog.meshes(org: org) where !names {
            for text in mesh.securityPolicy {
                guard case .statement(let s)? = try? PolicyEntry.parse(text) else { continue }
                if s.meshName?.lowercased() == named { names = true; break }
            }
        }
        for library in try catalog.namedPolicies(org: org) where !names {
            let statements = (try? PolicyStatement.parseBody(library.body)) ?? []
            names = statements.contains { $0.meshName?.lowercased() == named }
        }
        if names {
            throw MeshError(.dependentObjects, "mesh \"\(old)\" cannot take another SQL name while policies name it",
                            hint: "policies are written against mesh.product names: move them to the new name first "
                                + "(an org admin, for org-wide ones), or keep the name and change only the label or description")
        }
        let own = Set(products.map { "\(old).\($0.name)" })
        if !(try views(reading: own)).isEmpty {
            throw MeshError(.dependentObjects, "mesh \"\(old)\" cannot take another SQL name while data products derived from it read it",
                            hint: "drop or redefine the derived data products first")
        }
    }
}
