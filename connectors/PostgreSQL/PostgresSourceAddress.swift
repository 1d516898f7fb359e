import ConnectorKit
import Foundation

extension PostgresConnector {
    /// Settings under which libpq reads a file of the server's (a service file, a password
    /// file, certificates and keys) or decides by itself where to go: a DSN with any of them
    /// does not say plainly where it leads.
    static let settingsReadingFiles: Set<String> = [
        "service", "servicefile", "passfile", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir",
        "sslpassword", "requirepeer", "krbsrvname", "gsslib", "gssdelegation",
    ]

    /// The servers and database a DSN leads to, as libpq reads it: every host of a host list
    /// (`hostaddr`, when given, is where libpq actually connects) with its port, and the
    /// database (`dbname`, else the user's name). No host at all means the local socket libpq
    /// picks by itself: `.unclear`, as is a DSN that does not parse.
    @Sendable static func sourceAddress(options: [String: String], baseDirectory: String) -> SourceAddress {
        guard let dsn = options["dsn"], let settings = PGConninfo.settings(dsn) else { return .unclear }
        for key in settingsReadingFiles where !(settings[key] ?? "").isEmpty { return .unclear }
        let given = { (key: String) in (settings[key] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let hosts = settings["hostaddr"].map { !$0.isEmpty } == true ? given("hostaddr") : given("host")
        guard !hosts.isEmpty, hosts.allSatisfy({ !$0.isEmpty }) else { return .unclear }
        var ports = given("port")
        if ports.isEmpty || ports == [""] { ports = [ProcessInfo.processInfo.environment["PGPORT"] ?? "5432"] }
        guard ports.count == 1 || ports.count == hosts.count else { return .unclear }
        var endpoints: [SourceEndpoint] = []
        for (i, host) in hosts.enumerated() {
            guard let port = Int(ports.count == 1 ? ports[0] : ports[i]), (1...65535).contains(port) else { return .unclear }
            endpoints.append(SourceEndpoint(host: host, port: port))
        }
        let database = [settings["dbname"], settings["user"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        return .servers(endpoints, database: database)
    }
}
