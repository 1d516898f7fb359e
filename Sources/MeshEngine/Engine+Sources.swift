import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore

/// The operator's side of source confinement (`meshql source …`): the rules each org's
/// connectors must keep to, and which connectors fall outside them.
extension Engine {
    /// Allows an org's connectors a SQLite root: a folder (everything under it) or one file,
    /// by its real path. It must exist.
    @discardableResult
    public func allowSQLiteRoot(org: String, path: String) throws -> SourceRule {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard let real = realpath(absolute, nil) else {
            throw MeshError(.invalidParameter, "no such file or folder: \(path)")
        }
        defer { free(real) }
        let rule = SourceRule(org: org, kind: .sqlite, pattern: String(cString: real), note: "allowed by the operator")
        try catalog.allowSource(rule)
        return rule
    }

    /// Allows an org's connectors a PostgreSQL server: `host:port`, `host:port/database`
    /// (`[v6]:port` for an IPv6 address, a folder for a Unix socket).
    @discardableResult
    public func allowPostgres(org: String, pattern: String) throws -> SourceRule {
        guard let parsed = PostgresPattern(pattern) else {
            throw MeshError(.invalidParameter, "\"\(pattern)\" is not host:port or host:port/database")
        }
        let rule = SourceRule(org: org, kind: .postgres, pattern: parsed.text, note: "allowed by the operator")
        try catalog.allowSource(rule)
        return rule
    }

    /// Removes a rule as `meshql source list` prints it; false when there was none.
    public func disallowSource(org: String, kind: SourceRule.Kind, pattern: String) throws -> Bool {
        var stored = pattern
        switch kind {
        case .sqlite:
            if let real = realpath(pattern, nil) {
                stored = String(cString: real)
                free(real)
            }
        case .postgres:
            stored = PostgresPattern(pattern)?.text ?? pattern
        }
        return try catalog.disallowSource(org: org, kind: kind, pattern: stored)
    }

    /// One connector as the rules see it.
    public struct SourceCheck: Sendable {
        public var connector: ConnectorRecord
        /// Where it reads ("file /data/acme/crm.db", "postgres db1:5432/sales"), never a password.
        public var location: String
        public var allowed: Bool
    }

    /// Every connector (of `org`, or of every org) checked against its org's rules: those
    /// outside them are refused to principals until the operator allows their source.
    public func checkSources(org: String?) throws -> [SourceCheck] {
        let connectors = try org.map { try catalog.connectors(org: $0) } ?? catalog.connectorsOfEveryOrg()
        return try connectors.map { record in
            let location = registry.locate(type: record.type, options: record.connectionOptions, baseDirectory: baseDirectory)
            let text: String
            switch location {
            case .unclear: text = "unclear (no such file, no host, or a setting that reads a file)"
            case .file(let path): text = "file " + path
            case .servers(let endpoints, let database):
                text = "postgres " + endpoints.map { PostgresPattern.text(host: $0.host, port: $0.port, database: nil) }
                    .joined(separator: ",") + "/" + database
            }
            return SourceCheck(connector: record, location: text,
                               allowed: SourceConfinement.allows(location, rules: try catalog.sourceRules(org: record.org)))
        }
    }
}
