import Foundation

/// Which lines the REPL keeps in its history file. A line that may carry a credential (a
/// connector's `password '…'`, a DSN with `password=` or `user:secret@`, the key of
/// `MESHQL_SECRET_KEY`) is never written there: the history is a plain file that outlives the
/// session, and secrets belong only in the catalog, sealed.
public enum HistoryPolicy {
    public static func mayRemember(_ line: String) -> Bool {
        let lower = line.lowercased()
        if lower.contains("password") || lower.contains("secret") { return false }
        // scheme://user:secret@host
        if lower.range(of: #"://[^:/@\s]+:[^@/\s]*@"#, options: .regularExpression) != nil { return false }
        return true
    }
}
