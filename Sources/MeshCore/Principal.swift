/// Who runs a statement: a person of an organisation, with roles and attributes that policies
/// match on (SQL.md §4, §5).
///
/// A session without a principal is the local superuser (`meshql` on a local catalog file
/// with no `--user`), which bypasses policies as PostgreSQL's superuser bypasses row security.
public struct Principal: Sendable, Hashable, Codable {
    /// The user's email; empty when only roles or attributes were given.
    public var user: String
    public var roles: Set<String>
    public var attributes: [String: String]

    public init(user: String = "", roles: Set<String> = [], attributes: [String: String] = [:]) {
        self.user = user
        self.roles = roles
        self.attributes = attributes
    }

    /// Org admins manage every mesh of their org and read its audit log.
    public static let adminRole = "admin"

    public var isAdmin: Bool { roles.contains(Self.adminRole) }

    /// `alice@acme.com role analyst attr region=EU`, for prompts and `\as` with no argument.
    public var description: String {
        var parts: [String] = [user.isEmpty ? "(no user)" : user]
        parts += roles.sorted().map { "role \($0)" }
        parts += attributes.sorted { $0.key < $1.key }.map { "attr \($0.key)=\($0.value)" }
        return parts.joined(separator: " ")
    }

    /// Parses `k=v` (an attribute as given on the command line or to `\as`).
    public static func attribute(_ text: String) -> (key: String, value: String)? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        return (String(text[..<eq]).lowercased(), String(text[text.index(after: eq)...]))
    }
}
