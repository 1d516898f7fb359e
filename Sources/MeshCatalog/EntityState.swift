/// The health of a catalog object, as the seed API reports it: `{code, reason, healthy}`.
/// A product turns unhealthy on schema drift, a connector when its source is unreachable.
public struct EntityState: Codable, Sendable, Hashable {
    public var code: String
    public var reason: String
    public var healthy: Bool

    public init(code: String, reason: String, healthy: Bool) {
        self.code = code
        self.reason = reason
        self.healthy = healthy
    }

    /// The state of a freshly created object: `"000"`, `"Created."`, healthy.
    public static let created = EntityState(code: "000", reason: "Created.", healthy: true)
}
