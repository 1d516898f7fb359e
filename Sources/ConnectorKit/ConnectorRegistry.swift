import MeshCore

/// Maps a connector type name to a factory. `CREATE CONNECTOR … TYPE t OPTIONS (…)` looks the
/// type up here; the composition root registers one line per connector folder.
public struct ConnectorRegistry: Sendable {
    public typealias Factory = @Sendable (_ options: [String: String], _ baseDirectory: String) throws -> any Connector
    /// Where a connector with these options would read (see `SourceAddress`); opens nothing.
    public typealias Locator = @Sendable (_ options: [String: String], _ baseDirectory: String) -> SourceAddress

    private var factories: [String: Factory] = [:]
    /// Option names each type accepts, for validating CREATE CONNECTOR.
    private var knownOptions: [String: Set<String>] = [:]
    /// Options never shown back (passwords).
    private var secretOptions: [String: Set<String>] = [:]
    private var locators: [String: Locator] = [:]

    public init() {}

    /// - Parameter locate: where a connector of the type reads; a type without one can be
    ///   registered by the operator only.
    public mutating func register(_ type: String, options: Set<String>, secrets: Set<String> = [],
                                  locate: Locator? = nil, factory: @escaping Factory) {
        factories[type] = factory
        knownOptions[type] = options
        secretOptions[type] = secrets
        locators[type] = locate
    }

    /// Where a connector of `type` with `options` would read (`.unclear` for a type that
    /// cannot say).
    public func locate(type: String, options: [String: String], baseDirectory: String) -> SourceAddress {
        locators[type]?(options, baseDirectory) ?? .unclear
    }

    public var types: [String] { factories.keys.sorted() }

    public func options(for type: String) -> Set<String>? { knownOptions[type] }
    public func secrets(for type: String) -> Set<String> { secretOptions[type] ?? [] }

    /// Creates a connector. Relative file paths in options resolve against `baseDirectory`
    /// (the catalog file's folder).
    public func make(type: String, options: [String: String], baseDirectory: String) throws -> any Connector {
        guard let factory = factories[type] else {
            throw MeshError(.invalidParameter, "unknown connector type \"\(type)\"",
                            hint: "known types: " + types.joined(separator: ", "))
        }
        if let allowed = knownOptions[type] {
            for key in options.keys where !allowed.contains(key) {
                throw MeshError(.invalidParameter, "unknown option \"\(key)\" for connector type \(type)",
                                hint: "accepted: " + allowed.sorted().joined(separator: ", "))
            }
        }
        return try factory(options, baseDirectory)
    }
}
