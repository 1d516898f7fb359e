import ConnectorKit
import Foundation
import MeshCatalog
import MeshPolicy

extension Session {
    /// Per column of `product`, the tags it carries only through another product over the same
    /// source column (what DESCRIBE and the product API show beside its own tags, so an owner
    /// sees why a tag mask applies).
    public func inheritedTags(of product: ProductRecord, in mesh: Mesh) throws -> [String: [String]] {
        let sources = try orgPolicies().sources
        var out: [String: [String]] = [:]
        for c in product.columns {
            let tags = sources.inheritedTags(c, of: "\(mesh.sqlName).\(product.name)")
            if !tags.isEmpty { out[c.name] = tags }
        }
        return out
    }
}
