import Foundation
import MeshCore

/// What the functions and casts of PostgreSQL's catalog (`'t'::regclass`, `obj_description`,
/// `pg_get_userbyid`, `current_schemas`) read: the emulated catalog as the querying principal
/// sees it, with the OIDs its tables show.
public struct PostgresCatalogFacts: Sendable {
    public struct Relation: Sendable {
        public var oid: Int64
        public var schema: String
        public var name: String
        public init(oid: Int64, schema: String, name: String) {
            self.oid = oid
            self.schema = schema
            self.name = name
        }
    }

    public struct Schema: Sendable {
        public var oid: Int64
        public var name: String
        public init(oid: Int64, name: String) {
            self.oid = oid
            self.name = name
        }
    }

    /// A comment on an object (`pg_description`): a schema, a table, or a table's column.
    public struct Description: Sendable {
        public var objectOID: Int64
        public var classOID: Int64
        public var subID: Int64
        public var text: String
        public init(objectOID: Int64, classOID: Int64, subID: Int64, text: String) {
            self.objectOID = objectOID
            self.classOID = classOID
            self.subID = subID
            self.text = text
        }
    }

    public var relations: [Relation]
    public var schemas: [Schema]
    public var descriptions: [Description]
    /// The current user's name; its role OID is `userRoleOID`.
    public var user: String
    /// The session's mesh: the schema searched after pg_catalog.
    public var currentSchema: String?
    /// The process id a PostgreSQL client was given (BackendKeyData), 0 elsewhere.
    public var backendPID: Int64
    /// Server settings `current_setting()` and `pg_settings` answer.
    public var settings: [String: String]

    public static let userRoleOID: Int64 = 10
    public static let pgClassOID: Int64 = 1259
    public static let pgNamespaceOID: Int64 = 2615

    public init(relations: [Relation], schemas: [Schema], descriptions: [Description], user: String,
                currentSchema: String?, backendPID: Int64, settings: [String: String]) {
        self.relations = relations
        self.schemas = schemas
        self.descriptions = descriptions
        self.user = user
        self.currentSchema = currentSchema
        self.backendPID = backendPID
        self.settings = settings
    }

    /// `pg_catalog`, then the session's mesh: where a one-part name is looked up.
    public var searchPath: [String] { ["pg_catalog"] + (currentSchema.map { [$0] } ?? []) }

    /// The OID `'name'::regclass` gives: a one- or two-part name, quoted parts kept as written.
    public func relationOID(_ text: String) -> Int64? {
        let parts = Self.nameParts(text)
        switch parts.count {
        case 1:
            for schema in searchPath {
                if let r = relations.first(where: { $0.schema == schema && $0.name == parts[0] }) { return r.oid }
            }
            return nil
        case 2: return relations.first { $0.schema == parts[0] && $0.name == parts[1] }?.oid
        default: return nil
        }
    }

    public func schemaOID(_ text: String) -> Int64? {
        let parts = Self.nameParts(text)
        guard parts.count == 1 else { return nil }
        return schemas.first { $0.name == parts[0] }?.oid
    }

    /// `a.b` → [a, b]; unquoted parts fold to lower case, `"X"` keeps its case.
    static func nameParts(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
                wasQuoted = true
            } else if c == "." {
                parts.append(current)
                current = ""
                wasQuoted = false
            } else {
                current.append(wasQuoted ? c : Character(c.lowercased()))
            }
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
