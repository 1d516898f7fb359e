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

    /// Whether two connectors read the same source: one file, or one database on a server
    /// both reach (an address and port in common).
    static func sameSource(_ a: SourceAddress, _ b: SourceAddress) -> Bool {
        switch (a, b) {
        case (.file(let x), .file(let y)):
            return x == y
        case (.servers(let xs, let dx), .servers(let ys, let dy)):
            guard dx == dy else { return false }
            return xs.contains { x in
                ys.contains { y in x.port == y.port && !HostAddresses.of(x.host).isDisjoint(with: HostAddresses.of(y.host)) }
            }
        default:
            return false
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

/// The addresses a host name resolves to (numeric, as `getnameinfo` prints them), kept a
/// minute: a query's sources are checked each time it is planned.
enum HostAddresses {
    private static let cache = Mutex<[String: (addresses: Set<String>, at: ContinuousClock.Instant)]>([:])
    static let keep: Duration = .seconds(60)

    static func of(_ host: String) -> Set<String> {
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[host] }), now - hit.at < keep { return hit.addresses }
        let found = resolve(host)
        cache.withLock { c in
            if c.count > 10_000 { c.removeAll() }
            c[host] = (found, now)
        }
        return found
    }

    private static func resolve(_ host: String) -> Set<String> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out = Set<String>()
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(a.pointee.ai_addr, a.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.insert(String(cString: buffer))
            }
            p = a.pointee.ai_next
        }
        return out
    }
}
