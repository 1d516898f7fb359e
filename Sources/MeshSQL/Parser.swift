/// The meshql SQL parser: recursive descent over the token list, with PostgreSQL's operator
/// precedence. Every error is an `SQLSyntaxError` whose location is a position in the whole
/// input, so callers can draw a caret under it.
public struct Parser {
    let source: String
    var tokens: [Token]
    var position = 0
    /// Current nesting of expressions and queries; bounded so hostile input cannot exhaust the
    /// (small) stack of a concurrency thread in any later stage. Each operator of a left-deep
    /// chain (`a + b + …`, `||`, `::`, comparisons, set operations) counts as one level, since
    /// the tree it builds is that deep; long AND/OR chains are built balanced instead. SQL.md
    /// documents the limit.
    var depth = 0
    static let maxDepth = 200

    init(_ source: String) throws(SQLSyntaxError) {
        self.source = source
        self.tokens = try Lexer.tokenize(source)
    }

    // MARK: - Public entry points

    /// Parses a script of `;`-separated statements. Empty statements are skipped; each result
    /// carries its exact text (without the `;`) and where it starts.
    public static func parseStatements(_ sql: String) throws(SQLSyntaxError) -> [ParsedStatement] {
        var p = try Parser(sql)
        var result: [ParsedStatement] = []
        while true {
            while p.acceptSymbol(";") {}
            if p.current.isEnd { return result }
            let first = p.position
            let statement = try p.parseStatementBody()
            result.append(ParsedStatement(statement: statement, text: p.text(from: first, to: p.position),
                                          location: p.tokens[first].location,
                                          shape: QueryShape(tokens: p.tokens[first..<p.position], in: p.source)))
            if !p.current.isEnd { try p.expectSymbol(";") }
        }
    }

    /// Parses exactly one statement (a trailing `;` is allowed).
    public static func parseStatement(_ sql: String) throws(SQLSyntaxError) -> Statement {
        var p = try Parser(sql)
        while p.acceptSymbol(";") {}
        let statement = try p.parseStatementBody()
        while p.acceptSymbol(";") {}
        guard p.current.isEnd else {
            throw SQLSyntaxError("only one statement is allowed here", at: p.current.location)
        }
        return statement
    }

    /// Parses one query (`SELECT …`, `WITH …`, a set operation); a trailing `;` is allowed.
    public static func parseQuery(_ sql: String) throws(SQLSyntaxError) -> Query {
        var p = try Parser(sql)
        let query = try p.parseQuery()
        _ = p.acceptSymbol(";")
        try p.expectEnd()
        return query
    }

    /// Parses one scalar expression, e.g. a row filter of a policy.
    public static func parseExpression(_ sql: String) throws(SQLSyntaxError) -> Expr {
        var p = try Parser(sql)
        let expr = try p.parseExpr()
        try p.expectEnd()
        return expr
    }

    // MARK: - Token cursor

    var current: Token { tokens[position] }

