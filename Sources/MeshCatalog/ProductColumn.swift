import MeshCore

/// One column of a data product's contract: discovered from the source, tagged by people.
public struct ProductColumn: Codable, Sendable, Hashable {
    public var name: String
    /// The meshql type as text (`DataType.description`, e.g. `numeric(15,2)`).
    public var type: String
    /// The type as the source declares it (`character varying(25)`, `INT`).
    public var nativeType: String
    public var nullable: Bool
    /// Column tags such as `pii`, which policies refer to.
    public var tags: [String]
    public var description: String?

    public init(name: String, type: String, nativeType: String? = nil, nullable: Bool = true,
                tags: [String] = [], description: String? = nil) {
        self.name = name
        self.type = type
        self.nativeType = nativeType ?? type
        self.nullable = nullable
        self.tags = tags
        self.description = description
    }

    public init(name: String, dataType: DataType, nativeType: String? = nil, nullable: Bool = true,
                tags: [String] = [], description: String? = nil) {
        self.init(name: name, type: dataType.description, nativeType: nativeType, nullable: nullable,
                  tags: tags, description: description)
    }

    /// `type` parsed back into a `DataType`; nil if it is not one meshql knows.
    public var dataType: DataType? { DataType.parse(type) }

    enum CodingKeys: String, CodingKey {
        case name, type
        case nativeType = "native_type"
        case nullable, tags, description
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            type: try c.decode(String.self, forKey: .type),
            nativeType: try c.decodeIfPresent(String.self, forKey: .nativeType),
            nullable: try c.decodeIfPresent(Bool.self, forKey: .nullable) ?? true,
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            description: try c.decodeIfPresent(String.self, forKey: .description))
    }
}
