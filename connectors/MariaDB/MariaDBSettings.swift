import ConnectorKit
import Foundation

/// Where and as whom a MariaDB connector connects, read from its `dsn` option:
/// `mariadb://user[:password]@host[:port]/database` (`mysql://` too), with `?socket=/path`
/// for a Unix socket instead of TCP.
struct MariaDBSettings: Sendable, Equatable {
    var host: String
    var port: UInt32
    var user: String
    var password: String?
    var database: String
    var socket: String?

    static let defaultPort: UInt32 = 3306

    /// Nil when the DSN is not such a URL or names no database.
    static func parse(_ dsn: String) -> MariaDBSettings? {
        let trimmed = dsn.trimmingCharacters(in: .whitespaces)
        guard let url = URLComponents(string: trimmed), let scheme = url.scheme?.lowercased(),
              scheme == "mariadb" || scheme == "mysql" else { return nil }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty, !database.contains("/") else { return nil }
        var socket: String?
        for item in url.queryItems ?? [] {
            guard item.name == "socket", let value = item.value, value.hasPrefix("/") else { return nil }
            socket = value
        }
        let host = url.host ?? ""
        guard !host.isEmpty || socket != nil else { return nil }
        guard let port = url.port.map({ UInt32(exactly: $0) }) ?? defaultPort, (1...65535).contains(port) else { return nil }
        return MariaDBSettings(host: host.isEmpty ? "localhost" : host, port: port,
                               user: url.user ?? "", password: url.password, database: database, socket: socket)
    }

    /// Where these settings lead, for the operator's source rules.
    var address: SourceAddress {
        .servers([SourceEndpoint(host: socket ?? host, port: Int(port))], database: database)
    }
}

extension MariaDBConnector {
    @Sendable static func sourceAddress(options: [String: String], baseDirectory: String) -> SourceAddress {
        guard let dsn = options["dsn"], let settings = MariaDBSettings.parse(dsn) else { return .unclear }
        return settings.address
    }
}
