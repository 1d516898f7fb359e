/// Primary expressions: literals, names, parenthesised expressions and subqueries, CASE, CAST,
/// typed literals, and type names.
extension Parser {
    mutating func parsePrimary() throws(SQLSyntaxError) -> Expr {
        let start = current
        switch start.kind {
        case .number(let text):
            advance()
            let isInteger = text.allSatisfy { $0 >= "0" && $0 <= "9" }
            return Expr(.literal(isInteger ? .integer(text) : .decimal(text)), at: start.location)
        case .string(let s):
            advance()
            return Expr(.literal(.string(s)), at: start.location)
        case .parameter(let n):
            advance()
            return Expr(.parameter(n), at: start.location)
        case .symbol("("):
            return try parseParenthesized()
        case .word(let w):
            return try parseWordPrimary(w)
        case .quotedIdentifier(let name):
            if isSymbol("(", ahead: 1) { return try parseFunctionCall(name: name) }
            return try parseColumnReference()
        default:
            throw unexpected()
        }
    }

    /// A primary that starts with an unquoted word: a keyword form, a function call or a column.
    private mutating func parseWordPrimary(_ w: String) throws(SQLSyntaxError) -> Expr {
        let start = current
        let call = isSymbol("(", ahead: 1)
        switch w {
        case "null":
            advance()
            return Expr(.literal(.null), at: start.location)
        case "true", "false":
            advance()
            return Expr(.literal(.boolean(w == "true")), at: start.location)
        case "case":
            return try parseCase()
        case "cast":
            return try parseCastCall()
        case "exists" where call:
            advance()
            advance()
            let q = try parseQuery()
            try expectSymbol(")")
            return Expr(.exists(q, negated: false), at: start.location)
        case "current_date", "current_timestamp":
            advance()
            return Expr(.currentTime(w), at: start.location)
        case "current_user", "current_role", "session_user", "user":
            // Spelled without parentheses as in PostgreSQL; the same call as `current_user()`.
            if !call {
                advance()
                return Expr(.function(FunctionCall(name: w == "current_role" ? w : "current_user")), at: start.location)
            }
        case "extract" where call:
            return try parseExtract()
        case "substring" where call:
            return try parseSubstring()
        case "position" where call:
            return try parsePosition()
        case "trim" where call:
            return try parseTrim()
        case "date", "time", "timestamp", "timestamptz":
            if case .string(let value) = token(ahead: 1).kind {
                advance()
                advance()
                return Expr(.literal(.typed(type: w, value: value)), at: start.location)
            }
        case "interval":
            if case .string = token(ahead: 1).kind { return try parseIntervalLiteral() }
        case "array" where isSymbol("[", ahead: 1):
            // `ARRAY[a, b]`: the function `array(a, b)` (printed back as written).
            advance()
            advance()
            var items: [Expr] = []
            if !acceptSymbol("]") {
                items = [try parseExpr()]
                while acceptSymbol(",") { items.append(try parseExpr()) }
                try expectSymbol("]")
            }
            return Expr(.function(FunctionCall(name: "array", arguments: items)), at: start.location)
        case "array" where call && isQueryStart(ahead: 2):
            // `ARRAY(SELECT …)`: `array_query((SELECT …))`.
            advance()
            let q = try parseParenthesized()
            return Expr(.function(FunctionCall(name: "array_query", arguments: [q])), at: start.location)
        default:
            break
        }
        if call && (!Keywords.reserved.contains(w) || Keywords.functionNames.contains(w)) {
            return try parseFunctionCall(name: w)
        }
        return try parseColumnReference()
    }

    /// `col`, `t.col`, `mesh.product.col`
    private mutating func parseColumnReference() throws(SQLSyntaxError) -> Expr {
        let start = current.location
        var parts = [try parseIdentifier()]
        while isSymbol("."), token(ahead: 1).isName {
            advance()
            parts.append(try parseLabel())
        }
        if parts.count == 2, isSymbol("(") {
            // `pg_catalog.f(…)`: PostgreSQL's own functions, named with their schema.
            guard parts[0] == "pg_catalog" || parts[0] == "information_schema" else {
                throw SQLSyntaxError("function \(parts.joined(separator: ".")) does not exist", at: start)
            }
            position -= 1
            return try parseFunctionCall(name: parts[1])
        }
        return Expr(.column(parts), at: start)
    }

