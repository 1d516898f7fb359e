import Foundation

/// A statement PostgreSQL clients send about the session rather than the data, which a
/// read-only engine answers itself: transaction blocks (no-ops whose status is kept right) and
/// the settings drivers set as they connect. Anything else goes to meshql's parser.
enum PGSessionCommand: Equatable {
    case begin
    case commit
    case rollback
    case set(name: String, value: String)
    case reset(name: String)
    case show(name: String)
    case discardAll
    case deallocate
    /// `SAVEPOINT name`, `RELEASE [SAVEPOINT] name`, `ROLLBACK TO [SAVEPOINT] name`: markers
    /// in a transaction block that changes nothing (SQLAlchemy sets one as it connects).
    case savepoint(String)
    case release(String)
    case rollbackTo(String)

    /// The settings a client may set and read back here (lower-case).
    static let settings: Set<String> = [
        "application_name", "client_encoding", "datestyle", "extra_float_digits", "intervalstyle", "search_path",
        "statement_timeout", "timezone", "client_min_messages", "standard_conforming_strings", "bytea_output",
        "lock_timeout", "idle_in_transaction_session_timeout", "default_transaction_isolation", "transaction_isolation",
        "default_transaction_read_only", "transaction_read_only", "server_version", "server_encoding", "integer_datetimes",
        "is_superuser", "session_authorization", "jit", "max_identifier_length",
    ]

    /// The command `sql` is, when the whole text is one of them.
    static func recognize(_ sql: String) -> PGSessionCommand? {
        var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
        guard let first = words.first?.lowercased() else { return nil }
        let rest = Array(words.dropFirst())
        switch first {
        case "begin", "start":
            // BEGIN [WORK | TRANSACTION] [modes], START TRANSACTION [modes]
            if first == "start", rest.first?.lowercased() != "transaction" { return nil }
            return .begin
        case "commit", "end": return .commit
        case "rollback", "abort":
            if let to = rest.firstIndex(where: { $0.lowercased() == "to" }) {
                let name = rest[(to + 1)...].filter { $0.lowercased() != "savepoint" }
                return name.count == 1 ? .rollbackTo(unquoted(name[0])) : nil
            }
            return .rollback
        case "savepoint" where rest.count == 1:
            return .savepoint(unquoted(rest[0]))
        case "release":
            let name = rest.filter { $0.lowercased() != "savepoint" }
            return name.count == 1 ? .release(unquoted(name[0])) : nil
        case "discard" where rest.map { $0.lowercased() } == ["all"]: return .discardAll
        case "deallocate": return .deallocate
        case "show":
            var name = rest.joined(separator: " ").lowercased()
            name = ["transaction isolation level": "transaction_isolation", "time zone": "timezone",
                    "session authorization": "session_authorization"][name] ?? name
            return settings.contains(name) || name == "all" ? .show(name: name) : nil
        case "reset":
            let name = rest.joined(separator: " ").lowercased()
            return settings.contains(name) || name == "all" ? .reset(name: name) : nil
        case "set":
            return set(rest)
        default:
            return nil
        }
    }

    /// `SET [SESSION | LOCAL] name { = | TO } value`, `SET TIME ZONE value`,
    /// `SET SESSION CHARACTERISTICS AS TRANSACTION …`, `SET TRANSACTION …` (both kept as
    /// they are: the engine only reads).
    static func set(_ words: [String]) -> PGSessionCommand? {
        var w = words
        if let f = w.first?.lowercased(), f == "session" || f == "local" { w.removeFirst() }
        guard let first = w.first?.lowercased() else { return nil }
        if first == "transaction" || first == "characteristics" { return .set(name: "transaction", value: "") }
        if first == "time", w.count >= 3, w[1].lowercased() == "zone" {
            return .set(name: "timezone", value: unquoted(w.dropFirst(2).joined(separator: " ")))
        }
        // `name=value` with no blanks is one word.
        var name = first, valueWords = Array(w.dropFirst())
        if let eq = first.firstIndex(of: "=") {
            name = String(first[..<eq])
            let after = String(w[0][w[0].index(after: w[0].firstIndex(of: "=")!)...])
            valueWords = (after.isEmpty ? [] : [after]) + valueWords
        } else if let op = valueWords.first?.lowercased(), op == "=" || op == "to" {
            valueWords.removeFirst()
        } else if let op = valueWords.first, op.hasPrefix("=") {
            valueWords[0] = String(op.dropFirst())
        } else {
            return nil
        }
        guard settings.contains(name) else { return nil }
        return .set(name: name, value: unquoted(valueWords.joined(separator: " ")))
    }

    static func unquoted(_ s: String) -> String {
        if s.count >= 2, s.hasPrefix("'"), s.hasSuffix("'") {
            return String(s.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        return s
    }
}
