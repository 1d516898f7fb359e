/// Expression grammar by precedence level, lowest first, as PostgreSQL binds them:
/// OR < AND < NOT < IS < comparison < BETWEEN/IN/LIKE < `||` < `+ -` < `* / %` < unary `- +` < `::`.
extension Parser {
    /// A full expression.
    mutating func parseExpr() throws(SQLSyntaxError) -> Expr {
        try enterNesting()
        defer { depth -= 1 }
        return try parseOr()
    }

    mutating func parseOr() throws(SQLSyntaxError) -> Expr {
        var terms = [try parseAnd()]
        while acceptWord("or") { terms.append(try parseAnd()) }
        return try logicalChain(.or, terms)
    }

    mutating func parseAnd() throws(SQLSyntaxError) -> Expr {
        var terms = [try parseNot()]
        while acceptWord("and") { terms.append(try parseNot()) }
        return try logicalChain(.and, terms)
    }

    /// `a AND b AND …` (or OR), shaped by `associativeChain`. AND and OR are associative in
    /// SQL's three-valued logic, so the shape does not change the result.
    private mutating func logicalChain(_ op: BinaryOperator, _ terms: [Expr]) throws(SQLSyntaxError) -> Expr {
        associativeChain(terms) { Expr(.binary(op, $0, $1), at: $0.location) }!
    }

    /// Longest AND/OR chain kept in its written, left-deep shape.
    public static let leftDeepChainLimit = 16

    /// `NOT x`. `NOT EXISTS (…)`, `NOT x IN (…)` become the negated predicate (same meaning in
    /// SQL's three-valued logic), so later stages see one form of each.
    mutating func parseNot() throws(SQLSyntaxError) -> Expr {
        guard isWord("not") else { return try parseIs() }
        let not = advance()
        try enterNesting()
        defer { depth -= 1 }
        let operand = try parseNot()
        switch operand.kind {
        case .exists(let q, let negated):
            return Expr(.exists(q, negated: !negated), at: not.location)
        case .inSubquery(let x, let q, let negated):
            return Expr(.inSubquery(x, q, negated: !negated), at: not.location)
        case .inList(let x, let list, let negated):
            return Expr(.inList(x, list, negated: !negated), at: not.location)
        default:
            return Expr(.unary(.not, operand), at: not.location)
        }
    }

