import Foundation

/// A connector as the catalog stores it: one source (a PostgreSQL database, a SQLite file)
/// of one mesh.
///
/// `secretOptions` (passwords) are write-only: they are stored and handed to the engine to
/// connect, but never printed, dumped or encoded — `description`, `debugDescription`,
/// reflection and `encode(to:)` all leave them out. Use `redacted` for anything that leaves
/// the process.
public struct ConnectorRecord: Codable, Sendable, Hashable, Identifiable,
    CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var id: UUID
    public var org: String
    public var meshId: UUID
    /// The connector's SQL name (`sales_pg` in `FROM sales_pg.public.orders`), unique in its org.
    public var name: String
    /// The registered connector type: `postgres`, `sqlite`.
    public var type: String
    /// Non-secret options (file path, pool size, DSN without password).
    public var options: [String: String]
    /// Credentials. Stored, never returned by any listing or description.
    public var secretOptions: [String: String]
    public var createdAt: Date
    public var state: EntityState

    public init(
        id: UUID = UUID(), org: String = "default", meshId: UUID, name: String, type: String,
        options: [String: String] = [:], secretOptions: [String: String] = [:],
        createdAt: Date = Date(), state: EntityState = .created
    ) {
        self.id = id
        self.org = org
        self.meshId = meshId
        self.name = name
        self.type = type
        self.options = options
        self.secretOptions = secretOptions
        self.createdAt = CatalogTimestamp.normalized(createdAt)
        self.state = state
    }

    /// `urn:meshx:backend:data:mesh:<mesh-uuid>:connector:<uuid>`.
    public var urn: String {
        "urn:meshx:backend:data:mesh:\(meshId.uuidString.lowercased()):connector:\(id.uuidString.lowercased())"
    }

    /// Every option as the connector needs it: a secret replaces the plain option of the same
    /// name (a DSN holding a password is kept whole as a secret, masked as a plain option).
    public var connectionOptions: [String: String] {
        options.merging(secretOptions) { _, secret in secret }
    }

    /// The names of the secret options that are set, for showing "password: set".
    public var secretOptionNames: [String] { secretOptions.keys.sorted() }

    /// A copy without secrets, safe to return from an API or log.
    public var redacted: ConnectorRecord {
        var copy = self
        copy.secretOptions = [:]
        return copy
    }

    public var description: String {
        let opts = options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let secrets = secretOptionNames.map { "\($0)=<redacted>" }
        return "connector \(name) (\(type)) options: [" + (opts + secrets).joined(separator: ", ") + "]"
    }

    public var debugDescription: String { description }

    // Keeps secrets out of `dump`, `print` of containers and debugger summaries.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "id": id, "org": org, "meshId": meshId, "name": name, "type": type, "options": options,
            "secretOptions": secretOptionNames.map { "\($0)=<redacted>" }, "createdAt": createdAt, "state": state,
        ])
    }

    enum CodingKeys: String, CodingKey {
        case id, org
        case meshId = "mesh_id"
        case name, type, options
        case secretOptions = "secret_options"
        case createdAt = "created_at"
        case state
    }

    /// Decodes `secret_options` when present (write-only input); defaults like `init`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(UUID.self, forKey: .id) ?? UUID(),
            org: try c.decodeIfPresent(String.self, forKey: .org) ?? "default",
            meshId: try c.decode(UUID.self, forKey: .meshId),
            name: try c.decode(String.self, forKey: .name),
            type: try c.decode(String.self, forKey: .type),
            options: try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:],
            secretOptions: try c.decodeIfPresent([String: String].self, forKey: .secretOptions) ?? [:],
            createdAt: try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(),
            state: try c.decodeIfPresent(EntityState.self, forKey: .state) ?? .created)
    }

    /// Never writes `secret_options`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(org, forKey: .org)
        try c.encode(meshId, forKey: .meshId)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(options, forKey: .options)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(state, forKey: .state)
    }
}