    func token(ahead n: Int) -> Token { tokens[min(position + n, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[position]
        if !t.isEnd { position += 1 }
        return t
    }

    func isWord(_ w: String, ahead n: Int = 0) -> Bool { token(ahead: n).isWord(w) }
    func isSymbol(_ s: String, ahead n: Int = 0) -> Bool { token(ahead: n).isSymbol(s) }

    mutating func acceptWord(_ w: String) -> Bool {
        guard isWord(w) else { return false }
        advance()
        return true
    }

    /// Accepts a sequence of words only when all of them follow.
    mutating func acceptWords(_ ws: String...) -> Bool {
        for (i, w) in ws.enumerated() where !isWord(w, ahead: i) { return false }
        position += ws.count
        return true
    }

    mutating func expectWord(_ w: String) throws(SQLSyntaxError) {
        guard acceptWord(w) else { throw unexpected() }
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        guard isSymbol(s) else { return false }
        advance()
        return true
    }

    mutating func expectSymbol(_ s: String) throws(SQLSyntaxError) {
        guard acceptSymbol(s) else { throw unexpected() }
    }

    func expectEnd() throws(SQLSyntaxError) {
        guard current.isEnd else { throw unexpected() }
    }

    // MARK: - Errors and text

    /// `syntax error at or near "tok"` for the current token (or `at end of input`).
    func unexpected() -> SQLSyntaxError { Self.unexpected(current, in: source) }

    static func unexpected(_ t: Token, in source: String) -> SQLSyntaxError {
        if t.isEnd { return SQLSyntaxError("syntax error at end of input", at: t.location) }
        return SQLSyntaxError("syntax error at or near \"\(source[t.range])\"", at: t.location)
    }

    /// The exact source text of tokens `from..<to`.
    func text(from: Int, to: Int) -> String {
        guard to > from else { return "" }
        return String(source[tokens[from].range.lowerBound..<tokens[to - 1].range.upperBound])
    }

    /// One more operator in a left-deep chain: the tree is one level deeper. The caller gives
    /// the levels back when its chain ends.
    mutating func chainLink(_ levels: inout Int) throws(SQLSyntaxError) {
        levels += 1
        try enterNesting()
    }

    mutating func enterNesting() throws(SQLSyntaxError) {
        depth += 1
        if depth > Self.maxDepth {
            throw SQLSyntaxError("statement is nested too deeply (more than \(Self.maxDepth) levels; each operator of a chain such as a + b + … counts as one)", at: current.location)
        }
    }

    /// Runs `body`; on failure rewinds to where it started and returns nil, keeping the error
    /// so the caller can report whichever alternative got further.
    mutating func attempt<T>(_ body: (inout Parser) throws(SQLSyntaxError) -> T) -> Result<T, SQLSyntaxError> {
        let savedPosition = position
        let savedDepth = depth
        do throws(SQLSyntaxError) {
            return .success(try body(&self))
        } catch {
            position = savedPosition
            depth = savedDepth
            return .failure(error)
        }
    }

    // MARK: - Names

    /// A name: an unquoted non-reserved word (folded) or a quoted identifier.
    mutating func parseIdentifier() throws(SQLSyntaxError) -> String {
        switch current.kind {
        case .word(let w) where !Keywords.reserved.contains(w):
            advance()
            return w
        case .quotedIdentifier(let name):
            advance()
            return name
        default:
            throw unexpected()
        }
    }

    /// A label where any word is allowed (after AS, after a dot, option keys).
    mutating func parseLabel() throws(SQLSyntaxError) -> String {
        switch current.kind {
        case .word(let w), .quotedIdentifier(let w):
            advance()
            return w
        default:
            throw unexpected()
        }
    }

    /// `(a, b, …)`
    mutating func parseIdentifierList() throws(SQLSyntaxError) -> [String] {
        try expectSymbol("(")
        var names = [try parseIdentifier()]
        while acceptSymbol(",") { names.append(try parseIdentifier()) }
        try expectSymbol(")")
        return names
    }

    /// `a`, `a.b`, `a.b.c` with between `minParts` and `maxParts` parts.
    mutating func parseQualifiedName(minParts: Int = 1, maxParts: Int = 3) throws(SQLSyntaxError) -> QualifiedName {
        let start = current.location
        var parts = [try parseIdentifier()]
        while isSymbol("."), parts.count < maxParts {
            advance()
            parts.append(try parseLabel())
        }
        if parts.count < minParts {
            throw unexpected()
        }
        return QualifiedName(parts, at: start)
    }

    /// True when the tokens from `n` on start a query: SELECT or WITH, possibly after `(`s.
    func isQueryStart(ahead n: Int = 0) -> Bool {
        var i = n
        while isSymbol("(", ahead: i) { i += 1 }
        return isWord("select", ahead: i) || isWord("with", ahead: i)
    }
}

extension Parser {
    /// The highest `$n` in `sql` (0 when there is none), as the lexer reads it: not inside
    /// strings, quoted names or comments. Text that does not lex has none.
    public static func highestParameter(in sql: String) -> Int {
        let tokens = (try? Lexer.tokenize(sql)) ?? []
        return tokens.reduce(0) { highest, token in
            if case .parameter(let n) = token.kind { return max(highest, n) }
            return highest
        }
    }
}
