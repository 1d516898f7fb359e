/// A person who manages a mesh (the seed's `assignees` entries).
public struct Assignee: Codable, Sendable, Hashable {
    public var email: String
    public var fullName: String
    public var role: String

    public init(email: String, fullName: String, role: String) {
        self.email = email
        self.fullName = fullName
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case email
        case fullName = "full_name"
        case role
    }
}
