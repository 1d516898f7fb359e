import MeshCore

/// `COPY (query) TO STDOUT [WITH] (FORMAT text | csv | binary, HEADER, DELIMITER 'c', NULL 's')`
/// and `COPY mesh.product [(columns)] TO STDOUT …`, as psql's `\copy … to stdout` and bulk
/// readers send them: the query's rows in COPY's text, CSV or binary form. COPY … FROM is
/// refused (meshql only reads).
struct PGCopyCommand: Equatable {
    enum Format: Equatable { case text, csv, binary }

    /// The query whose rows are copied.
    var query: String
    /// Where `query` starts in the command (UTF-8 offset), for errors' positions; nil when the
    /// query was made from a table name.
    var queryOffset: Int?
    var format = Format.text
    var header = false
    var delimiter: String?
    var null: String?

    /// The command `sql` is, nil when it is not a COPY; a COPY this cannot take is an error.
    static func recognize(_ sql: String) throws -> PGCopyCommand? {
        var s = Scanner(Array(sql.unicodeScalars))
        guard s.word()?.lowercased() == "copy" else { return nil }
        var command: PGCopyCommand
        if s.peek("(") {
            guard let inner = s.parenthesized() else { throw syntax("the query in parentheses does not end") }
            command = PGCopyCommand(query: inner, queryOffset: String(String.UnicodeScalarView(s.chars[..<s.openedAt])).utf8.count + 1)
        } else {
            guard let table = s.qualifiedName() else { throw syntax("a table or (query) must follow COPY") }
            var columns = "*"
            if s.peek("(") {
                guard let list = s.parenthesized() else { throw syntax("the column list does not end") }
                columns = list
            }
            command = PGCopyCommand(query: "SELECT \(columns) FROM \(table)")
        }
        switch s.word()?.lowercased() {
        case "to": break
        case "from": throw MeshError(.notSupported, "COPY FROM is not supported: meshql only reads")
        default: throw syntax("TO STDOUT must follow the query")
        }
        guard s.word()?.lowercased() == "stdout" else {
            throw MeshError(.notSupported, "COPY writes only TO STDOUT here (psql's \\copy … to a file does that)")
        }
        if s.word(ifLowercased: "with") == nil, s.atEnd { return command }
        if s.peek("(") {
            guard let list = s.parenthesized() else { throw syntax("the option list does not end") }
            for option in list.split(separator: ",") {
                let words = option.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let name = words.first?.lowercased() else { continue }
                try command.apply(name, words.dropFirst().joined(separator: " "))
            }
        } else {
            // The older form: `CSV HEADER`, `BINARY`, `DELIMITER ','`, `NULL ''`.
            while let w = s.word()?.lowercased() {
                switch w {
                case "csv": command.format = .csv
                case "binary": command.format = .binary
                case "header": command.header = true
                case "delimiter", "null":
                    _ = s.word(ifLowercased: "as")
                    guard let value = s.quoted() else { throw syntax("\(w.uppercased()) takes a quoted string") }
                    try command.apply(w, "'" + value.replacingOccurrences(of: "'", with: "''") + "'")
                default: throw syntax("unknown COPY option \(w.uppercased())")
                }
            }
        }
        guard s.atEnd else { throw syntax("unexpected text after the COPY options") }
        if command.format == .binary, command.header || command.delimiter != nil || command.null != nil {
            throw MeshError(.syntax, "HEADER, DELIMITER and NULL are not for the binary format")
        }
        return command
    }

    private mutating func apply(_ name: String, _ raw: String) throws {
        func text() throws -> String {
            guard raw.hasPrefix("'"), raw.hasSuffix("'"), raw.count >= 2 else { throw Self.syntax("\(name.uppercased()) takes a quoted string") }
            return String(raw.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        switch name {
        case "format":
            switch raw.lowercased() {
            case "text": format = .text
            case "csv": format = .csv
            case "binary": format = .binary
            default: throw MeshError(.invalidParameter, "COPY format \"\(raw)\" not recognized")
            }
        case "header": header = !["false", "off", "0"].contains(raw.lowercased())
        case "delimiter":
            let d = try text()
            guard d.utf8.count == 1, d != "\n", d != "\r", d != "\\" else {
                throw MeshError(.invalidParameter, "COPY delimiter must be a single one-byte character")
            }
            delimiter = d
        case "null": null = try text()
        default: throw MeshError(.syntax, "option \"\(name)\" not recognized")
        }
    }

    static func syntax(_ message: String) -> MeshError { MeshError(.syntax, "COPY: \(message)") }

    /// A cursor over the command's text: words, quoted strings and balanced parentheses.
    private struct Scanner {
        let chars: [Unicode.Scalar]
        var i = 0
        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        mutating func skipSpace() {
            while i < chars.count, chars[i].properties.isWhitespace || chars[i] == ";" { i += 1 }
        }
        var atEnd: Bool {
            mutating get { skipSpace(); return i >= chars.count }
        }
        mutating func peek(_ c: Unicode.Scalar) -> Bool {
            skipSpace()
            return i < chars.count && chars[i] == c
        }
        mutating func word() -> String? {
            skipSpace()
            var out = String.UnicodeScalarView()
            while i < chars.count, chars[i].properties.isAlphabetic || chars[i] == "_" || ("0"..."9").contains(chars[i]) {
                out.append(chars[i])
                i += 1
            }
            return out.isEmpty ? nil : String(out)
        }
        mutating func word(ifLowercased w: String) -> String? {
            let start = i
            if let got = word(), got.lowercased() == w { return got }
            i = start
            return nil
        }
        /// `a.b` with either part quoted, as written.
        mutating func qualifiedName() -> String? {
            skipSpace()
            let start = i
            while i < chars.count, !chars[i].properties.isWhitespace, chars[i] != "(", chars[i] != ";" {
                if chars[i] == "\"" {
                    i += 1
                    while i < chars.count, chars[i] != "\"" { i += 1 }
                }
                i += 1
            }
            return i > start ? String(String.UnicodeScalarView(chars[start..<min(i, chars.count)])) : nil
        }
        mutating func quoted() -> String? {
            skipSpace()
            guard i < chars.count, chars[i] == "'" else { return nil }
            i += 1
            var out = String.UnicodeScalarView()
            while i < chars.count {
                if chars[i] == "'" {
                    if i + 1 < chars.count, chars[i + 1] == "'" { out.append("'"); i += 2; continue }
                    i += 1
                    return String(out)
                }
                out.append(chars[i])
                i += 1
            }
            return nil
        }
        /// Where the last `parenthesized` text opened.
        var openedAt = 0

        /// The text inside the parentheses at the cursor (quotes and comments respected).
        mutating func parenthesized() -> String? {
            skipSpace()
            guard i < chars.count, chars[i] == "(" else { return nil }
            openedAt = i
            let start = i + 1
            var depth = 0
            while i < chars.count {
                let c = chars[i]
                if c == "'" || c == "\"" {
                    i += 1
                    while i < chars.count, chars[i] != c { i += 1 }
                } else if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                    while i < chars.count, chars[i] != "\n" { i += 1 }
                } else if c == "(" {
                    depth += 1
                } else if c == ")" {
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return String(String.UnicodeScalarView(chars[start..<(i - 1)]))
                    }
                }
                i += 1
            }
            return nil
        }
    }
}
