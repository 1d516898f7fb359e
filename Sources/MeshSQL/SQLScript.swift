/// Statement boundaries in raw script text, without parsing: what a REPL needs to decide whether
/// the user has finished typing, and how a script divides into statements. Like psql, a `;`
/// ends a statement only outside strings, quoted identifiers, comments and parentheses.
public enum SQLScript {
    /// True when the text ends with a statement-ending `;` (trailing whitespace and comments
    /// allowed) and has no unterminated string, identifier or comment.
    public static func isComplete(_ text: String) -> Bool {
        let s = scan(text)
        return !s.unterminated && s.endsWithSemicolon
    }

    /// The statements of a script: the text between top-level semicolons, trimmed of
    /// whitespace, without the `;`; pieces holding only whitespace or comments are dropped.
    public static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var start = text.startIndex
        for boundary in scan(text).semicolons + [text.endIndex] {
            let piece = trimmed(text[start..<boundary])
            if !piece.isEmpty && !isOnlyComments(piece) { pieces.append(piece) }
            if boundary < text.endIndex { start = text.index(after: boundary) }
        }
        return pieces
    }

    private struct Scan {
        var semicolons: [String.Index] = []
        var endsWithSemicolon = false
        var unterminated = false
    }

    private static func scan(_ text: String) -> Scan {
        var result = Scan()
        var depth = 0
        var i = text.startIndex
        let end = text.endIndex
        func at(_ j: String.Index) -> Character? { j < end ? text[j] : nil }
        while i < end {
            let c = text[i]
            let next = text.index(after: i)
            switch c {
            case "'", "\"":
                result.endsWithSemicolon = false
                var j = next
                while true {
                    guard j < end else {
                        result.unterminated = true
                        return result
                    }
                    if text[j] == c {
                        let k = text.index(after: j)
                        if at(k) == c {
                            j = text.index(after: k)
                            continue
                        }
                        j = k
                        break
                    }
                    j = text.index(after: j)
                }
                i = j
                continue
            case "-" where at(next) == "-":
                var j = next
                while j < end, !text[j].isNewline { j = text.index(after: j) }
                i = j
                continue
            case "/" where at(next) == "*":
                var j = text.index(after: next)
                var level = 1
                while level > 0 {
                    guard j < end else {
                        result.unterminated = true
                        return result
                    }
                    let k = text.index(after: j)
                    if text[j] == "/" && at(k) == "*" {
                        level += 1
                        j = text.index(after: k)
                    } else if text[j] == "*" && at(k) == "/" {
                        level -= 1
                        j = text.index(after: k)
                    } else {
                        j = k
                    }
                }
                i = j
                continue
            case ";":
                if depth == 0 {
                    result.semicolons.append(i)
                    result.endsWithSemicolon = true
                } else {
                    result.endsWithSemicolon = false
                }
            case "(":
                depth += 1
                result.endsWithSemicolon = false
            case ")":
                depth = max(0, depth - 1)
                result.endsWithSemicolon = false
            default:
                if !c.isWhitespace { result.endsWithSemicolon = false }
            }
            i = next
        }
        return result
    }

    private static func trimmed(_ s: Substring) -> String {
        guard let first = s.firstIndex(where: { !$0.isWhitespace }),
              let last = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(s[first...last])
    }

    /// True when the text lexes to no tokens at all (text that does not lex is kept, so its
    /// error is reported when it is parsed).
    private static func isOnlyComments(_ s: String) -> Bool {
        guard let tokens = try? Lexer.tokenize(s) else { return false }
        return tokens.count == 1
    }
}
