import Foundation
import MeshCatalog
import MeshCore
import MeshExec
import MeshPlan

/// Keeps connectors' and products' `state` (API.md) from what queries find: a source that
/// cannot be reached makes its connector unhealthy, and one that answers makes it healthy
/// again; a column or table gone at the source makes the product unhealthy until
/// `REFRESH DATA PRODUCT` takes the source's columns. Queries on an unhealthy product are
/// refused with its reason (`ProductResolver`).
///
/// A state is written only when it changes, off the query's path.
struct SourceHealth: SourceObserver {
    let engine: Engine
    let org: String

    func remoteQueryEnded(_ fragment: RemoteFragment, error: MeshError?) {
        guard let id = UUID(uuidString: fragment.connectorID) else { return }
        switch error?.code {
        case nil:
            engine.setConnectorState(id, org: org, healthy: true, reason: "Reachable.")
        case .connection?:
            engine.setConnectorState(id, org: org, healthy: false, reason: "Unreachable: " + (error?.message ?? ""))
        case .undefinedColumn?, .undefinedTable?:
            engine.markDrift(fragment.products, org: org, reason: error?.message ?? "")
        default:
            break
        }
    }
}

extension Engine {
    /// Records a connector's health when it differs from the stored one.
    func setConnectorState(_ id: UUID, org: String, healthy: Bool, reason: String) {
        let catalog = self.catalog
        guard let stored = try? catalog.connector(id: id, org: org), stored.state.healthy != healthy else { return }
        stateWriter.async {
            let state = healthy ? EntityState(code: "000", reason: reason, healthy: true)
                : EntityState(code: "503", reason: reason, healthy: false)
            try? catalog.setConnectorState(id: id, org: org, state)
        }
    }

    /// Marks products (`mesh.product`) unhealthy with a schema-drift reason.
    func markDrift(_ products: [String], org: String, reason: String) {
        let catalog = self.catalog
        for name in products {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let mesh = try? catalog.mesh(sqlName: parts[0], org: org),
                  let p = try? catalog.product(meshId: mesh.id, name: parts[1], org: org), p.state.healthy else { continue }
            stateWriter.async {
                try? catalog.setProductState(id: p.id, org: org, EntityState(
                    code: "409", reason: "Schema drift: \(reason); REFRESH DATA PRODUCT \(name) takes the source's columns", healthy: false))
            }
        }
    }
}
