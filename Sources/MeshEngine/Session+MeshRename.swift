import Foundation
import MeshCatalog
import MeshCore
import MeshPolicy
import MeshSQL

/// Policies and views name meshes by their SQL name (`sales.orders`). When a mesh takes a new
/// SQL name, everything that named it is rewritten to the new name in the same catalog
/// transaction as the rename: an admin's DENY, an org-wide MASK, a library policy, another
/// mesh's view. So renaming changes nothing about what applies to the mesh's products or what
/// reads them (it was once a way to escape an admin's rule, which then named a mesh that was
/// gone). Hash domains and grants by `default_policy` hold meshes by id and need nothing.
extension Session {
    /// The renamed mesh's own list, checked as it stands before the rename (entries may use
    /// either name), and the rewrites of everything else that names `stored`'s SQL name.
    func renaming(_ stored: Mesh, to updated: inout Mesh) throws -> MeshRenameRewrites {
        let old = stored.sqlName, new = updated.sqlName
        try CatalogStore.refuseCatalogSchemaName(new)
        func entry(_ text: String, from a: String, to b: String) -> String? {
            guard case .statement(let s)? = try? PolicyEntry.parse(text),
                  let renamed = MeshRenaming.policy(s, from: a, to: b) else { return nil }
            return SQLPrinter.print(renamed)
        }
        // The list as given, under the old name, must be valid now; it is saved under the new.
        var asBefore = updated
        asBefore.sqlName = old
        asBefore.securityPolicy = updated.securityPolicy.map { entry($0, from: new, to: old) ?? $0 }
        try PolicyValidator(catalog: catalog, org: org).validate(asBefore.securityPolicy, for: asBefore)
        updated.securityPolicy = asBefore.securityPolicy.map { entry($0, from: old, to: new) ?? $0 }

        var rewrites = MeshRenameRewrites()
        for mesh in try catalog.meshes(org: org) where mesh.id != stored.id {
            let list = mesh.securityPolicy.map { entry($0, from: old, to: new) }
            if list.contains(where: { $0 != nil }) {
                rewrites.policyLists[mesh.id] = zip(list, mesh.securityPolicy).map { $0 ?? $1 }
            }
        }
        for policy in try catalog.namedPolicies(org: org) {
            guard let statements = try? PolicyStatement.parseBody(policy.body) else { continue }
            let renamed = statements.map { MeshRenaming.policy($0, from: old, to: new) }
            if renamed.contains(where: { $0 != nil }) {
                rewrites.namedPolicies[policy.name] = zip(renamed, statements).map { SQLPrinter.print($0 ?? $1) }.joined(separator: "; ")
            }
        }
        for view in try catalog.products(org: org) where view.isView {
            if let sql = view.viewSQL, let renamed = MeshRenaming.query(sql, from: old, to: new) {
                rewrites.viewSQL[view.id] = renamed
            }
        }
        return rewrites
    }
}