    /// `( expr )` or `( query )` used as a value.
    private mutating func parseParenthesized() throws(SQLSyntaxError) -> Expr {
        let open = current
        if isQueryStart(ahead: 1) {
            let subquery = attempt { (p: inout Parser) throws(SQLSyntaxError) -> Query in
                p.advance()
                let q = try p.parseQuery()
                try p.expectSymbol(")")
                return q
            }
            switch subquery {
            case .success(let q):
                return Expr(.subquery(q), at: open.location)
            case .failure(let error) where isWord("select", ahead: 1) || isWord("with", ahead: 1):
                // Nothing but a query can start with SELECT or WITH: its error is the right one.
                throw error
            case .failure(let queryError):
                let asExpression = attempt { (p: inout Parser) throws(SQLSyntaxError) -> Expr in
                    try p.parseParenthesizedExpression()
                }
                switch asExpression {
                case .success(let e):
                    return e
                case .failure(let error):
                    throw error.location.offset >= queryError.location.offset ? error : queryError
                }
            }
        }
        return try parseParenthesizedExpression()
    }

    private mutating func parseParenthesizedExpression() throws(SQLSyntaxError) -> Expr {
        try expectSymbol("(")
        let e = try parseExpr()
        try expectSymbol(")")
        return e
    }

    /// `CASE [operand] WHEN … THEN … [ELSE …] END`
    private mutating func parseCase() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try enterNesting()
        defer { depth -= 1 }
        let operand = isWord("when") ? nil : try parseExpr()
        var branches: [CaseBranch] = []
        while acceptWord("when") {
            let condition = try parseExpr()
            try expectWord("then")
            branches.append(CaseBranch(when: condition, then: try parseExpr()))
        }
        if branches.isEmpty { throw unexpected() }
        let otherwise = acceptWord("else") ? try parseExpr() : nil
        try expectWord("end")
        return Expr(.caseWhen(operand: operand, branches: branches, otherwise: otherwise), at: start.location)
    }

    /// `CAST(x AS type)`
    private mutating func parseCastCall() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try expectSymbol("(")
        let x = try parseExpr()
        try expectWord("as")
        let type = try parseTypeName()
        try expectSymbol(")")
        return Expr(.cast(x, type: type), at: start.location)
    }

    private static let intervalUnits: Set<String> = ["year", "month", "day", "hour", "minute", "second"]

    /// `INTERVAL '3' MONTH`, `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '90 days'`
    private mutating func parseIntervalLiteral() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        guard case .string(let value) = advance().kind else { throw unexpected() }
        var unit: String?
        if case .word(let w) = current.kind, Self.intervalUnits.contains(w) {
            advance()
            unit = w
            if isWord("to"), case .word(let to) = token(ahead: 1).kind, Self.intervalUnits.contains(to) {
                advance()
                advance()
                unit = "\(w) to \(to)"
            }
        }
        return Expr(.literal(.interval(value: value, unit: unit)), at: start.location)
    }

    /// A type name as written, lower case and single-spaced: `integer`, `decimal(15,2)`,
    /// `double precision`, `character varying(25)`, `timestamp with time zone`.
    mutating func parseTypeName() throws(SQLSyntaxError) -> String {
        var first: String
        switch current.kind {
        case .word(let w): first = w
        case .quotedIdentifier(let name): first = name
        default: throw unexpected()
        }
        advance()
        // `pg_catalog.text`: PostgreSQL's types named with their schema.
        if first == "pg_catalog", acceptSymbol(".") {
            switch current.kind {
            case .word(let w): first = w
            case .quotedIdentifier(let name): first = name
            default: throw unexpected()
            }
            advance()
        }
        var text = first
        if first == "double", acceptWord("precision") {
            text += " precision"
        } else if first == "character" || first == "char" || first == "national", acceptWord("varying") {
            text += " varying"
        }
        if acceptSymbol("(") {
            var modifiers: [String] = []
            repeat {
                guard case .number(let n) = current.kind else { throw unexpected() }
                advance()
                modifiers.append(n)
            } while acceptSymbol(",")
            try expectSymbol(")")
            text += "(" + modifiers.joined(separator: ",") + ")"
        }
        if first == "timestamp" || first == "time",
           isWord("with") || isWord("without"), isWord("time", ahead: 1), isWord("zone", ahead: 2) {
            text += " " + (advance().isWord("with") ? "with" : "without") + " time zone"
            advance()
            advance()
        }
        while isSymbol("["), isSymbol("]", ahead: 1) {
            advance()
            advance()
            text += "[]"
        }
        return text
    }
}
