import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore

/// Sources belong to the server's operator, then to an org: a principal's connectors may
/// point only at the files and servers the operator allowed the org (`meshql source allow`),
/// and never at the source of another mesh's connector. The local superuser is the operator
/// and is not confined; a connector the operator creates allows its own source to the org.
extension Session {
    /// The one answer a principal gets for a source it may not use, whatever the reason (not
    /// allowed, no such file, a folder, another mesh's): so that connectors are not a
    /// file-system oracle or a port scanner.
    static var sourceRefused: MeshError {
        MeshError(.permission, "this source is not open to connectors of this organisation",
                  hint: "the server's operator allows sources with `meshql source allow` (docs/confine-sources.md)")
    }

    /// Where a connector reads, as its type sees its options; nothing is opened.
    func sourceAddress(of record: ConnectorRecord) -> SourceAddress {
        engine.registry.locate(type: record.type, options: record.connectionOptions, baseDirectory: engine.baseDirectory)
    }

    /// Refuses a principal's connector whose source is outside the org's rules.
    func confineSource(_ record: ConnectorRecord) throws {
        guard principal != nil else { return }
        guard SourceConfinement.allows(sourceAddress(of: record), rules: try catalog.sourceRules(org: record.org)) else {
            throw Self.sourceRefused
        }
    }

    /// For a principal's CREATE and ALTER CONNECTOR, before anything is opened: the new source
    /// must be within the org's rules and be no other mesh's (a second connector on another
    /// mesh's source would read it past that mesh's policies).
    func admitSource(_ record: ConnectorRecord) throws {
        guard principal != nil else { return }
        try confineSource(record)
        let here = sourceAddress(of: record)
        for other in try catalog.connectors(org: record.org) where other.id != record.id && other.meshId != record.meshId {
            if here.isSameSource(as: sourceAddress(of: other)) { throw Self.sourceRefused }
        }
    }

    /// After the operator's CREATE or ALTER CONNECTOR: its source is allowed to the org, in
    /// exact rules `meshql source list` shows.
    func recordOperatorsSource(_ record: ConnectorRecord) throws {
        guard principal == nil else { return }
        for rule in SourceConfinement.rules(allowing: sourceAddress(of: record), org: record.org,
                                            note: "added by the operator's connector \(record.name)") {
            try catalog.allowSource(rule)
        }
    }

    /// The live connector for a record, once its source is checked against the org's rules
    /// (a connector made before a rule was removed is refused from then on).
    func sourceConnector(for record: ConnectorRecord) throws -> any Connector {
        try confineSource(record)
        return try engine.connector(for: record)
    }
}
