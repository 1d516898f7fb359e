/// Statement dispatch, plus the small session statements: EXPLAIN, SHOW, DESCRIBE, USE, SET.
extension Parser {
    /// One statement, without its terminating `;`.
    mutating func parseStatementBody() throws(SQLSyntaxError) -> Statement {
        if isSymbol("(") || isWord("select") || isWord("with") {
            return .query(try parseQuery())
        }
        guard case .word(let w) = current.kind else { throw unexpected() }
        switch w {
        case "explain":
            advance()
            let analyze = acceptWord("analyze") || acceptWord("analyse")
            return .explain(try parseQuery(), analyze: analyze)
        case "create": return try parseCreate()
        case "alter": return try parseAlter()
        case "drop": return try parseDrop()
        case "test":
            advance()
            try expectWord("connector")
            return .testConnector(name: try parseIdentifier())
        case "import": return try parseImport()
        case "refresh":
            advance()
            try expectDataProduct()
            return .refreshProduct(try parseProductName())
        case "show": return try parseShow()
        case "describe", "desc":
            advance()
            return .describe(try parseProductName())
        case "use":
            advance()
            return .use(mesh: try parseIdentifier())
        case "set": return try parseSet()
        case "grant", "deny", "mask", "filter":
            let first = position
            guard let policy = try parsePolicyStatement() else { throw unexpected() }
            return .policy(policy, text: text(from: first, to: position))
        default:
            throw unexpected()
        }
    }

    /// `SHOW MESHES | CONNECTORS [IN m] | DATA PRODUCTS [IN m] | POLICIES [IN m] | AUDIT [WHERE …] [LIMIT n]`
    private mutating func parseShow() throws(SQLSyntaxError) -> Statement {
        advance()
        if acceptWord("meshes") { return .show(.meshes) }
        if acceptWord("connectors") { return .show(.connectors(inMesh: try parseInMesh())) }
        if acceptWords("data", "products") { return .show(.dataProducts(inMesh: try parseInMesh())) }
        if acceptWord("policies") { return .show(.policies(inMesh: try parseInMesh())) }
        if acceptWords("hash", "domains") { return .show(.hashDomains) }
        if acceptWord("audit") {
            let condition = acceptWord("where") ? try parseExpr() : nil
            var limit: Int?
            if acceptWord("limit") {
                guard case .number(let n) = current.kind, let v = Int(n), v >= 0 else { throw unexpected() }
                advance()
                limit = v
            }
            return .show(.audit(where: condition, limit: limit))
        }
        throw unexpected()
    }

    private mutating func parseInMesh() throws(SQLSyntaxError) -> String? {
        guard acceptWord("in") else { return nil }
        _ = acceptWord("mesh")
        return try parseIdentifier()
    }

    /// `SET mesh = m` / `SET mesh TO m` (the mesh may also be a string), `SET memory_limit =
    /// '512MB'`, `SET pushdown = on|off`.
    private mutating func parseSet() throws(SQLSyntaxError) -> Statement {
        advance()
        if isWord("pushdown") {
            advance()
            guard acceptSymbol("=") || acceptWord("to") else { throw unexpected() }
            switch current.kind {
            case .word(let v), .string(let v):
                advance()
                return .set(name: "pushdown", value: v.lowercased())
            default:
                throw unexpected()
            }
        }
        if isWord("memory_limit") {
            advance()
            guard acceptSymbol("=") || acceptWord("to") else { throw unexpected() }
            switch current.kind {
            case .string(let v), .number(let v):
                advance()
                return .set(name: "memory_limit", value: v)
            default:
                throw unexpected()
            }
        }
        guard isWord("mesh") else {
            guard current.isName else { throw unexpected() }
            throw SQLSyntaxError("unrecognized configuration parameter \"\(source[current.range])\"", at: current.location)
        }
        advance()
        guard acceptSymbol("=") || acceptWord("to") else { throw unexpected() }
        if case .string(let s) = current.kind {
            advance()
            return .use(mesh: s)
        }
        return .use(mesh: try parseIdentifier())
    }

    mutating func expectDataProduct() throws(SQLSyntaxError) {
        try expectWord("data")
        try expectWord("product")
    }

    /// A product name: `mesh.product`, or `product` in the current mesh.
    mutating func parseProductName() throws(SQLSyntaxError) -> QualifiedName {
        try parseQualifiedName(minParts: 1, maxParts: 2)
    }
}
