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
            guard words.count == 1 else { throw MeshError(.invalidParameter, "\\lineage takes one data product: \\lineage mesh.product") }
            // A one-part name is in the current mesh, as in a query.
            let name = words[0].contains(".") ? words[0] : session.currentMesh.map { "\($0).\(words[0])" } ?? words[0]
            return .message(try session.productLineage(name, recentQueries: 10).text)
        case "history":
            guard words.count <= 1, let limit = words.isEmpty ? 20 : Int(words[0]), (1...1000).contains(limit) else {
                throw MeshError(.invalidParameter, "\\history takes how many queries to show, 1 to 1000: \\history 50")
            }
            let records = try session.queryHistory(limit: limit)
            guard !records.isEmpty else { return .message("No queries yet.") }
            // Oldest first, as a terminal's history reads.
            return .message(records.reversed().map(\.historyLine).joined(separator: "\n"))
        default:
            return nil
        }
    }
}
