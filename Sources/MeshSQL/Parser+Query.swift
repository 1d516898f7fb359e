/// Queries: WITH, set operations (INTERSECT binds tighter than UNION and EXCEPT), SELECT blocks,
/// ORDER BY, LIMIT / OFFSET / FETCH FIRST.
extension Parser {
    /// `[WITH …] body [ORDER BY …] [LIMIT n | FETCH FIRST n ROWS ONLY] [OFFSET n]`
    mutating func parseQuery() throws(SQLSyntaxError) -> Query {
        try enterNesting()
        defer { depth -= 1 }
        let start = current.location
        var ctes: [CommonTableExpression] = []
        if acceptWord("with") {
            if isWord("recursive"), token(ahead: 1).isName {
                throw SQLSyntaxError("WITH RECURSIVE is not supported", at: current.location)
            }
            repeat { ctes.append(try parseCommonTableExpression()) } while acceptSymbol(",")
        }
        let body = try parseUnionLevel()
        var query = Query(with: ctes, body: body, at: start)
        if acceptWords("order", "by") { query.orderBy = try parseOrderItems() }
        try parseLimitAndOffset(into: &query)
        return query
    }

    /// `name [(col, …)] AS (query)`
    private mutating func parseCommonTableExpression() throws(SQLSyntaxError) -> CommonTableExpression {
        let name = try parseIdentifier()
        let columns = isSymbol("(") ? try parseIdentifierList() : []
        try expectWord("as")
        try expectSymbol("(")
        let q = try parseQuery()
        try expectSymbol(")")
        return CommonTableExpression(name: name, columnAliases: columns, query: q)
    }

    private mutating func parseUnionLevel() throws(SQLSyntaxError) -> QueryBody {
        var levels = 0
        defer { depth -= levels }
        var left = try parseIntersectLevel()
        while isWord("union") || isWord("except") {
            let op: SetOperator = advance().isWord("union") ? .union : .except
            try chainLink(&levels)
            let all = parseSetQuantifier()
            let right = try parseIntersectLevel()
            left = .setOperation(op, all: all, left, right)
        }
        return left
    }

    private mutating func parseIntersectLevel() throws(SQLSyntaxError) -> QueryBody {
        var levels = 0
        defer { depth -= levels }
        var left = try parseQueryPrimary()
        while acceptWord("intersect") {
            try chainLink(&levels)
            let all = parseSetQuantifier()
            let right = try parseQueryPrimary()
            left = .setOperation(.intersect, all: all, left, right)
        }
        return left
    }

    /// `ALL` → true; `DISTINCT` or nothing → false.
    private mutating func parseSetQuantifier() -> Bool {
        if acceptWord("all") { return true }
        _ = acceptWord("distinct")
        return false
    }

    private mutating func parseQueryPrimary() throws(SQLSyntaxError) -> QueryBody {
        if acceptSymbol("(") {
            let q = try parseQuery()
            try expectSymbol(")")
            return .nested(q)
        }
        guard isWord("select") else { throw unexpected() }
        return .select(try parseSelect())
    }

    /// `SELECT [ALL|DISTINCT] items [FROM …] [WHERE …] [GROUP BY …] [HAVING …]`
    private mutating func parseSelect() throws(SQLSyntaxError) -> Select {
        let start = advance()
        var select = Select(items: [], at: start.location)
        if acceptWord("distinct") {
            if isWord("on") { throw unexpected() }
            select.distinct = true
        } else {
            _ = acceptWord("all")
        }
        select.items = [try parseSelectItem()]
        while acceptSymbol(",") { select.items.append(try parseSelectItem()) }
        if acceptWord("from") { select.from = try parseFromList() }
        if acceptWord("where") { select.whereClause = try parseExpr() }
        if acceptWords("group", "by") {
            select.groupBy = [try parseExpr()]
            while acceptSymbol(",") { select.groupBy.append(try parseExpr()) }
        }
        if acceptWord("having") { select.having = try parseExpr() }
        return select
    }

    /// `*`, `t.*`, or `expr [[AS] alias]`
    private mutating func parseSelectItem() throws(SQLSyntaxError) -> SelectItem {
        let start = current.location
        if acceptSymbol("*") { return .wildcard(start) }
        // `a.b.*`: names separated by dots and ending in `.*`
        var i = 0
        while token(ahead: i).isName, isSymbol(".", ahead: i + 1) { i += 2 }
        if i > 0, isSymbol("*", ahead: i) {
            var qualifier = [try parseIdentifier()]
            advance()
            while !isSymbol("*") {
                qualifier.append(try parseLabel())
                advance()
            }
            advance()
            return .qualifiedWildcard(qualifier, start)
        }
        let expr = try parseExpr()
        return .expr(expr, alias: try parseOptionalAlias())
    }

    /// `AS label` or a bare non-reserved name; nil when neither follows.
    mutating func parseOptionalAlias() throws(SQLSyntaxError) -> String? {
        if acceptWord("as") { return try parseLabel() }
        switch current.kind {
        case .word(let w) where !Keywords.reserved.contains(w):
            advance()
            return w
        case .quotedIdentifier(let name):
            advance()
            return name
        default:
            return nil
        }
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST]`, comma-separated.
    mutating func parseOrderItems() throws(SQLSyntaxError) -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            var item = OrderItem(expr: try parseExpr())
            if acceptWord("desc") {
                item.descending = true
            } else {
                _ = acceptWord("asc")
            }
            if acceptWord("nulls") {
                if acceptWord("first") {
                    item.nullsFirst = true
                } else {
                    try expectWord("last")
                    item.nullsFirst = false
                }
            }
            items.append(item)
        } while acceptSymbol(",")
        return items
    }

    /// LIMIT, OFFSET and FETCH in any order, each at most once (LIMIT and FETCH exclusive).
    private mutating func parseLimitAndOffset(into query: inout Query) throws(SQLSyntaxError) {
        var sawLimit = false
        var sawOffset = false
        while true {
            if !sawLimit, isWord("limit") {
                advance()
                sawLimit = true
                if !acceptWord("all") { query.limit = try parseExpr() }
            } else if !sawLimit, isWord("fetch") {
                advance()
                sawLimit = true
                guard acceptWord("first") || acceptWord("next") else { throw unexpected() }
                if isWord("row") || isWord("rows") {
                    query.limit = Expr(.literal(.integer("1")), at: current.location)
                } else {
                    query.limit = try parseUnary()
                }
                guard acceptWord("row") || acceptWord("rows") else { throw unexpected() }
                try expectWord("only")
            } else if !sawOffset, acceptWord("offset") {
                sawOffset = true
                query.offset = try parseExpr()
                _ = acceptWord("row") || acceptWord("rows")
            } else {
                return
            }
        }
    }
}
