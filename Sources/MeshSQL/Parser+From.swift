/// The FROM clause: comma-separated items, joins, derived tables and aliases.
extension Parser {
    mutating func parseFromList() throws(SQLSyntaxError) -> [TableRef] {
        var items = [try parseJoinedTable()]
        while acceptSymbol(",") { items.append(try parseJoinedTable()) }
        return items
    }

    /// A FROM item followed by any number of joins (left-deep).
    mutating func parseJoinedTable() throws(SQLSyntaxError) -> TableRef {
        var left = try parseTablePrimary()
        while true {
            let start = current.location
            let kind: JoinKind
            if acceptWords("cross", "join") {
                left = .join(left, .cross, try parseTablePrimary(), .none, location: start)
                continue
            } else if acceptWord("join") || acceptWords("inner", "join") {
                kind = .inner
            } else if isWord("left") || isWord("right") || isWord("full") {
                let word = advance()
                kind = word.isWord("left") ? .left : word.isWord("right") ? .right : .full
                _ = acceptWord("outer")
                try expectWord("join")
            } else {
                return left
            }
            let right = try parseTablePrimary()
            let condition: JoinCondition
            if acceptWord("on") {
                condition = .on(try parseExpr())
            } else if acceptWord("using") {
                condition = .using(try parseIdentifierList())
            } else {
                throw unexpected()
            }
            left = .join(left, kind, right, condition, location: start)
        }
    }

    /// `name [alias]`, `(query) [alias]` or `(joined table)`.
    private mutating func parseTablePrimary() throws(SQLSyntaxError) -> TableRef {
        let start = current.location
        guard isSymbol("(") else { return try parseNamedTable() }
        try enterNesting()
        defer { depth -= 1 }
        if isQueryStart(ahead: 1) {
            let derived = attempt { (p: inout Parser) throws(SQLSyntaxError) -> Query in
                p.advance()
                let q = try p.parseQuery()
                try p.expectSymbol(")")
                return q
            }
            switch derived {
            case .success(let q):
                let alias = try parseOptionalAlias()
                let columns = alias != nil && isSymbol("(") ? try parseIdentifierList() : []
                return .derived(q, alias: alias, columnAliases: columns, location: start)
            case .failure(let error) where isWord("select", ahead: 1) || isWord("with", ahead: 1):
                throw error
            case .failure(let queryError):
                let joined = attempt { (p: inout Parser) throws(SQLSyntaxError) -> TableRef in
                    try p.parseParenthesizedJoin()
                }
                switch joined {
                case .success(let t): return t
                case .failure(let error):
                    throw error.location.offset >= queryError.location.offset ? error : queryError
                }
            }
        }
        return try parseParenthesizedJoin()
    }

    private mutating func parseParenthesizedJoin() throws(SQLSyntaxError) -> TableRef {
        try expectSymbol("(")
        let t = try parseJoinedTable()
        try expectSymbol(")")
        return t
    }

    /// `mesh.product [[AS] alias [(col, …)]]`. With column aliases it becomes
    /// `(SELECT * FROM mesh.product) alias (col, …)`, which means the same and needs no extra
    /// syntax-tree case.
    private mutating func parseNamedTable() throws(SQLSyntaxError) -> TableRef {
        if current.isName, isSymbol("(", ahead: 1) || (isSymbol(".", ahead: 1) && isSymbol("(", ahead: 3)) {
            return try parseFunctionTable()
        }
        let name = try parseQualifiedName()
        let alias = try parseOptionalAlias()
        guard alias != nil, isSymbol("(") else { return .table(name, alias: alias) }
        let columns = try parseIdentifierList()
        let select = Select(items: [.wildcard(name.location)], from: [.table(name, alias: nil)], at: name.location)
        let q = Query(body: .select(select), at: name.location)
        return .derived(q, alias: alias, columnAliases: columns, location: name.location)
    }

    /// `f(…) [[AS] alias [(col)]]`, a set-returning function in FROM (`generate_series(1, 3)
    /// AS s`): `(SELECT f(…) AS alias) AS alias (col)`, which PostgreSQL reads the same way.
    private mutating func parseFunctionTable() throws(SQLSyntaxError) -> TableRef {
        let start = current.location
        let call = try parsePrimary()
        guard case .function(let f) = call.kind else { throw SQLSyntaxError("syntax error at or near \"(\"", at: start) }
        let alias = try parseOptionalAlias()
        let columns = alias != nil && isSymbol("(") ? try parseIdentifierList() : []
        let select = Select(items: [.expr(call, alias: alias ?? f.name)], at: start)
        return .derived(Query(body: .select(select), at: start), alias: alias ?? f.name, columnAliases: columns, location: start)
    }
}
