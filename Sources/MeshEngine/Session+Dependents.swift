import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshSQL
import Synchronization

/// Records every product a binding resolves, views included: what a view reads.
private final class RecordingResolver: CatalogResolver {
    let inner: ProductResolver
    let names = Mutex<Set<String>>([])

    init(_ inner: ProductResolver) { self.inner = inner }

    func resolve(mesh: String?, product: String) throws -> ResolvedRelation? {
        let r = try inner.resolve(mesh: mesh, product: product)
        switch r {
        case .table(let scan, _): names.withLock { _ = $0.insert(scan.productName) }
        case .view(let name, _, _): names.withLock { _ = $0.insert(name) }
        case nil: break
        }
        return r
    }
}

extension Session {
    /// The views (products defined by a query) of this org that read any of `products`
    /// (`mesh.product`), directly or through other views, and are not among them: what a
    /// DROP would leave reading nothing. A view that no longer binds reads nothing known.
    func views(reading products: Set<String>) throws -> [(name: String, record: ProductRecord)] {
        let meshNames = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0.sqlName) })
        var out: [(String, ProductRecord)] = []
        for p in try catalog.products(org: org) where p.isView {
            guard let sql = p.viewSQL, let mesh = meshNames[p.meshId] else { continue }
            let name = "\(mesh).\(p.name)"
            guard !products.contains(name), let query = try? Parser.parseQuery(sql) else { continue }
            let recorder = RecordingResolver(ProductResolver(catalog: catalog, org: org, currentMesh: mesh))
            _ = try? Binder(catalog: recorder).bind(query)
            if !recorder.names.withLock({ $0.isDisjoint(with: products) }) { out.append((name, p)) }
        }
        return out
    }

    /// Refuses to drop `products` while views outside them read them, naming the views; with
    /// `cascade`, returns those views' ids, to be dropped in the same transaction as them.
    func dependentViewsToDrop(of products: Set<String>, cascade: Bool, what: String) throws -> [UUID] {
        let dependents = try views(reading: products)
        guard !dependents.isEmpty else { return [] }
        guard cascade else {
            throw MeshError(.dependentObjects,
                            "\(what) is read by data product\(dependents.count == 1 ? "" : "s") "
                                + dependents.map(\.name).sorted().joined(separator: ", "),
                            hint: "drop \(dependents.count == 1 ? "it" : "them") first, or use CASCADE")
        }
        // Each is dropped as its own DROP would be: by those who manage its mesh.
        for d in dependents {
            guard let mesh = try catalog.mesh(id: d.record.meshId, org: org), manages(mesh) else {
                // Not named: the caller may not even see it.
                throw MeshError(.permission, "permission denied: a data product derived from \(what) is in a mesh you do not manage",
                                hint: "that mesh's managers can drop it first")
            }
        }
        return dependents.map(\.record.id)
    }
}
