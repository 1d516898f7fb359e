import Foundation
import MeshCatalog
import MeshCore
import MeshPolicy

/// Names for tab completion, filtered as SHOW and DESCRIBE filter them: a principal never
/// sees a product, column or mesh through completion that a listing would hide.
extension Session {
    public func visibleMeshNames() -> [String] {
        ((try? visibleMeshes()) ?? []).map(\.sqlName)
    }

    public func visibleProductNames(mesh: String) -> [String] {
        guard let m = try? catalog.mesh(sqlName: mesh, org: org) else { return [] }
        let book = principal == nil ? nil : try? policyBook()
        if principal != nil, book == nil { return [] }
        return ((try? visibleProducts(of: m, book)) ?? []).map(\.name)
    }

    public func visibleColumnNames(mesh: String, product: String) -> [String] {
        guard let m = try? catalog.mesh(sqlName: mesh, org: org),
              let p = try? catalog.product(meshId: m.id, name: product, org: org) else { return [] }
        guard let principal else { return p.columns.map(\.name) }
        guard let book = try? policyBook(),
              let access = try? book.access(to: p, in: m, for: principal) else { return [] }
        return p.columns.map(\.name).filter { !access.hiddenColumns.contains($0) }
    }

    /// Sets the principal from `\as` words: `EMAIL [role R …] [attr K=V …]`, or `none` for
    /// the local superuser. Returns what the session now runs as.
    public func switchIdentity(_ words: [String]) throws -> String {
        guard let first = words.first else { return identityDescription }
        if words.count == 1, ["none", "superuser", "meshql"].contains(first.lowercased()) {
            principal = nil
            return identityDescription
        }
        var p = Principal()
        var i = 0
        if !["role", "attr"].contains(first.lowercased()) {
            p.user = first
            i = 1
        }
        while i < words.count {
            let word = words[i].lowercased()
            guard i + 1 < words.count, word == "role" || word == "attr" else {
                throw MeshError(.invalidParameter, "\\as: expected \"role R\" or \"attr K=V\", found \"\(words[i])\"",
                                hint: "\\as alice@acme.com role analyst attr region=EU, or \\as none")
            }
            if word == "role" {
                p.roles.insert(words[i + 1].lowercased())
            } else {
                guard let (k, v) = Principal.attribute(words[i + 1]) else {
                    throw MeshError(.invalidParameter, "\\as: an attribute is written K=V, not \"\(words[i + 1])\"")
                }
                p.attributes[k] = v
            }
            i += 2
        }
        principal = p
        return identityDescription
    }

    public var identityDescription: String {
        principal.map { "acting as " + $0.description } ?? "acting as the local superuser (policies do not apply)"
    }
}
