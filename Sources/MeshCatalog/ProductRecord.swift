import Foundation

/// A data product as the catalog stores it: a table of a connector's source
/// (`remoteSchema.remoteName`) or a view defined in SQL over other products, with its
/// column contract and metadata.
public struct ProductRecord: Codable, Sendable, Hashable, Identifiable {
    public var id: UUID
    public var org: String
    public var meshId: UUID
    /// The product's SQL name within its mesh (`orders` in `sales_analytics.orders`).
    public var name: String
    /// The connector serving a table product; nil for a view.
    public var connectorId: UUID?
    public var remoteSchema: String?
    public var remoteName: String?
    /// The defining query of a view product; nil for a table.
    public var viewSQL: String?
    public var description: String?
    public var owner: String?
    /// Freshness SLA as written (`'1 hour'`).
    public var freshness: String?
    public var columns: [ProductColumn]
    public var createdAt: Date
    public var updatedAt: Date
    public var state: EntityState

    public init(
        id: UUID = UUID(), org: String = "default", meshId: UUID, name: String,
        connectorId: UUID? = nil, remoteSchema: String? = nil, remoteName: String? = nil,
        viewSQL: String? = nil, description: String? = nil, owner: String? = nil,
        freshness: String? = nil, columns: [ProductColumn] = [], createdAt: Date = Date(),
        updatedAt: Date? = nil, state: EntityState = .created
    ) {
        self.id = id
        self.org = org
        self.meshId = meshId
        self.name = name
        self.connectorId = connectorId
        self.remoteSchema = remoteSchema
        self.remoteName = remoteName
        self.viewSQL = viewSQL
        self.description = description
        self.owner = owner
        self.freshness = freshness
        self.columns = columns
        self.createdAt = CatalogTimestamp.normalized(createdAt)
        self.updatedAt = CatalogTimestamp.normalized(updatedAt ?? createdAt)
        self.state = state
    }

    /// `urn:meshx:backend:data:mesh:<mesh-uuid>:product:<uuid>`.
    public var urn: String {
        "urn:meshx:backend:data:mesh:\(meshId.uuidString.lowercased()):product:\(id.uuidString.lowercased())"
    }

    public var isView: Bool { connectorId == nil }

    /// The column named `name` (exact match).
    public func column(named name: String) -> ProductColumn? { columns.first { $0.name == name } }

    enum CodingKeys: String, CodingKey {
        case id, org
        case meshId = "mesh_id"
        case name
        case connectorId = "connector_id"
        case remoteSchema = "remote_schema"
        case remoteName = "remote_name"
        case viewSQL = "view_sql"
        case description, owner, freshness, columns
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case state
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(UUID.self, forKey: .id) ?? UUID(),
            org: try c.decodeIfPresent(String.self, forKey: .org) ?? "default",
            meshId: try c.decode(UUID.self, forKey: .meshId),
            name: try c.decode(String.self, forKey: .name),
            connectorId: try c.decodeIfPresent(UUID.self, forKey: .connectorId),
            remoteSchema: try c.decodeIfPresent(String.self, forKey: .remoteSchema),
            remoteName: try c.decodeIfPresent(String.self, forKey: .remoteName),
            viewSQL: try c.decodeIfPresent(String.self, forKey: .viewSQL),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            owner: try c.decodeIfPresent(String.self, forKey: .owner),
            freshness: try c.decodeIfPresent(String.self, forKey: .freshness),
            columns: try c.decodeIfPresent([ProductColumn].self, forKey: .columns) ?? [],
            createdAt: try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(),
            updatedAt: try c.decodeIfPresent(Date.self, forKey: .updatedAt),
            state: try c.decodeIfPresent(EntityState.self, forKey: .state) ?? .created)
    }
}
