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
        case .connection? where error?.message.contains("waiting for a free") == false:
            // (A pool that is only busy says nothing of the source.)
            engine.setConnectorState(id, org: org, healthy: false, reason: "Unreachable: " + (error?.message ?? ""))
        case .undefinedColumn?, .undefinedTable?:
            // Which product lost the column is known only when the query read one.
            if fragment.products.count == 1 { engine.markDrift(fragment.products[0], org: org, reason: error?.message ?? "") }
        default:
            break
        }
    }
}

extension Engine {
    /// Records a connector's health when it differs from the stored one.
    func setConnectorState(_ id: UUID, org: String, healthy: Bool, reason: String) {
        let catalog = self.catalog
        // A look at the (cached) state first, so a query that changes nothing writes nothing;
        // again on the writer's queue, where writes are in order.
        guard let stored = try? catalog.connector(id: id, org: org), stored.state.healthy != healthy else { return }
        stateWriter.async {
            guard let now = try? catalog.connector(id: id, org: org), now.state.healthy != healthy else { return }
            let state = healthy ? EntityState(code: "000", reason: reason, healthy: true)
                : EntityState(code: "503", reason: reason, healthy: false)
            try? catalog.setConnectorState(id: id, org: org, state)
        }
    }

    /// Marks a product (`mesh.product`) unhealthy with a schema-drift reason.
    func markDrift(_ name: String, org: String, reason: String) {
        let catalog = self.catalog
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        stateWriter.async {
            guard let mesh = try? catalog.mesh(sqlName: parts[0], org: org),
                  let p = try? catalog.product(meshId: mesh.id, name: parts[1], org: org), p.state.healthy else { return }
            try? catalog.setProductState(id: p.id, org: org, EntityState(
                code: "409", reason: "Schema drift: \(reason); REFRESH DATA PRODUCT \(name) takes the source's columns", healthy: false))
        }
    }
}
