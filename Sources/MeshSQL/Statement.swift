/// `key = 'value'` pairs of `WITH (…)` and `OPTIONS (…)`. Values are the literal text
/// (strings unquoted; numbers and identifiers as written).
public struct OptionItem: Sendable, Hashable {
    public var key: String
    public var value: String
    public var location: SourceLocation
    public init(key: String, value: String, at location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.key = key
        self.value = value
        self.location = location
    }
    public static func == (a: Self, b: Self) -> Bool { a.key == b.key && a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(key); h.combine(value) }
}

public enum ShowTarget: Sendable, Hashable {
    case meshes
    case connectors(inMesh: String?)
    case dataProducts(inMesh: String?)
    /// `SHOW POLICIES`: the org's policy library; `SHOW POLICIES IN mesh`: that mesh's list.
    case policies(inMesh: String?)
    /// `SHOW AUDIT [WHERE condition] [LIMIT n]`: the audit log, newest first (org admins).
    case audit(where: Expr?, limit: Int?)
    /// `SHOW HASH DOMAINS`: the org's hash domains and their meshes.
    case hashDomains
}

/// One statement of the dialect (SQL.md §2–§5).
public enum Statement: Sendable, Hashable {
    case query(Query)
    case explain(Query, analyze: Bool)

    // Catalog (SQL.md §3). Names are SQL identifiers (folded) unless noted.
    case createMesh(name: String, options: [OptionItem], ifNotExists: Bool)
    case alterMesh(name: String, set: [OptionItem])
    case dropMesh(name: String, ifExists: Bool, cascade: Bool)
    /// `CREATE CONNECTOR name FOR MESH mesh TYPE type OPTIONS (key 'value', …)`
    /// `… [NO CHECK]`: without NO CHECK the source is reached before the connector is saved.
    case createConnector(name: String, mesh: String, type: String, options: [OptionItem], ifNotExists: Bool, check: Bool = true)
    /// `ALTER CONNECTOR name OPTIONS (SET key 'v', ADD key 'v', DROP key)`; DROP has an empty value.
    case alterConnector(name: String, set: [OptionItem], drop: [String])
    case dropConnector(name: String, ifExists: Bool)
    case testConnector(name: String)
    /// `CREATE DATA PRODUCT mesh.product FROM connector.schema.table WITH (…)`; source parts as written.
    case createProduct(name: QualifiedName, source: QualifiedName, options: [OptionItem], ifNotExists: Bool)
    /// `CREATE DATA PRODUCT mesh.product AS SELECT …` (a view over other products); `text` is the query's SQL.
    case createView(name: QualifiedName, query: Query, text: String, options: [OptionItem])
    /// `IMPORT DATA PRODUCTS FROM CONNECTOR c [SCHEMA s] [LIMIT TO (a, b)]`
    case importProducts(connector: String, schema: String?, limitTo: [String])
    /// `ALTER DATA PRODUCT p ALTER COLUMN c SET TAGS ('pii', …)`
    case alterProductColumnTags(product: QualifiedName, column: String, tags: [String])
    case refreshProduct(QualifiedName)
    /// CASCADE drops the derived products that read it too; without it they keep it.
    case dropProduct(QualifiedName, ifExists: Bool, cascade: Bool = false)
    case show(ShowTarget)
    case describe(QualifiedName)
    /// `USE mesh` and `SET mesh = mesh`
    case use(mesh: String)
    /// `SET name = value` for a session setting other than the mesh (`memory_limit`).
    case set(name: String, value: String)

    // Policies (SQL.md §5).
    /// A policy statement run as SQL: appended to its mesh's `security_policy`. `text` is the
    /// statement as written, which is what the list stores.
    case policy(PolicyStatement, text: String)
    /// `CREATE POLICY name AS 'statement; statement…'`: a named policy of the org's library.
    case createPolicy(name: String, body: String, location: SourceLocation)
    /// `DROP POLICY [IF EXISTS] name`: removes a named policy from the library.
    case dropPolicy(name: String, ifExists: Bool)
    /// `DROP POLICY n ON MESH mesh`: removes entry `n` (1-based) of a mesh's list.
    case dropPolicyEntry(index: Int, mesh: String)
    /// `CREATE HASH DOMAIN [IF NOT EXISTS] name FOR MESH a, b`: a key that `hash(x, 'name')`
    /// masks of these meshes share, so their hashed columns join (org admins).
    case createHashDomain(name: String, meshes: [String], ifNotExists: Bool)
    /// `ALTER HASH DOMAIN name SET MESH a, b`: new members, the same key.
    case alterHashDomain(name: String, meshes: [String])
    /// `DROP HASH DOMAIN [IF EXISTS] name`
    case dropHashDomain(name: String, ifExists: Bool)
}

/// A statement with its position and exact text within a script.
public struct ParsedStatement: Sendable {
    public var statement: Statement
    public var text: String
    public var location: SourceLocation
    /// The text's shape (its numbers taken out), from the tokens the parser read.
    public var shape: QueryShape?
    public init(statement: Statement, text: String, location: SourceLocation, shape: QueryShape? = nil) {
        self.statement = statement
        self.text = text
        self.location = location
        self.shape = shape
    }
}
