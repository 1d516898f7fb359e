import Foundation
import MeshCore
import MeshSQL

/// One entry of a mesh's `security_policy` list: a policy statement, or the name of a policy
/// of the org's library (`default_policy`, `statement_1`).
public enum PolicyEntry: Sendable, Hashable {
    case statement(PolicyStatement)
    case named(String)

    /// The built-in named policy: the mesh's owner and assignees and the org admins may read
    /// every product of the mesh; nobody else may.
    public static let defaultPolicy = "default_policy"

    /// Parses an entry. A bare identifier is a name; anything else must be one statement.
    public static func parse(_ text: String) throws(SQLSyntaxError) -> PolicyEntry {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if Self.isName(trimmed) { return .named(trimmed.lowercased()) }
        return .statement(try Parser.parsePolicy(text))
    }

    /// `default_policy`, `statement_1`: letters, digits and underscores, not a keyword that
    /// starts a statement.
    public static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        guard s.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }) else {
            return false
        }
        return !["grant", "deny", "mask", "filter"].contains(s.lowercased())
    }
}

extension PolicyStatement {
    /// The statements of a named policy's body (`'GRANT …; MASK …'`).
    public static func parseBody(_ body: String) throws(SQLSyntaxError) -> [PolicyStatement] {
        try Parser.parseStatements(body).map { parsed throws(SQLSyntaxError) -> PolicyStatement in
            guard case .policy(let p, _) = parsed.statement else {
                throw SQLSyntaxError("a named policy holds only GRANT, DENY, MASK and FILTER statements", at: parsed.location)
            }
            return p
        }
    }
}
