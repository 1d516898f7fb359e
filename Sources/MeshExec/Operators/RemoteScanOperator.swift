import ConnectorKit
import MeshCore
import MeshPlan

/// Runs one remote fragment on its connector. The query starts when the operator is built,
/// so every source of a plan reads concurrently from the first moment.
final class RemoteScanOperator: OperatorBase, PhysicalOperator {
    let fragment: RemoteFragment
    let stream: BatchStream
    var fields: [Field] { fragment.fields }
    var children: [any PhysicalOperator] { [] }
    /// Bytes are not known per batch; rows are.
    private(set) var batches = 0

    init(_ fragment: RemoteFragment, connector: any Connector) {
        self.fragment = fragment
        self.stream = connector.execute(RemoteQuery(sql: fragment.sql, parameters: fragment.parameters,
                                                    outputTypes: fragment.fields.map(\.type)))
    }

    func next() async throws -> Batch? {
        guard var b = try await stream.next() else { return nil }
        batches += 1
        // Connectors decode into the promised physical types; keep the SQL types exact.
        for j in b.columns.indices where j < fragment.fields.count && b.columns[j].type != fragment.fields[j].type {
            b.columns[j].type = fragment.fields[j].type
        }
        return produced(b)
    }

    func close() { stream.cancel() }

    deinit { stream.cancel() }
}
