import ConnectorKit
import Foundation
import MeshCatalog
import Synchronization

/// Whether a connector's source lies within an org's source rules (`meshql source allow`), and
/// whether two connectors read the same source. Nothing here opens the source.
enum SourceConfinement {
    /// Whether `rules` allow `location`: a file within a SQLite root (the root itself, or
    /// anything under a root folder); servers each matching a PostgreSQL rule's port, database
    /// and host, the host compared by address (every address the connector's host resolves to
    /// must be one of the rule host's), a socket folder by its path.
    static func allows(_ location: SourceAddress, rules: [SourceRule]) -> Bool {
        switch location {
        case .unclear:
            return false
        case .file(let path):
            return rules.contains { rule in
                guard rule.kind == .sqlite else { return false }
                return path == rule.pattern || path.hasPrefix(rule.pattern.hasSuffix("/") ? rule.pattern : rule.pattern + "/")
            }
        case .servers(let endpoints, let database):
            let servers = rules.compactMap { $0.kind == .postgres ? PostgresPattern($0.pattern) : nil }
            return !endpoints.isEmpty && endpoints.allSatisfy { endpoint in
                servers.contains { $0.allows(endpoint, database: database) }
            }
        }
    }

    /// The exact rules that allow `location` (what the operator's own CREATE CONNECTOR adds),
    /// none for an unclear one.
    static func rules(allowing location: SourceAddress, org: String, note: String) -> [SourceRule] {
        switch location {
        case .unclear:
            return []
        case .file(let path):
            return [SourceRule(org: org, kind: .sqlite, pattern: path, note: note)]
        case .servers(let endpoints, let database):
            return endpoints.map {
                SourceRule(org: org, kind: .postgres, pattern: PostgresPattern.text(host: $0.host, port: $0.port, database: database),
                           note: note)
            }
        }
    }
}

/// A PostgreSQL rule: `host:port`, `host:port/database` or `host:port/*`; an IPv6 address in
/// brackets; a host starting with `/` is a Unix-socket folder.
struct PostgresPattern: Sendable, Hashable {
    var host: String
    var port: Int
    /// nil: any database.
    var database: String?

    init?(_ text: String) {
        var rest = Substring(text)
        var database: String?
        // The database follows the port: the first `/` after the last `:`.
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        if let slash = rest[colon...].firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            guard !name.isEmpty else { return nil }
            database = name == "*" ? nil : String(name)
            rest = rest[..<slash]
        }
        guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        self.host = host
        self.port = port
        self.database = database
    }

    /// The pattern's text form, as stored.
    static func text(host: String, port: Int, database: String?) -> String {
        let h = host.contains(":") && !host.hasPrefix("/") ? "[\(host)]" : host
        return "\(h):\(port)" + (database.map { "/" + $0 } ?? "")
    }

    var text: String { Self.text(host: host, port: port, database: database) }

    func allows(_ endpoint: SourceEndpoint, database name: String) -> Bool {
        guard endpoint.port == port, database == nil || database == name else { return false }
        if host.hasPrefix("/") || endpoint.host.hasPrefix("/") {
            return Self.folder(host) == Self.folder(endpoint.host)
        }
        let allowed = HostAddresses.of(host)
        let wanted = HostAddresses.of(endpoint.host)
        return !wanted.isEmpty && wanted.isSubset(of: allowed)
    }

    private static func folder(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
