/// Function calls (with DISTINCT, `*`, ORDER BY, FILTER and OVER) and the functions that have
/// their own SQL-standard syntax: EXTRACT, SUBSTRING, POSITION, TRIM.
extension Parser {
    /// `name(…) [FILTER (WHERE …)] [OVER (…)]`; the current token is the name.
    mutating func parseFunctionCall(name: String) throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try expectSymbol("(")
        try enterNesting()
        defer { depth -= 1 }
        var call = FunctionCall(name: name)
        if acceptSymbol("*") {
            call.isStar = true
            try expectSymbol(")")
        } else if !acceptSymbol(")") {
            if acceptWord("distinct") {
                call.distinct = true
            } else {
                _ = acceptWord("all")
            }
            call.arguments = [try parseExpr()]
            while acceptSymbol(",") { call.arguments.append(try parseExpr()) }
            if acceptWords("order", "by") { call.orderBy = try parseOrderItems() }
            try expectSymbol(")")
        }
        if isWord("filter"), isSymbol("(", ahead: 1) {
            advance()
            advance()
            try expectWord("where")
            call.filter = try parseExpr()
            try expectSymbol(")")
        }
        if isWord("over"), isSymbol("(", ahead: 1) {
            advance()
            advance()
            var window = WindowSpec()
            if acceptWords("partition", "by") {
                window.partitionBy = [try parseExpr()]
                while acceptSymbol(",") { window.partitionBy.append(try parseExpr()) }
            }
            if acceptWords("order", "by") { window.orderBy = try parseOrderItems() }
            try expectSymbol(")")
            call.over = window
        }
        return Expr(.function(call), at: start.location)
    }

    /// `EXTRACT(field FROM x)`; the field may be a word or a string (`'year'`).
    mutating func parseExtract() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try expectSymbol("(")
        let field: String
        switch current.kind {
        case .word(let w), .string(let w), .quotedIdentifier(let w): field = w.lowercased()
        default: throw unexpected()
        }
        advance()
        try expectWord("from")
        let x = try parseExpr()
        try expectSymbol(")")
        return Expr(.extract(field: field, from: x), at: start.location)
    }

    /// `SUBSTRING(x FROM a [FOR b])`, `SUBSTRING(x FOR b [FROM a])`; with commas it is an
    /// ordinary call `substring(x, a, b)`.
    mutating func parseSubstring() throws(SQLSyntaxError) -> Expr {
        guard isKeywordForm(["from", "for"]) else { return try parseFunctionCall(name: "substring") }
        let start = advance()
        try expectSymbol("(")
        let x = try parseExpr()
        var from: Expr?
        var count: Expr?
        if acceptWord("from") {
            from = try parseExpr()
            if acceptWord("for") { count = try parseExpr() }
        } else {
            try expectWord("for")
            count = try parseExpr()
            if acceptWord("from") { from = try parseExpr() }
        }
        try expectSymbol(")")
        return Expr(.substring(x, from: from, for: count), at: start.location)
    }

    /// `POSITION(a IN b)`
    mutating func parsePosition() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try expectSymbol("(")
        // Below the IN level, so `a IN b` is not read as an IN list.
        let needle = try parseConcat()
        try expectWord("in")
        let haystack = try parseConcat()
        try expectSymbol(")")
        return Expr(.position(needle, in: haystack), at: start.location)
    }

    private static let trimSides: Set<String> = ["leading", "trailing", "both"]

    /// `TRIM([LEADING|TRAILING|BOTH] [chars] FROM x)`, `TRIM([side] x [, chars])`.
    mutating func parseTrim() throws(SQLSyntaxError) -> Expr {
        let start = advance()
        try expectSymbol("(")
        var side = "both"
        if case .word(let w) = current.kind, Self.trimSides.contains(w) {
            advance()
            side = w
        }
        let x: Expr
        var characters: Expr?
        if acceptWord("from") {
            x = try parseExpr()
        } else {
            let first = try parseExpr()
            if acceptWord("from") {
                characters = first
                x = try parseExpr()
            } else {
                x = first
                if acceptSymbol(",") { characters = try parseExpr() }
            }
        }
        try expectSymbol(")")
        return Expr(.trim(x, side: side, characters: characters), at: start.location)
    }

    /// True when, inside the parentheses that follow the current name, one of `words` appears
    /// at the top level (so the call uses the keyword syntax rather than commas).
    private func isKeywordForm(_ words: Set<String>) -> Bool {
        var i = 2
        var level = 0
        while true {
            let t = token(ahead: i)
            switch t.kind {
            case .end:
                return false
            case .symbol("("):
                level += 1
            case .symbol(")"):
                if level == 0 { return false }
                level -= 1
            case .symbol(","):
                if level == 0 { return false }
            case .word(let w) where level == 0 && words.contains(w):
                return true
            default:
                break
            }
            i += 1
        }
    }
}
