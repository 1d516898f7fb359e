import Foundation

/// Masks credentials in SQL text that is shown back (error excerpts, echoed statements):
/// the string after `password`, a `password=…` inside a DSN, the secret of `user:secret@` in a
/// URI. Each masked character becomes `*`, so the text keeps its length and a caret drawn under
/// a position still points at the same place.
public enum CredentialRedaction {
    private static let patterns: [NSRegularExpression] = [
        // password 'secret' (a connector option; the key may be quoted, the value a string,
        // a quoted name or a bare word, its closing quote missing in a broken statement)
        #"(?<![=\w])"?password"?\s+('(?:[^']|'')*(?:'|$)|"[^"]*(?:"|$)|[^\s,)]+)"#,
        // password=secret in a libpq DSN, its value quoted ('…', doubled inside SQL text) or not
        #"password\s*=\s*(''(?:[^']|'''')*(?:''|$)|'(?:[^'\\]|\\.)*(?:'|$)|[^\s']+)"#,
        // scheme://user:secret@host (the user may be empty)
        #"://[^:/@\s']*:([^@/\s']*)@"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive, .anchorsMatchLines]) }

    public static func redact(_ text: String) -> String {
        let ns = NSMutableString(string: text)
        for pattern in patterns {
            for match in pattern.matches(in: ns as String, range: NSRange(location: 0, length: ns.length)) {
                var secret = match.range(at: 1)
                guard secret.location != NSNotFound, secret.length > 0 else { continue }
                // Quotes around the value stay, so the statement keeps its shape.
                let value = ns.substring(with: secret)
                for quote in ["''", "'", "\""] where value.hasPrefix(quote) {
                    let q = (quote as NSString).length
                    let closed = value.count >= 2 * quote.count && value.hasSuffix(quote)
                    secret = NSRange(location: secret.location + q, length: max(0, secret.length - q - (closed ? q : 0)))
                    break
                }
                ns.replaceCharacters(in: secret, with: String(repeating: "*", count: secret.length))
            }
        }
        return ns as String
    }
}
