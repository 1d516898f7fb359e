/// Catalog statements (SQL.md §3): meshes, connectors and data products.
extension Parser {
    mutating func parseCreate() throws(SQLSyntaxError) -> Statement {
        advance()
        if acceptWord("mesh") {
            let ifNotExists = acceptWords("if", "not", "exists")
            let name = try parseIdentifier()
            let options = acceptWord("with") ? try parseAssignedOptions() : []
            return .createMesh(name: name, options: options, ifNotExists: ifNotExists)
        }
        if acceptWord("connector") {
            let ifNotExists = acceptWords("if", "not", "exists")
            let name = try parseIdentifier()
            try expectWord("for")
            try expectWord("mesh")
            let mesh = try parseIdentifier()
            try expectWord("type")
            let type = try parseNameOrString()
            let options = acceptWord("options") ? try parseBareOptions() : []
            let check = !acceptWords("no", "check")
            return .createConnector(name: name, mesh: mesh, type: type, options: options, ifNotExists: ifNotExists, check: check)
        }
        if isWord("data") {
            try expectDataProduct()
            return try parseCreateProduct()
        }
        if acceptWords("hash", "domain") {
            let ifNotExists = acceptWords("if", "not", "exists")
            let name = try parseIdentifier()
            return .createHashDomain(name: name, meshes: try parseDomainMeshes(), ifNotExists: ifNotExists)
        }
        if acceptWord("policy") {
            let name = try parseIdentifier()
            try expectWord("as")
            guard case .string(let body) = current.kind else { throw unexpected() }
            let location = advance().location
            return .createPolicy(name: name, body: body, location: location)
        }
        throw unexpected()
    }

    /// After `CREATE DATA PRODUCT`: `name FROM source [WITH (…)]` or `name [WITH (…)] AS query`.
    private mutating func parseCreateProduct() throws(SQLSyntaxError) -> Statement {
        let ifNotExists = acceptWords("if", "not", "exists")
        let name = try parseProductName()
        if acceptWord("from") {
            let source = try parseQualifiedName(minParts: 2, maxParts: 3)
            let options = acceptWord("with") ? try parseAssignedOptions() : []
            return .createProduct(name: name, source: source, options: options, ifNotExists: ifNotExists)
        }
        let options = acceptWord("with") ? try parseAssignedOptions() : []
        guard isWord("as") else { throw unexpected() }
        if ifNotExists {
            throw SQLSyntaxError("IF NOT EXISTS is not supported for a data product defined by a query",
                                 at: current.location)
        }
        advance()
        let first = position
        let query = try parseQuery()
        return .createView(name: name, query: query, text: text(from: first, to: position), options: options)
    }

    /// `FOR MESH a, b` (also `FOR MESHES`) after a hash domain's name; `SET MESH` after ALTER's.
    private mutating func parseDomainMeshes() throws(SQLSyntaxError) -> [String] {
        if !acceptWord("set") { try expectWord("for") }
        if !acceptWord("meshes") { try expectWord("mesh") }
        var meshes = [try parseIdentifier()]
        while acceptSymbol(",") { meshes.append(try parseIdentifier()) }
        return meshes
    }

    mutating func parseAlter() throws(SQLSyntaxError) -> Statement {
        advance()
        if acceptWords("hash", "domain") {
            let name = try parseIdentifier()
            guard isWord("set") else { throw unexpected() }
            return .alterHashDomain(name: name, meshes: try parseDomainMeshes())
        }
        if acceptWord("mesh") {
            let name = try parseIdentifier()
            try expectWord("set")
            return .alterMesh(name: name, set: try parseAssignedOptions())
        }
        if acceptWord("connector") {
            let name = try parseIdentifier()
            try expectWord("options")
            return try parseAlterConnectorOptions(name: name)
        }
        if isWord("data") {
            try expectDataProduct()
            let product = try parseProductName()
            try expectWord("alter")
            _ = acceptWord("column")
            let column = try parseIdentifier()
            try expectWord("set")
            try expectWord("tags")
            try expectSymbol("(")
            var tags: [String] = []
            if !isSymbol(")") {
                repeat { tags.append(try parseOptionValue()) } while acceptSymbol(",")
            }
            try expectSymbol(")")
            return .alterProductColumnTags(product: product, column: column, tags: tags)
        }
        throw unexpected()
    }

