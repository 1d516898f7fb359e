import ConnectorKit
import Foundation
import MeshCatalog

/// Which products read the same source table, and the tags each source column carries in any
/// of them: rules and tags follow the data, not a product's name. A second product over a
/// table (made by the operator, or before such copies were refused) is held to the same
/// DENY, FILTER and MASK rules and tag masks as the first.
public struct SourceMap: Sendable {
    /// Per product (`mesh.product`), its source table's key; views have none.
    private var tableOf: [String: String] = [:]
    /// Per source table key, the meshes (SQL names) with a product over it.
    private var meshesOf: [String: Set<String>] = [:]
    /// Per source column key, the union of its tags (lower case) over every product.
    private var tagsOf: [String: [String]] = [:]

    /// - Parameter sourceOf: per connector id, a name for its source shared by every connector
    ///   that reads the same file or database.
    public init(products: [ProductRecord], meshNames: [UUID: String], sourceOf: [UUID: String]) {
        for p in products {
            guard let c = p.connectorId, let name = p.remoteName, let source = sourceOf[c], let mesh = meshNames[p.meshId] else {
                continue
            }
            let table = [source, p.remoteSchema ?? "", name].joined(separator: "\u{1}")
            tableOf["\(mesh).\(p.name)"] = table
            meshesOf[table, default: []].insert(mesh)
            for c in p.columns {
                let key = table + "\u{1}" + c.name
                for t in c.tags.map({ $0.lowercased() }) where !(tagsOf[key]?.contains(t) ?? false) {
                    tagsOf[key, default: []].append(t)
                }
            }
        }
    }

    /// Whether a rule naming `named` (`mesh.product`) speaks of product `full`'s rows: it is
    /// that product, or another over the same source table.
    public func sameData(_ named: String, _ full: String) -> Bool {
        named == full || (tableOf[full].map { tableOf[named] == $0 } ?? false)
    }

    /// Whether mesh `mesh` has a product over the same source table as `full`.
    public func meshReadsSameData(_ mesh: String, _ full: String) -> Bool {
        tableOf[full].map { meshesOf[$0]?.contains(mesh) ?? false } ?? false
    }

    /// The tags of `column` of product `full` that it carries only through another product
    /// over the same source column.
    public func inheritedTags(_ column: ProductColumn, of full: String) -> [String] {
        guard let table = tableOf[full] else { return [] }
        let own = Set(column.tags.map { $0.lowercased() })
        return (tagsOf[table + "\u{1}" + column.name] ?? []).filter { !own.contains($0) }
    }

    /// The org's products, their sources told apart as source confinement does (one file, or
    /// one database on a server both connectors reach).
    public static func load(catalog: CatalogStore, org: String, locate: (ConnectorRecord) -> SourceAddress) throws -> SourceMap {
        let meshes = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0.sqlName) })
        var sourceOf: [UUID: String] = [:]
        var seen: [(address: SourceAddress, name: String)] = []
        for c in try catalog.connectors(org: org) {
            let address = locate(c)
            let same = address == .unclear ? nil : seen.first { $0.address.isSameSource(as: address) }
            let name = same?.name ?? c.id.uuidString.lowercased()
            sourceOf[c.id] = name
            if same == nil { seen.append((address, name)) }
        }
        return SourceMap(products: try catalog.products(org: org), meshNames: meshes, sourceOf: sourceOf)
    }
}
