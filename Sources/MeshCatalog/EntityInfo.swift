/// Contact information of a mesh (the seed's `entity_info`).
public struct EntityInfo: Codable, Sendable, Hashable {
    public var owner: String?
    public var contactIds: [String]
    public var links: [String]

    public init(owner: String? = nil, contactIds: [String] = [], links: [String] = []) {
        self.owner = owner
        self.contactIds = contactIds
        self.links = links
    }

    enum CodingKeys: String, CodingKey {
        case owner
        case contactIds = "contact_ids"
        case links
    }

    // Lenient: the seed's clients omit empty lists.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        contactIds = try c.decodeIfPresent([String].self, forKey: .contactIds) ?? []
        links = try c.decodeIfPresent([String].self, forKey: .links) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // Explicit null keeps the seed's response shape (`"owner": null`).
        try c.encode(owner, forKey: .owner)
        try c.encode(contactIds, forKey: .contactIds)
        try c.encode(links, forKey: .links)
    }
}