    /// `(SET k 'v', ADD k 'v', DROP k, k 'v')`; a bare `k 'v'` means ADD, as in PostgreSQL.
    private mutating func parseAlterConnectorOptions(name: String) throws(SQLSyntaxError) -> Statement {
        try expectSymbol("(")
        var set: [OptionItem] = []
        var drop: [String] = []
        repeat {
            let isAction = (isWord("set") || isWord("add") || isWord("drop")) && token(ahead: 1).isName
            if isAction, advance().isWord("drop") {
                drop.append(try parseLabel())
            } else {
                let start = current.location
                let key = try parseLabel()
                set.append(OptionItem(key: key, value: try parseOptionValue(), at: start))
            }
        } while acceptSymbol(",")
        try expectSymbol(")")
        return .alterConnector(name: name, set: set, drop: drop)
    }

    mutating func parseDrop() throws(SQLSyntaxError) -> Statement {
        advance()
        if acceptWord("mesh") {
            let ifExists = acceptWords("if", "exists")
            let name = try parseIdentifier()
            let cascade = acceptWord("cascade")
            if !cascade { _ = acceptWord("restrict") }
            return .dropMesh(name: name, ifExists: ifExists, cascade: cascade)
        }
        if acceptWord("connector") {
            let ifExists = acceptWords("if", "exists")
            return .dropConnector(name: try parseIdentifier(), ifExists: ifExists)
        }
        if isWord("data") {
            try expectDataProduct()
            let ifExists = acceptWords("if", "exists")
            let name = try parseProductName()
            let cascade = acceptWord("cascade")
            if !cascade { _ = acceptWord("restrict") }
            return .dropProduct(name, ifExists: ifExists, cascade: cascade)
        }
        if acceptWords("hash", "domain") {
            let ifExists = acceptWords("if", "exists")
            return .dropHashDomain(name: try parseIdentifier(), ifExists: ifExists)
        }
        if acceptWord("policy") {
            if case .number(let n) = current.kind {
                let at = current.location
                advance()
                guard let index = Int(n), index >= 1 else {
                    throw SQLSyntaxError("a policy entry is numbered from 1 (see SHOW POLICIES IN mesh)", at: at)
                }
                try expectWord("on")
                try expectWord("mesh")
                return .dropPolicyEntry(index: index, mesh: try parseIdentifier())
            }
            let ifExists = acceptWords("if", "exists")
            return .dropPolicy(name: try parseIdentifier(), ifExists: ifExists)
        }
        throw unexpected()
    }

    /// `IMPORT DATA PRODUCTS FROM CONNECTOR c [SCHEMA s] [LIMIT TO (a, b)]`
    mutating func parseImport() throws(SQLSyntaxError) -> Statement {
        advance()
        try expectWord("data")
        try expectWord("products")
        try expectWord("from")
        try expectWord("connector")
        let connector = try parseIdentifier()
        let schema = acceptWord("schema") ? try parseIdentifier() : nil
        var limitTo: [String] = []
        if acceptWord("limit") {
            try expectWord("to")
            limitTo = try parseIdentifierList()
        }
        return .importProducts(connector: connector, schema: schema, limitTo: limitTo)
    }

    // MARK: - Options

    /// `(key = value, …)` of `WITH (…)` and `SET (…)`; may be empty.
    mutating func parseAssignedOptions() throws(SQLSyntaxError) -> [OptionItem] {
        try parseOptionList(separator: "=")
    }

    /// `(key value, …)` of `OPTIONS (…)` (an `=` between is tolerated).
    mutating func parseBareOptions() throws(SQLSyntaxError) -> [OptionItem] {
        try parseOptionList(separator: nil)
    }

    private mutating func parseOptionList(separator: String?) throws(SQLSyntaxError) -> [OptionItem] {
        try expectSymbol("(")
        var items: [OptionItem] = []
        if acceptSymbol(")") { return items }
        repeat {
            let start = current.location
            let key = try parseLabel()
            if let separator {
                try expectSymbol(separator)
            } else {
                _ = acceptSymbol("=")
            }
            items.append(OptionItem(key: key, value: try parseOptionValue(), at: start))
        } while acceptSymbol(",")
        try expectSymbol(")")
        return items
    }

    /// A string (unquoted), a number (as written, with an optional sign) or a name.
    mutating func parseOptionValue() throws(SQLSyntaxError) -> String {
        switch current.kind {
        case .string(let s), .number(let s), .word(let s), .quotedIdentifier(let s):
            advance()
            return s
        case .symbol("-"), .symbol("+"):
            let sign = isSymbol("-") ? "-" : ""
            guard case .number(let n) = token(ahead: 1).kind else {
                advance()
                throw unexpected()
            }
            advance()
            advance()
            return sign + n
        default:
            throw unexpected()
        }
    }

    /// A connector type: `postgres`, `"SQLite"` or `'sqlite'`.
    mutating func parseNameOrString() throws(SQLSyntaxError) -> String {
        if case .string(let s) = current.kind {
            advance()
            return s
        }
        return try parseIdentifier()
    }
}
