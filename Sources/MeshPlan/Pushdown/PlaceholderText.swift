/// Placeholders (`$n` or `?n`) in SQL that is already printed.
enum PlaceholderText {
    /// The character a dialect's placeholders start with, if it numbers them.
    static func marker(_ d: any SQLDialect) -> Character? {
        guard let m = d.placeholder(index: 1, type: .bigint).first, m == "$" || m == "?" else { return nil }
        return m
    }

    /// `sql` with numbered placeholders replaced. `replace` gets the number and the text after
    /// it, and returns the replacement and how many characters of that text it replaces too
    /// (nil: leave the placeholder). Placeholders never stand inside a string literal or a
    /// quoted identifier (which may hold a quote or a marker character of its own), so those
    /// are passed over.
    static func map(_ sql: String, marker: Character,
                    _ replace: (Int, Substring) -> (text: String, consumed: Int)?) -> String {
        var out = ""
        var i = sql.startIndex
        var inString = false, inIdentifier = false
        while i < sql.endIndex {
            let ch = sql[i]
            if ch == "'", !inIdentifier { inString.toggle() }
            if ch == "\"", !inString { inIdentifier.toggle() }
            if !inString, !inIdentifier, ch == marker {
                var j = sql.index(after: i)
                var digits = ""
                while j < sql.endIndex, sql[j].isNumber { digits.append(sql[j]); j = sql.index(after: j) }
                if let n = Int(digits), let r = replace(n, sql[j...]) {
                    out += r.text
                    i = sql.index(j, offsetBy: r.consumed)
                    continue
                }
            }
            out.append(ch)
            i = sql.index(after: i)
        }
        return out
    }
}
