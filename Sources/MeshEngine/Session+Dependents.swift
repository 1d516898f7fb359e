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
        case .rows, nil: break
        }
        return r
    }
}

extension Session {
    /// The views (products defined by a query) of this org that read any of `products`
    /// (`mesh.product`), directly or through other views, and are not among them: what a
    /// DROP would leave reading nothing. Read from the index kept when views are created (a
    /// view that no longer binds reads nothing known).
    func views(reading products: Set<String>) throws -> [(name: String, record: ProductRecord)] {
        let meshNames = Dictionary(uniqueKeysWithValues: try catalog.meshes(org: org).map { ($0.id, $0.sqlName) })
        let all = try catalog.products(org: org)
        func name(_ p: ProductRecord) -> String? { meshNames[p.meshId].map { $0 + "." + p.name } }
        let ids = Set(all.filter { name($0).map(products.contains) ?? false }.map(\.id))
        let index = try viewReadIndex()
        return all.compactMap { v in
            guard v.isView, let n = name(v), !products.contains(n), let reads = index[v.id], !reads.isDisjoint(with: ids) else { return nil }
            return (n, v)
        }
    }

    /// Per view id, the ids of every product it reads; views not indexed yet (made by an
    /// older meshql) are indexed first.
    func viewReadIndex() throws -> [UUID: Set<UUID>] {
        let index = try catalog.viewReads(org: org)
        let missing = try catalog.products(org: org).filter { $0.isView && index[$0.id] == nil }
        guard !missing.isEmpty else { return index }
        for v in missing { try indexView(v) }
        return try catalog.viewReads(org: org)
    }

    /// Records what view `view` reads, bound as the operator in its own mesh (all of it, not
    /// what one principal may see).
    func indexView(_ view: ProductRecord) throws {
        guard let mesh = try catalog.mesh(id: view.meshId, org: org) else { return }
        let own = mesh.sqlName + "." + view.name
        var read = Set<String>()
        if let sql = view.viewSQL, let query = try? Parser.parseQuery(sql) {
            let recorder = RecordingResolver(ProductResolver(catalog: catalog, org: org, currentMesh: mesh.sqlName))
            _ = try? Binder(catalog: recorder).bind(query)
            read = recorder.names.withLock { $0 }
        }
        var reads: [(id: UUID, name: String)] = []
        for name in read.sorted() where name != own {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let m = try catalog.mesh(sqlName: parts[0], org: org),
                  let p = try catalog.product(meshId: m.id, name: parts[1], org: org) else { continue }
            reads.append((p.id, name))
        }
        try catalog.setViewReads(viewID: view.id, viewName: own, reads: reads, org: org)
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
