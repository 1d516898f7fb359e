import Foundation
import MeshCore
import MeshSQL
import SQLiteDB

extension CatalogStore {
    /// Stores a new connector of an existing mesh of its org. Connector names are unique in an
    /// org (`FROM sales_pg.public.orders` names the connector without its mesh).
    @discardableResult
    public func createConnector(_ connector: ConnectorRecord) throws -> ConnectorRecord {
        try Self.validate(connector)
        return try write { db in
            guard try Self.fetchMesh(db, id: connector.meshId, org: connector.org) != nil else {
                throw Self.noMesh(connector.meshId)
            }
            if try db.scalarInt("SELECT 1 FROM connectors WHERE id = ?", [.id(connector.id)]) != nil {
                throw MeshError(.duplicateObject,
                                "connector identifier \(connector.id.uuidString.lowercased()) is already in use")
            }
            try Self.checkConnectorUnique(db, connector)
            try db.run("""
                INSERT INTO connectors (id, org, mesh_id, name, type, options, secret_options, created_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.id(connector.id), .text(connector.org), .id(connector.meshId), .text(connector.name),
                      .text(connector.type), try .json(connector.options), try .json(try sealed(connector.secretOptions)),
                      .date(connector.createdAt), try .json(connector.state)])
            return connector
        }
    }

    /// Replaces name, type, options, secret options and state of the connector with the same id
    /// and org. A connector cannot move to another mesh. Returns it as stored.
    @discardableResult
    public func updateConnector(_ connector: ConnectorRecord) throws -> ConnectorRecord {
        try Self.validate(connector)
        return try write { db in
            guard let stored = try Self.fetchConnector(db, "id = ?", .id(connector.id), org: connector.org) else {
                throw Self.noConnector(connector.id)
            }
            guard stored.meshId == connector.meshId else {
                throw MeshError(.invalidParameter, "connector \"\(stored.name)\" cannot move to another mesh")
            }
            try Self.checkConnectorUnique(db, connector)
            try db.run("""
                UPDATE connectors SET name = ?, type = ?, options = ?, secret_options = ?, state = ?
                WHERE id = ? AND org = ?
                """, [.text(connector.name), .text(connector.type), try .json(connector.options),
                      try .json(try sealed(connector.secretOptions)), try .json(connector.state),
                      .id(connector.id), .text(connector.org)])
            var updated = connector
            updated.createdAt = stored.createdAt
            return updated
        }
    }

    /// Sets a connector's state alone (what a query or a test learned of its source).
    public func setConnectorState(id: UUID, org: String, _ state: EntityState) throws {
        try write { db in
            try db.run("UPDATE connectors SET state = ? WHERE id = ? AND org = ?", [try .json(state), .id(id), .text(org)])
        }
    }

    /// The connector of `org` with this name, or nil. Includes secret options, for connecting;
    /// use `redacted` before showing it.
    public func connector(name: String, org: String = "default") throws -> ConnectorRecord? {
        try withDatabase { db in try Self.fetchConnector(db, "name = ?", .text(name), org: org) }.map(unsealed)
    }

    /// The connector of `org` with this id, or nil. Includes secret options.
    public func connector(id: UUID, org: String = "default") throws -> ConnectorRecord? {
        try cached("connector\u{1}\(org)\u{1}\(id)") {
            try withDatabase { db in try Self.fetchConnector(db, "id = ?", .id(id), org: org) }.map(unsealed)
        }
    }

    /// The connectors of `org` (of one mesh when `meshId` is given), by name. Includes secret
    /// options; use `redacted` before showing them.
    public func connectors(meshId: UUID? = nil, org: String = "default") throws -> [ConnectorRecord] {
        try withDatabase { db -> [ConnectorRecord] in
            if let meshId {
                return try db.query("SELECT \(Self.connectorColumns) FROM connectors WHERE org = ? AND mesh_id = ? ORDER BY name",
                                    [.text(org), .id(meshId)], Self.decodeConnector)
            }
            return try db.query("SELECT \(Self.connectorColumns) FROM connectors WHERE org = ? ORDER BY name",
                                [.text(org)], Self.decodeConnector)
        }.map(unsealed)
    }

    /// Every org's connectors, by org and name (the operator's `meshql source check`).
    public func connectorsOfEveryOrg() throws -> [ConnectorRecord] {
        try withDatabase { db in
            try db.query("SELECT \(Self.connectorColumns) FROM connectors ORDER BY org, name", [], Self.decodeConnector)
        }.map(unsealed)
    }

    // MARK: - Secrets at rest

    /// Secret options as stored: each value sealed (always: a password may itself begin like
    /// a sealed value).
    func sealed(_ secrets: [String: String]) throws -> [String: String] {
        if secrets.isEmpty { return secrets }
        let sealer = try sealer()
        return try secrets.mapValues { try sealer.seal($0) }
    }

    /// A stored connector with its secrets readable again.
    func unsealed(_ record: ConnectorRecord) throws -> ConnectorRecord {
        var r = record
        if record.secretOptions.isEmpty { return r }
        let sealer = try sealer()
        r.secretOptions = try record.secretOptions.mapValues { try sealer.open($0, connector: record.name) }
        return r
    }

    /// Seals secrets an older meshql stored as plain text, then checkpoints the WAL so no
    /// copy of them stays in it (secure_delete clears the old pages of the file itself).
    func sealPlaintextSecrets() throws {
        let changed = try write { db -> Int in
            let rows = try db.query("SELECT id, options, secret_options FROM connectors", []) { row in
                (try row.uuid(0, "connector id"), try row.json(1, as: [String: String].self, "connector options"),
                 try row.json(2, as: [String: String].self, "connector secret options"))
            }
            var changed = 0
            for (id, options, secrets) in rows {
                var plain = options, secret = secrets
                // An option holding credentials (a DSN with a password, stored as a plain
                // option before DSNs were filed as secrets) becomes a secret, masked in place.
                for (key, value) in options where secret[key] == nil {
                    let masked = CredentialRedaction.redact(value)
                    if masked != value { secret[key] = value; plain[key] = masked }
                }
                guard plain != options || secret.values.contains(where: { !SecretSealer.isSealed($0) }) else { continue }
                let sealedSecrets = try secret.mapValues { SecretSealer.isSealed($0) ? $0 : try sealer().seal($0) }
                try db.run("UPDATE connectors SET options = ?, secret_options = ? WHERE id = ?",
                           [try .json(plain), try .json(sealedSecrets), .id(id)])
                changed += 1
            }
            return changed
        }
        if changed > 0 { try withDatabase { db in try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") } }
    }

    /// Deletes a connector. Refused with `.dependentObjects` while data products read from it,
    /// unless `cascade`, which deletes those products too. One transaction.
    @discardableResult
    public func deleteConnector(id: UUID, org: String = "default", cascade: Bool = false) throws -> CatalogDeletion {
        try write { db in
            guard let connector = try Self.fetchConnector(db, "id = ?", .id(id), org: org) else {
                throw Self.noConnector(id)
            }
            let products = try db.scalarInt("SELECT count(*) FROM products WHERE connector_id = ?", [.id(id)]) ?? 0
            if products > 0 && !cascade {
                throw MeshError(.dependentObjects,
                                "connector \"\(connector.name)\" is used by \(products) data product\(products == 1 ? "" : "s")",
                                hint: "drop those data products first, or use DROP CONNECTOR … CASCADE")
            }
            try db.run("DELETE FROM products WHERE connector_id = ?", [.id(id)])
            try db.run("DELETE FROM connectors WHERE id = ?", [.id(id)])
            return CatalogDeletion(products: products)
        }
    }

    // MARK: - Rows

    static let connectorColumns = "id, org, mesh_id, name, type, options, secret_options, created_at, state"

    static func decodeConnector(_ row: SQLiteStatement) throws -> ConnectorRecord {
        ConnectorRecord(
            id: try row.uuid(0, "connector id"), org: row.text(1), meshId: try row.uuid(2, "connector mesh id"),
            name: row.text(3), type: row.text(4),
            options: try row.json(5, as: [String: String].self, "connector options"),
            secretOptions: try row.json(6, as: [String: String].self, "connector secret options"),
            createdAt: try row.date(7, "connector creation time"),
            state: try row.json(8, as: EntityState.self, "connector state"))
    }

    /// `condition` is a fixed SQL fragment with one parameter; the org filter is always added.
    static func fetchConnector(_ db: SQLiteDatabase, _ condition: StaticString, _ value: Bindable,
                               org: String) throws -> ConnectorRecord? {
        try db.query("SELECT \(connectorColumns) FROM connectors WHERE org = ? AND \(condition)",
                     [.text(org), value], decodeConnector).first
    }

    private static func checkConnectorUnique(_ db: SQLiteDatabase, _ connector: ConnectorRecord) throws {
        if try db.scalarInt("SELECT 1 FROM connectors WHERE org = ? AND name = ? AND id <> ?",
                            [.text(connector.org), .text(connector.name), .id(connector.id)]) != nil {
            throw MeshError(.duplicateObject, "connector \"\(connector.name)\" already exists")
        }
    }

    static func noConnector(_ id: UUID) -> MeshError {
        MeshError(.undefinedObject, "connector \(id.uuidString.lowercased()) does not exist")
    }

    private static func validate(_ connector: ConnectorRecord) throws {
        try validateOrg(connector.org)
        try SQLName.validate(connector.name, kind: "connector")
        guard !connector.type.isEmpty else {
            throw MeshError(.invalidParameter, "connector \"\(connector.name)\" needs a type")
        }
    }
}
