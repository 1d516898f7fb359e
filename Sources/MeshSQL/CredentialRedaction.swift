import Foundation

/// Masks credentials in SQL text that is shown back (error excerpts, echoed statements):
/// the string after `password`, a `password=…` inside a DSN, the secret of `user:secret@` in a
/// URI. Each masked character becomes `*`, so the text keeps its length and a caret drawn under
/// a position still points at the same place.
public enum CredentialRedaction {
    private static let patterns: [NSRegularExpression] = [
        // password 'secret'   (a connector option)
        #"password\s+'((?:[^']|'')*)'"#,
        // password=secret or password='secret' (libpq key/value DSN)
        #"password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']+)"#,
        // scheme://user:secret@host
        #"://[^:/@\s']+:([^@/\s']*)@"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    public static func redact(_ text: String) -> String {
        let ns = NSMutableString(string: text)
        for pattern in patterns {
            for match in pattern.matches(in: ns as String, range: NSRange(location: 0, length: ns.length)) {
                let secret = match.range(at: 1)
                guard secret.location != NSNotFound, secret.length > 0 else { continue }
                ns.replaceCharacters(in: secret, with: String(repeating: "*", count: secret.length))
            }
        }
        return ns as String
    }
}
