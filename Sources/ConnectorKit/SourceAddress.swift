/// Where a connector reads from, as the operator's source rules see it: a server's operator
/// says which files and servers each organisation's connectors may reach (`meshql source
/// allow`), and a connector type says where its options point, without opening anything.
public enum SourceAddress: Sendable, Hashable {
    /// A file, by its real path (symlinks and `..` resolved).
    case file(String)
    /// Database servers, each (host or socket folder, port), and the database on them.
    case servers([SourceEndpoint], database: String)
    /// The options do not say plainly where the connector would go (a file that does not
    /// exist, a service file, a certificate or password file the client would read): only
    /// the operator may register such a connector.
    case unclear
}

/// One server a connector would connect to.
public struct SourceEndpoint: Sendable, Hashable {
    /// A host name, an IP address, or a Unix-socket folder (starting with `/`).
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

extension SourceAddress {
    /// Whether two connectors read the same source: one file, or one database on a server
    /// both reach (an address and port in common).
    public func isSameSource(as other: SourceAddress) -> Bool {
        switch (self, other) {
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
}
