/// SQL text with every literal replaced by `?` and comments dropped, for the audit log: it
/// keeps what a statement did (its shape, the names it used) and none of the values typed
/// into it.
public enum LiteralRedaction {
    public static func redact(_ sql: String) -> String {
        // Text that does not even lex (an unterminated string) may hold a value anywhere.
        QueryShape(sql)?.redacted ?? "(statement that does not parse, \(sql.count) characters)"
    }
}
