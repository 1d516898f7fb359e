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

    public var promptIdentity: String? {
        session.principal.map { $0.user.isEmpty ? "(\($0.roles.sorted().joined(separator: ",")))" : $0.user }
    }

    public func meshNames() -> [String] { session.visibleMeshNames() }

    public func productNames(mesh: String) -> [String] { session.visibleProductNames(mesh: mesh) }

    public func columnNames(mesh: String, product: String) -> [String] {
        session.visibleColumnNames(mesh: mesh, product: product)
    }

    /// `\as EMAIL [role R …] [attr K=V …]`, `\as none`, `\as` (who am I); `\lineage
    /// MESH.PRODUCT`; `\history [N]`.
    public func metaCommand(_ name: String, argument: String) async throws -> ShellOutcome? {
        let words = argument.split(whereSeparator: \.isWhitespace).map(String.init)
        switch name {
        case "as":
            return .message(try session.switchIdentity(words))
        case "lineage":
            let product = try LineageCommands.product(words)
            // A one-part name is in the current mesh, as in a query.
            let name = product.contains(".") ? product : session.currentMesh.map { "\($0).\(product)" } ?? product
            return .message(try session.productLineage(name, recentQueries: 10).text)
        case "history":
            return .message(LineageCommands.historyText(try session.queryHistory(limit: try LineageCommands.historyLimit(words))))
        default:
            return nil
        }
    }
}
