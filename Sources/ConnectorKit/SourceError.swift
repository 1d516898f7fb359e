import Foundation
import MeshCore

/// A query's failure at its source, classified by the connector from the source's own codes
/// (PostgreSQL's SQLSTATE, SQLite's result codes), so that the executor and the API decide
/// what to tell the user by its kind, never by reading the source's message text.
///
/// The message is the source's primary message on one line, with the connector's secrets
/// (passwords in a DSN) already replaced; it may still quote a row's value, which a policy
/// may hide, so `meshError(connector:products:)` keeps only what precedes the first quote.
public struct SourceError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The source could not be reached or opened, or the connection broke mid-query.
        case connection
        /// The source stopped the statement because meshql cancelled it.
        case cancelled
        /// The source's own statement timeout (or lock timeout) stopped it.
        case timeout
        /// A data exception (SQLSTATE class 22): meshql's code for it, as `MeshError.Code`.
        case data(MeshError.Code)
        /// The table a data product reads is no longer there (the source's schema changed).
        case missingTable
        /// A column a data product reads is no longer there; its name where the source says it.
        case missingColumn(String?)
        /// The source refused the connector's account.
        case permission
        /// The source has no room now (too many connections, a database locked).
        case busy
        /// Anything else: the source's message stands for itself.
        case other
    }

    public var kind: Kind
    public var message: String
    /// The source's own code for looking the error up in its documentation
    /// ("PostgreSQL SQLSTATE 42883", "SQLite result code 1"), if it gave one.
    public var sourceCode: String?

    public init(_ kind: Kind, _ message: String, sourceCode: String? = nil) {
        self.kind = kind
        self.message = message
        self.sourceCode = sourceCode
    }

    /// The error as meshql reports it outside a query (checking a connector, discovering
    /// its tables): the source's message with its code.
    public var meshError: MeshError {
        MeshError(code, message + (sourceCode.map { " (\($0))" } ?? ""))
    }

    /// The error as a query that read `products` through connector `connector` reports it:
    /// which connector failed (a user may have several of one kind), in the user's words
    /// where meshql knows them (a column gone from a product), with nothing of the source's
    /// text after its first quote.
    public func meshError(connector: String, products: [String]) -> MeshError {
        let named = products.joined(separator: ", ")
        let drift = "the source's schema changed; REFRESH DATA PRODUCT \(products.first ?? "…") shows how"
        switch kind {
        case .missingTable:
            return MeshError(.undefinedTable, "the table of \(named) no longer exists at its source", hint: drift)
        case .missingColumn(let column?):
            return MeshError(.undefinedColumn, "column \"\(column)\" of \(named) no longer exists at its source", hint: drift)
        case .missingColumn(nil):
            return MeshError(.undefinedColumn, "a column of \(named) no longer exists at its source", hint: drift)
        case .cancelled:
            return MeshError(.cancelled, message)
        default:
            let code = sourceCode.map { " (\($0))" } ?? ""
            return MeshError(self.code, "connector \(connector): " + Self.withoutQuotedParts(message) + code)
        }
    }

    /// meshql's SQLSTATE family for the kind.
    var code: MeshError.Code {
        switch kind {
        case .connection: .connection
        case .cancelled, .timeout: .cancelled
        case .data(let code): code
        case .missingTable: .undefinedTable
        case .missingColumn: .undefinedColumn
        case .busy: .tooManyConnections
        case .permission, .other: .source
        }
    }

    /// The column a source's message names (`s0.name`, `"Name"`), without meshql's table
    /// alias (`s0`, `s1`, …) or quotes; nil when nothing is left.
    public static func columnName(_ reference: Substring) -> String? {
        var name = reference
        if let dot = name.firstIndex(of: "."), name[..<dot].allSatisfy({ $0.isLetter || $0.isNumber }) {
            name = name[name.index(after: dot)...]
        }
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = name.dropFirst().dropLast() }
        return name.isEmpty ? nil : String(name)
    }

    /// A source's message on one line, each of `secrets` (a password, one embedded in a DSN)
    /// replaced by asterisks.
    public static func oneLine(_ message: String, hiding secrets: [String]) -> String {
        var m = message
        for s in secrets where !s.isEmpty { m = m.replacingOccurrences(of: s, with: "********") }
        let lines = m.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The message up to its first quote: PostgreSQL quotes values without escaping the
    /// quotes inside them, so nothing after a quote can be trusted to be the source's words.
    public static func withoutQuotedParts(_ message: String) -> String {
        guard let q = message.firstIndex(where: { $0 == "\"" || $0 == "'" }) else { return message }
        return message[..<q].trimmingCharacters(in: .whitespaces) + " …"
    }
}
