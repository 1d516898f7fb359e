/// Statements: queries, EXPLAIN and the catalog statements.
extension SQLPrinter {
    public static func print(_ s: Statement) -> String {
        switch s {
        case .query(let q):
            return print(q)
        case .explain(let q, let analyze):
            return (analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + print(q)
        case .createMesh(let name, let options, let ifNotExists):
            return "CREATE MESH " + ifNot(ifNotExists) + identifier(name) + with(options)
        case .alterMesh(let name, let set):
            return "ALTER MESH " + identifier(name) + " SET " + assigned(set)
        case .dropMesh(let name, let ifExists, let cascade):
            return "DROP MESH " + (ifExists ? "IF EXISTS " : "") + identifier(name) + (cascade ? " CASCADE" : "")
        case .createConnector(let name, let mesh, let type, let options, let ifNotExists, let check):
            var out = "CREATE CONNECTOR " + ifNot(ifNotExists) + identifier(name) + " FOR MESH " + identifier(mesh)
            out += " TYPE " + identifier(type)
            if !options.isEmpty { out += " OPTIONS " + bare(options) }
            if !check { out += " NO CHECK" }
            return out
        case .alterConnector(let name, let set, let drop):
            let items = set.map { "SET " + identifier($0.key) + " " + string($0.value) } + drop.map { "DROP " + identifier($0) }
            return "ALTER CONNECTOR " + identifier(name) + " OPTIONS (" + items.joined(separator: ", ") + ")"
        case .dropConnector(let name, let ifExists):
            return "DROP CONNECTOR " + (ifExists ? "IF EXISTS " : "") + identifier(name)
        case .testConnector(let name):
            return "TEST CONNECTOR " + identifier(name)
        case .createProduct(let name, let source, let options, let ifNotExists):
            return "CREATE DATA PRODUCT " + ifNot(ifNotExists) + qualified(name) + " FROM " + qualified(source) + with(options)
        case .createView(let name, let query, _, let options):
            return "CREATE DATA PRODUCT " + qualified(name) + with(options) + " AS " + print(query)
        case .importProducts(let connector, let schema, let limitTo):
            var out = "IMPORT DATA PRODUCTS FROM CONNECTOR " + identifier(connector)
            if let schema { out += " SCHEMA " + identifier(schema) }
            if !limitTo.isEmpty { out += " LIMIT TO " + identifierList(limitTo) }
            return out
        case .alterProductColumnTags(let product, let column, let tags):
            return "ALTER DATA PRODUCT " + qualified(product) + " ALTER COLUMN " + identifier(column)
                + " SET TAGS (" + tags.map(string).joined(separator: ", ") + ")"
        case .refreshProduct(let name):
            return "REFRESH DATA PRODUCT " + qualified(name)
        case .dropProduct(let name, let ifExists, let cascade):
            return "DROP DATA PRODUCT " + (ifExists ? "IF EXISTS " : "") + qualified(name) + (cascade ? " CASCADE" : "")
        case .show(let target):
            switch target {
            case .meshes: return "SHOW MESHES"
            case .connectors(let mesh): return "SHOW CONNECTORS" + inMesh(mesh)
            case .dataProducts(let mesh): return "SHOW DATA PRODUCTS" + inMesh(mesh)
            case .policies(let mesh): return "SHOW POLICIES" + inMesh(mesh)
            case .hashDomains: return "SHOW HASH DOMAINS"
            case .audit(let condition, let limit):
                return "SHOW AUDIT" + (condition.map { " WHERE " + print($0) } ?? "") + (limit.map { " LIMIT \($0)" } ?? "")
            }
        case .describe(let name):
            return "DESCRIBE " + qualified(name)
        case .use(let mesh):
            return "USE " + identifier(mesh)
        case .set(let name, let value):
            return "SET " + identifier(name) + " = " + literal(.string(value))
        case .policy(let p, _):
            return print(p)
        case .createPolicy(let name, let body, _):
            return "CREATE POLICY " + identifier(name) + " AS " + string(body)
        case .dropPolicy(let name, let ifExists):
            return "DROP POLICY " + (ifExists ? "IF EXISTS " : "") + identifier(name)
        case .dropPolicyEntry(let index, let mesh):
            return "DROP POLICY \(index) ON MESH " + identifier(mesh)
        case .createHashDomain(let name, let meshes, let ifNotExists):
            return "CREATE HASH DOMAIN " + ifNot(ifNotExists) + identifier(name) + " FOR MESH " + meshes.map(identifier).joined(separator: ", ")
        case .alterHashDomain(let name, let meshes):
            return "ALTER HASH DOMAIN " + identifier(name) + " SET MESH " + meshes.map(identifier).joined(separator: ", ")
        case .dropHashDomain(let name, let ifExists):
            return "DROP HASH DOMAIN " + (ifExists ? "IF EXISTS " : "") + identifier(name)
        }
    }

    private static func qualified(_ n: QualifiedName) -> String { name(n.parts) }

    private static func ifNot(_ flag: Bool) -> String { flag ? "IF NOT EXISTS " : "" }

    private static func inMesh(_ mesh: String?) -> String { mesh.map { " IN " + identifier($0) } ?? "" }

    private static func with(_ options: [OptionItem]) -> String {
        options.isEmpty ? "" : " WITH " + assigned(options)
    }

    /// `(key = 'value', …)`
    private static func assigned(_ options: [OptionItem]) -> String {
        "(" + options.map { identifier($0.key) + " = " + string($0.value) }.joined(separator: ", ") + ")"
    }

    /// `(key 'value', …)`
    private static func bare(_ options: [OptionItem]) -> String {
        "(" + options.map { identifier($0.key) + " " + string($0.value) }.joined(separator: ", ") + ")"
    }
}
