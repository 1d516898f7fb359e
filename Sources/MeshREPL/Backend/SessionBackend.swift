import Foundation
import MeshCore
import MeshEngine

/// Connects the shell to an engine session.
///
/// `@unchecked Sendable`: the shell runs one statement at a time; completion callbacks only
/// read the catalog, which is thread-safe.
public final class SessionBackend: ShellBackend, @unchecked Sendable {
    public let session: Session

    public init(session: Session) {
        self.session = session
    }

    public func execute(_ sql: String) async throws -> ShellOutcome {
        switch try await session.execute(sql) {
        case .message(let m):
            return .message(m)
        case .rows(let result):
            return .rows(ShellRows(fields: result.fields, message: result.message) { try await result.next() })
        }
    }

    public var promptMesh: String? { session.currentMesh }

    public func meshNames() -> [String] {
        (try? session.engine.catalog.meshes(org: session.org).map(\.sqlName)) ?? []
    }

    public func productNames(mesh: String) -> [String] {
        let catalog = session.engine.catalog
        guard let m = try? catalog.mesh(sqlName: mesh, org: session.org) else { return [] }
        return (try? catalog.products(meshId: m.id, org: session.org).map(\.name)) ?? []
    }

    public func columnNames(mesh: String, product: String) -> [String] {
        let catalog = session.engine.catalog
        guard let m = try? catalog.mesh(sqlName: mesh, org: session.org),
              let p = try? catalog.product(meshId: m.id, name: product, org: session.org) else { return [] }
        return p.columns.map(\.name)
    }
}
