import MeshCore
import MeshPlan

/// Told how each remote query ended — read to its end, or failed — so the engine can keep
/// connectors' and products' `state` (an unreachable source, a column gone at the source).
public protocol SourceObserver: Sendable {
    func remoteQueryEnded(_ fragment: RemoteFragment, error: MeshError?)
}
