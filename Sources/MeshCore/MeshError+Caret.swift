import MeshSQL

extension MeshError {
    /// The error as psql prints it: one line `ERROR:  message at line:column`, then the offending
    /// line of the statement with a caret under the column.
    /// Credentials in the statement or the message are masked (`CredentialRedaction`).
    public func rendered(statement: String?) -> String {
        let statement = statement.map(CredentialRedaction.redact)
        var out = "ERROR:  \(CredentialRedaction.redact(message))"
        guard let location else {
            if let hint { out += "\nHINT:  \(hint)" }
            return out
        }
        out += " at \(location.line):\(location.column)"
        if let statement {
            let lines = statement.split(separator: "\n", omittingEmptySubsequences: false)
            if location.line >= 1, location.line <= lines.count {
                let text = String(lines[location.line - 1]).replacingTabs()
                let prefix = "LINE \(location.line): "
                out += "\n\(prefix)\(text)"
                let pad = max(0, location.column - 1)
                out += "\n" + String(repeating: " ", count: prefix.count + pad) + "^"
            }
        }
        if let hint { out += "\nHINT:  \(hint)" }
        return out
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}
