/// Splits typed text into `;`-terminated statements, aware of quotes and comments, and says
/// whether the text is complete (ends with `;` outside any quote or comment).
///
/// TODO: switch to `SQLScript.isComplete` / its splitting once MeshSQL provides it; this scanner
/// only needs to agree with the lexer about where strings, quoted names and comments end.
struct StatementSplitter {
    /// Where the scan stands at the end of the text; drives the continuation prompt.
    enum State: Equatable {
        case normal
        case singleQuote
        case doubleQuote
        case blockComment
    }

    struct Result {
        /// The complete statements, trimmed, without their `;`; comment-only ones dropped.
        var statements: [String]
        /// Text after the last `;` (empty or comments only when the text is complete).
        var remainder: String
        var state: State
        /// Open parentheses at the end, outside quotes and comments.
        var parenDepth: Int
        /// True when the remainder holds nothing but blanks and comments.
        var remainderIsBlank: Bool

        var isComplete: Bool { state == .normal && remainderIsBlank && !statements.isEmpty }
    }

    static func isComplete(_ text: String) -> Bool { split(text).isComplete }

    static func split(_ text: String) -> Result {
        let chars = Array(text)
        var statements: [String] = []
        var state = State.normal
        var commentDepth = 0
        var parenDepth = 0
        var start = 0
        var significant = false  // the current statement has something besides blanks/comments
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            switch state {
            case .singleQuote:
                if c == "'" {
                    if next == "'" { i += 1 } else { state = .normal }
                }
            case .doubleQuote:
                if c == "\"" {
                    if next == "\"" { i += 1 } else { state = .normal }
                }
            case .blockComment:
                if c == "*", next == "/" {
                    commentDepth -= 1
                    i += 1
                    if commentDepth == 0 { state = .normal }
                } else if c == "/", next == "*" {
                    commentDepth += 1  // PostgreSQL nests block comments
                    i += 1
                }
            case .normal:
                if c == "-", next == "-" {
                    while i < chars.count, !chars[i].isNewline { i += 1 }
                    continue
                } else if c == "/", next == "*" {
                    state = .blockComment
                    commentDepth = 1
                    i += 1
                } else if c == "'" {
                    state = .singleQuote
                    significant = true
                } else if c == "\"" {
                    state = .doubleQuote
                    significant = true
                } else if c == ";" {
                    if significant {
                        statements.append(String(chars[start..<i]).trimmingBlanks())
                    }
                    start = i + 1
                    significant = false
                    parenDepth = 0
                } else {
                    if c == "(" { parenDepth += 1 }
                    if c == ")" { parenDepth = max(0, parenDepth - 1) }
                    if !c.isWhitespace { significant = true }
                }
            }
            i += 1
        }
        return Result(
            statements: statements,
            remainder: String(chars[start...]),
            state: state,
            parenDepth: parenDepth,
            remainderIsBlank: !significant
        )
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
