/// Turns SQL text into tokens, tracking line, column (in characters) and UTF-8 offset of each.
/// Comments and whitespace are skipped; the token list always ends with `.end`.
struct Lexer {
    private let source: String
    private var index: String.Index
    private var line = 1
    private var column = 1
    private var offset = 0

    init(_ source: String) {
        self.source = source
        self.index = source.startIndex
    }

    /// All tokens of `source`, ending with an `.end` token.
    static func tokenize(_ source: String) throws(SQLSyntaxError) -> [Token] {
        // PostgreSQL takes no NUL in a statement (in a string it would end the value in C).
        if let nul = source.firstIndex(of: "\u{0}") {
            let before = source[..<nul]
            let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
            throw SQLSyntaxError("invalid byte sequence for encoding \"UTF8\": 0x00",
                                 at: SourceLocation(line: line, column: column, offset: before.count))
        }
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.nextToken()
            tokens.append(token)
            if token.isEnd { return tokens }
        }
    }

    // MARK: - Cursor

    private var here: SourceLocation { SourceLocation(line: line, column: column, offset: offset) }

    private func peek(_ ahead: Int = 0) -> Character? {
        var i = index
        for _ in 0..<ahead {
            guard i < source.endIndex else { return nil }
            i = source.index(after: i)
        }
        return i < source.endIndex ? source[i] : nil
    }

    private mutating func bump() {
        let c = source[index]
        index = source.index(after: index)
        offset += c.utf8.count
        if c.isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private static func isDigit(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c >= "0" && c <= "9"
    }

    private static func isWordStart(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c.isLetter || c == "_"
    }

    private static func isWordPart(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c.isLetter || c == "_" || c == "$" || isDigit(c)
    }

    // MARK: - Tokens

    private mutating func nextToken() throws(SQLSyntaxError) -> Token {
        try skipTrivia()
        let start = here
        let startIndex = index
        guard let c = peek() else {
            return Token(kind: .end, location: start, range: index..<index, endOffset: offset)
        }
        let kind: TokenKind
        if Self.isWordStart(c) {
            kind = lexWord()
        } else if Self.isDigit(c) || (c == "." && Self.isDigit(peek(1))) {
            kind = try lexNumber(start: start, startIndex: startIndex)
        } else if c == "'" {
            kind = .string(try lexQuoted(quote: "'", start: start, what: "unterminated quoted string"))
        } else if c == "\"" {
            let name = try lexQuoted(quote: "\"", start: start, what: "unterminated quoted identifier")
            if name.isEmpty {
                throw SQLSyntaxError("zero-length delimited identifier at or near \"\"\"\"", at: start)
            }
            kind = .quotedIdentifier(name)
        } else if c == "$" {
            kind = try lexParameter(start: start, startIndex: startIndex)
        } else {
            kind = try lexSymbol(c, start: start)
        }
        return Token(kind: kind, location: start, range: startIndex..<index, endOffset: offset)
    }

    private mutating func skipTrivia() throws(SQLSyntaxError) {
        while let c = peek() {
            if c.isWhitespace {
                bump()
            } else if c == "-" && peek(1) == "-" {
                while let d = peek(), !d.isNewline { bump() }
            } else if c == "/" && peek(1) == "*" {
                let start = here
                bump(); bump()
                var depth = 1
                while depth > 0 {
                    guard let d = peek() else { throw SQLSyntaxError("unterminated /* comment", at: start) }
                    if d == "/" && peek(1) == "*" {
                        bump(); bump(); depth += 1
                    } else if d == "*" && peek(1) == "/" {
                        bump(); bump(); depth -= 1
                    } else {
                        bump()
                    }
                }
            } else {
                return
            }
        }
    }

    private mutating func lexWord() -> TokenKind {
        var text = ""
        while Self.isWordPart(peek()) {
            text.append(peek()!)
            bump()
        }
        return .word(text.lowercased())
    }

    private mutating func lexNumber(start: SourceLocation, startIndex: String.Index) throws(SQLSyntaxError) -> TokenKind {
        var text = ""
        while Self.isDigit(peek()) { text.append(peek()!); bump() }
        if peek() == "." && peek(1) != "." {
            text.append("."); bump()
            while Self.isDigit(peek()) { text.append(peek()!); bump() }
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if Self.isDigit(peek(signed ? 2 : 1)) {
                text.append(peek()!); bump()
                if signed { text.append(peek()!); bump() }
                while Self.isDigit(peek()) { text.append(peek()!); bump() }
            }
        }
        if Self.isWordPart(peek()) {
            while Self.isWordPart(peek()) { bump() }
            let junk = String(source[startIndex..<index])
            throw SQLSyntaxError("trailing junk after numeric literal at or near \"\(junk)\"", at: start)
        }
        return .number(text)
    }

    /// A `'string'` or `"identifier"`: the doubled quote is the escape.
    private mutating func lexQuoted(quote: Character, start: SourceLocation, what: String) throws(SQLSyntaxError) -> String {
        bump()
        var text = ""
        while true {
            guard let c = peek() else { throw SQLSyntaxError(what, at: start) }
            if c == quote {
                if peek(1) == quote {
                    text.append(quote)
                    bump(); bump()
                    continue
                }
                bump()
                return text
            }
            text.append(c)
            bump()
        }
    }

    private mutating func lexParameter(start: SourceLocation, startIndex: String.Index) throws(SQLSyntaxError) -> TokenKind {
        bump()
        var digits = ""
        while Self.isDigit(peek()) { digits.append(peek()!); bump() }
        while Self.isWordPart(peek()) { bump() }
        let text = String(source[startIndex..<index])
        guard !digits.isEmpty, text.count == digits.count + 1 else {
            throw SQLSyntaxError("syntax error at or near \"\(text)\"", at: start)
        }
        guard let n = Int(digits), n >= 1, n <= 65_535 else {
            throw SQLSyntaxError("there is no parameter \(text)", at: start)
        }
        return .parameter(n)
    }

    private static let twoCharacterSymbols: Set<String> = ["<>", "<=", ">=", "!=", "||", "::"]
    private static let oneCharacterSymbols: Set<Character> = ["+", "-", "*", "/", "%", "=", "<", ">", "(", ")", ",", ".", ";"]

    private mutating func lexSymbol(_ c: Character, start: SourceLocation) throws(SQLSyntaxError) -> TokenKind {
        if let d = peek(1) {
            let pair = String([c, d])
            if Self.twoCharacterSymbols.contains(pair) {
                bump(); bump()
                return .symbol(pair == "!=" ? "<>" : pair)
            }
        }
        guard Self.oneCharacterSymbols.contains(c) else {
            throw SQLSyntaxError("syntax error at or near \"\(c)\"", at: start)
        }
        bump()
        return .symbol(String(c))
    }
}
