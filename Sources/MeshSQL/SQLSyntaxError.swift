/// A lexical or grammatical error in SQL text, worded as PostgreSQL words it
/// (`syntax error at or near "SELEC"`, `syntax error at end of input`,
/// `unterminated quoted string`) and pointing at the offending token.
public struct SQLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Where the offending token starts, relative to the whole text that was parsed.
    public var location: SourceLocation

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public var description: String { "\(message) at \(location)" }
}
