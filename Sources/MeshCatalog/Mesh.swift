import Foundation

/// A mesh: one business domain of an organisation, exactly the seed's entity
/// (`seeds/mesh-api.txt`) plus its SQL name and organisation.
public struct Mesh: Codable, Sendable, Hashable, Identifiable {
    public var id: UUID
    /// The owning organisation (the tenant boundary).
    public var org: String
    /// The name used in SQL (`sales_analytics.orders`): a slug of `name` unless given.
    public var sqlName: String
    public var name: String
    public var label: String
    public var description: String
    public var purpose: String
    public var owner: String?
    public var assignees: [Assignee]
    /// Policy statements (SQL.md §5), validated by the engine before the mesh is saved.
    public var securityPolicy: [String]
    public var entityInfo: EntityInfo
    /// The org's system mesh holds org-wide policy; an org has at most one.
    public var isSystem: Bool
    public var createdAt: Date
    public var state: EntityState

    public init(
        id: UUID = UUID(), org: String = "default", sqlName: String? = nil, name: String,
        label: String = "", description: String = "", purpose: String = "", owner: String? = nil,
        assignees: [Assignee] = [], securityPolicy: [String] = [], entityInfo: EntityInfo = EntityInfo(),
        isSystem: Bool = false, createdAt: Date = Date(), state: EntityState = .created
    ) {
        self.id = id
        self.org = org
        self.sqlName = sqlName ?? SQLName.slug(name)
        self.name = name
        self.label = label
        self.description = description
        self.purpose = purpose
        self.owner = owner
        self.assignees = assignees
        self.securityPolicy = securityPolicy
        self.entityInfo = entityInfo
        self.isSystem = isSystem
        // The catalog keeps microseconds; normalising here makes a stored mesh compare equal.
        self.createdAt = CatalogTimestamp.normalized(createdAt)
        self.state = state
    }

    /// `urn:meshx:backend:data:root:mesh:<uuid>`.
    public var urn: String { "urn:meshx:backend:data:root:mesh:" + id.uuidString.lowercased() }

    enum CodingKeys: String, CodingKey {
        case id, org
        case sqlName = "sql_name"
        case name, label, description, purpose, owner, assignees
        case securityPolicy = "security_policy"
        case entityInfo = "entity_info"
        case isSystem = "is_system"
        case createdAt = "created_at"
        case state
    }

    /// Lenient decoding: only `name` is required; everything else takes the same defaults as
    /// `init`, so a seed-style request body decodes directly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(UUID.self, forKey: .id) ?? UUID(),
            org: try c.decodeIfPresent(String.self, forKey: .org) ?? "default",
            sqlName: try c.decodeIfPresent(String.self, forKey: .sqlName),
            name: try c.decode(String.self, forKey: .name),
            label: try c.decodeIfPresent(String.self, forKey: .label) ?? "",
            description: try c.decodeIfPresent(String.self, forKey: .description) ?? "",
            purpose: try c.decodeIfPresent(String.self, forKey: .purpose) ?? "",
            owner: try c.decodeIfPresent(String.self, forKey: .owner),
            assignees: try c.decodeIfPresent([Assignee].self, forKey: .assignees) ?? [],
            securityPolicy: try c.decodeIfPresent([String].self, forKey: .securityPolicy) ?? [],
            entityInfo: try c.decodeIfPresent(EntityInfo.self, forKey: .entityInfo) ?? EntityInfo(),
            isSystem: try c.decodeIfPresent(Bool.self, forKey: .isSystem) ?? false,
            createdAt: try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(),
            state: try c.decodeIfPresent(EntityState.self, forKey: .state) ?? .created)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(org, forKey: .org)
        try c.encode(sqlName, forKey: .sqlName)
        try c.encode(name, forKey: .name)
        try c.encode(label, forKey: .label)
        try c.encode(description, forKey: .description)
        try c.encode(purpose, forKey: .purpose)
        // Explicit null keeps the seed's response shape (`"owner": null`).
        try c.encode(owner, forKey: .owner)
        try c.encode(assignees, forKey: .assignees)
        try c.encode(securityPolicy, forKey: .securityPolicy)
        try c.encode(entityInfo, forKey: .entityInfo)
        try c.encode(isSystem, forKey: .isSystem)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(state, forKey: .state)
    }
}
