/// What the lexer found. Keywords are not a separate kind: an unquoted word is a keyword only
/// where the grammar expects one, which is how PostgreSQL lets most keywords double as names.
enum TokenKind: Sendable, Hashable {
    /// An unquoted word, folded to lower case.
    case word(String)
    /// A `"quoted"` identifier, case kept, `""` unescaped.
    case quotedIdentifier(String)
    /// A `'string'` literal, `''` unescaped.
    case string(String)
    /// A numeric literal as written (`42`, `1.5`, `.5`, `1e3`).
    case number(String)
    /// `$n`
    case parameter(Int)
    /// An operator or punctuation mark (`<=`, `::`, `(`, `;`, …); `!=` is reported as `<>`.
    case symbol(String)
    case end
}

/// One token and where it sits in the source.
struct Token: Sendable {
    var kind: TokenKind
    var location: SourceLocation
    /// The token's text in the source (for error messages and exact statement text).
    var range: Range<String.Index>
    /// UTF-8 offset just past the token.
    var endOffset: Int

    var isEnd: Bool { kind == .end }

    /// An unquoted word whose folded text is `word` (given in lower case).
    func isWord(_ word: String) -> Bool {
        if case .word(let w) = kind { return w == word }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let s) = kind { return s == symbol }
        return false
    }

    /// A name token: an unquoted word or a quoted identifier.
    var isName: Bool {
        switch kind {
        case .word, .quotedIdentifier: true
        default: false
        }
    }
}