    /// `x IS [NOT] NULL | TRUE | FALSE | DISTINCT FROM y`
    mutating func parseIs() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseComparison()
        while acceptWord("is") {
            try chainLink(&levels)
            let negated = acceptWord("not")
            if acceptWord("null") {
                left = Expr(.isNull(left, negated: negated), at: left.location)
            } else if acceptWord("true") {
                left = Expr(.isBoolean(left, value: true, negated: negated), at: left.location)
            } else if acceptWord("false") {
                left = Expr(.isBoolean(left, value: false, negated: negated), at: left.location)
            } else if acceptWord("distinct") {
                try expectWord("from")
                let right = try parseComparison()
                left = Expr(.isDistinctFrom(left, right, negated: negated), at: left.location)
            } else {
                throw unexpected()
            }
            // A comparison binds tighter than IS, so one after it compares the IS's
            // result: `x IS NULL = TRUE` is `(x IS NULL) = TRUE`, as in PostgreSQL.
            left = try parseComparisonTail(left, &levels)
        }
        return left
    }

    private static let comparisonOperators: [String: BinaryOperator] = [
        "=": .equal, "<>": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    mutating func parseComparison() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        return try parseComparisonTail(try parsePredicate(), &levels)
    }

    /// Comparisons after `left`: `= y`, `< ANY (SELECT …)`, … (each link counted in `levels`).
    mutating func parseComparisonTail(_ left: Expr, _ levels: inout Int) throws(SQLSyntaxError) -> Expr {
        var left = left
        while case .symbol(let s) = current.kind, let op = Self.comparisonOperators[s] {
            advance()
            try chainLink(&levels)
            if let quantifier = ["any", "some", "all"].first(where: { isWord($0) }), isSymbol("(", ahead: 1),
               isQueryStart(ahead: 2) {
                advance()
                advance()
                let q = try parseQuery()
                try expectSymbol(")")
                left = Expr(.quantified(op, left, q, all: quantifier == "all"), at: left.location)
                continue
            }
            if let quantifier = ["any", "some", "all"].first(where: { isWord($0) }), isSymbol("(", ahead: 1) {
                left = try parseArrayQuantifier(op, left, all: quantifier == "all")
                continue
            }
            let right = try parsePredicate()
            left = Expr(.binary(op, left, right), at: left.location)
        }
        return left
    }

    /// `x = ANY (array)` and `x <> ALL (array)`: membership in an array value; over `ARRAY[…]`
    /// it is `x [NOT] IN (…)`.
    private mutating func parseArrayQuantifier(_ op: BinaryOperator, _ x: Expr, all: Bool) throws(SQLSyntaxError) -> Expr {
        let at = current.location
        advance()
        advance()
        let array = try parseExpr()
        try expectSymbol(")")
        guard (op == .equal && !all) || (op == .notEqual && all) else {
            throw SQLSyntaxError("only = ANY and <> ALL are supported over an array", at: at)
        }
        if case .function(let f) = array.kind, f.name == "array", !f.arguments.isEmpty {
            return Expr(.inList(x, f.arguments, negated: all), at: x.location)
        }
        let member = Expr(.function(FunctionCall(name: "array_contains", arguments: [array, x])), at: x.location)
        return all ? Expr(.unary(.not, member), at: x.location) : member
    }

    /// `x [NOT] BETWEEN a AND b`, `x [NOT] IN (…)`, `x [NOT] LIKE|ILIKE p [ESCAPE e]`
    mutating func parsePredicate() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseConcat()
        while true {
            var negated = false
            if isWord("not"), ["between", "in", "like", "ilike"].contains(where: { isWord($0, ahead: 1) }) {
                advance()
                negated = true
            }
            if acceptWord("between") {
                try chainLink(&levels)
                let low = try parseConcat()
                try expectWord("and")
                let high = try parseConcat()
                left = Expr(.between(left, low: low, high: high, negated: negated), at: left.location)
            } else if acceptWord("in") {
                try chainLink(&levels)
                left = try parseInTail(left, negated: negated)
            } else if isWord("like") || isWord("ilike") {
                let caseInsensitive = advance().isWord("ilike")
                try chainLink(&levels)
                let pattern = try parseConcat()
                let escape = acceptWord("escape") ? try parseConcat() : nil
                left = Expr(.like(left, pattern: pattern, escape: escape, caseInsensitive: caseInsensitive,
                                  negated: negated), at: left.location)
            } else {
                return left
            }
        }
    }

    /// After `x [NOT] IN`: a parenthesised subquery or expression list.
    private mutating func parseInTail(_ x: Expr, negated: Bool) throws(SQLSyntaxError) -> Expr {
        guard isSymbol("(") else { throw unexpected() }
        if isQueryStart(ahead: 1) {
            let subquery = attempt { (p: inout Parser) throws(SQLSyntaxError) -> Query in
                p.advance()
                let q = try p.parseQuery()
                try p.expectSymbol(")")
                return q
            }
            switch subquery {
            case .success(let q):
                return Expr(.inSubquery(x, q, negated: negated), at: x.location)
            case .failure(let error) where isWord("select", ahead: 1) || isWord("with", ahead: 1):
                throw error
            case .failure:
                break
            }
        }
        advance()
        var list = [try parseExpr()]
        while acceptSymbol(",") { list.append(try parseExpr()) }
        try expectSymbol(")")
        return Expr(.inList(x, list, negated: negated), at: x.location)
    }

    /// `a || b` (PostgreSQL's "any other operator" level, below `+ -`).
    mutating func parseConcat() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseAdditive()
        while true {
            let op: String
            if let s = ["||", "~", "~*", "!~", "!~*", "&", "|"].first(where: { isSymbol($0) }) {
                advance()
                op = s
            } else if isWord("operator"), isSymbol("(", ahead: 1) {
                op = try parseOperatorName()
            } else {
                return left
            }
            try chainLink(&levels)
            let right = try parseAdditive()
            if op == "||" {
                left = Expr(.binary(.concat, left, right), at: left.location)
                continue
            }
            if op == "&" || op == "|" {
                // Bitwise AND / OR of integers: PostgreSQL's int8and / int8or.
                left = Expr(.function(FunctionCall(name: op == "&" ? "int8and" : "int8or", arguments: [left, right])), at: left.location)
                continue
            }
            // `a ~ b` is PostgreSQL's regexp_like(a, b); `~*` matches ignoring case.
            var args = [left, right]
            if op.hasSuffix("*") { args.append(Expr(.literal(.string("i")), at: left.location)) }
            let match = Expr(.function(FunctionCall(name: "regexp_like", arguments: args)), at: left.location)
            left = op.hasPrefix("!") ? Expr(.unary(.not, match), at: left.location) : match
        }
    }

    /// `OPERATOR(pg_catalog.~)`: an operator named with its schema, as psql writes them. Only
    /// the operators of this level (`||` and the regular-expression matches) are taken.
    private mutating func parseOperatorName() throws(SQLSyntaxError) -> String {
        advance()
        try expectSymbol("(")
        while token(ahead: 0).isName, isSymbol(".", ahead: 1) {
            advance()
            advance()
        }
        guard case .symbol(let s) = current.kind, ["||", "~", "~*", "!~", "!~*"].contains(s) else { throw unexpected() }
        advance()
        try expectSymbol(")")
        return s
    }

    mutating func parseAdditive() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseMultiplicative()
        while true {
            let op: BinaryOperator
            if acceptSymbol("+") { op = .add } else if acceptSymbol("-") { op = .subtract } else { return left }
            try chainLink(&levels)
            let right = try parseMultiplicative()
            left = Expr(.binary(op, left, right), at: left.location)
        }
    }

    mutating func parseMultiplicative() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseUnary()
        while true {
            let op: BinaryOperator
            if acceptSymbol("*") {
                op = .multiply
            } else if acceptSymbol("/") {
                op = .divide
            } else if acceptSymbol("%") {
                op = .modulo
            } else {
                return left
            }
            try chainLink(&levels)
            let right = try parseUnary()
            left = Expr(.binary(op, left, right), at: left.location)
        }
    }

    mutating func parseUnary() throws(SQLSyntaxError) -> Expr {
        guard isSymbol("-") || isSymbol("+") else { return try parsePostfix() }
        let sign = advance()
        try enterNesting()
        defer { depth -= 1 }
        let operand = try parseUnary()
        return Expr(.unary(sign.isSymbol("-") ? .negate : .plus, operand), at: sign.location)
    }

    /// A primary followed by any number of `::type` casts, `[i]` subscripts and `COLLATE c`.
    mutating func parsePostfix() throws(SQLSyntaxError) -> Expr {
        var levels = 0
        defer { depth -= levels }
        var expr = try parsePrimary()
        while true {
            if acceptSymbol("::") {
                try chainLink(&levels)
                let type = try parseTypeName()
                expr = Expr(.cast(expr, type: type), at: expr.location)
            } else if acceptSymbol("[") {
                // `a[i]`: an element of an array (arrays are the catalog's, in their text form).
                try chainLink(&levels)
                let index = try parseExpr()
                try expectSymbol("]")
                expr = Expr(.function(FunctionCall(name: "array_element", arguments: [expr, index])), at: expr.location)
            } else if isSymbol("."), token(ahead: 1).isName {
                // `(x).field`: a field of a composite value (a column reference has taken its
                // own dots already).
                try chainLink(&levels)
                advance()
                let field = try parseLabel()
                expr = Expr(.function(FunctionCall(name: "field_select", arguments: [expr, Expr(.literal(.string(field)), at: expr.location)])),
                            at: expr.location)
            } else if isWord("collate"), token(ahead: 1).isName {
                // Collations are not modelled: text compares by its bytes whatever is named.
                advance()
                _ = try parseIdentifier()
                while acceptSymbol(".") { _ = try parseLabel() }
            } else {
                return expr
            }
        }
    }
}
