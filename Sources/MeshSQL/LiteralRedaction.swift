/// SQL text with every literal replaced by `?` and comments dropped, for the audit log: it
/// keeps what a statement did (its shape, the names it used) and none of the values typed
/// into it.
public enum LiteralRedaction {
    public static func redact(_ sql: String) -> String {
        guard let tokens = try? Lexer.tokenize(sql) else {
            // Text that does not even lex (an unterminated string) may hold a value anywhere.
            return "(statement that does not parse, \(sql.count) characters)"
        }
        var out = ""
        var previousEnd: String.Index?
        for t in tokens where !t.isEnd {
            // Tokens are rebuilt from the source, so a comment (which may quote a value) is
            // left out; a gap between two tokens becomes one space.
            if let end = previousEnd, end < t.range.lowerBound { out += " " }
            switch t.kind {
            case .string, .number: out += "?"
            default: out += sql[t.range]
            }
            previousEnd = t.range.upperBound
        }
        return out
    }
}
