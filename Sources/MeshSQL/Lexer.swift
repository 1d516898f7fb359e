/// Turns SQL text into tokens, tracking line, column (in characters) and UTF-8 offset of each.
/// Comments and whitespace are skipped; the token list always ends with `.end`.
///
/// Reads UTF-8 bytes, not `Character`s: a server lexes every statement it gets, and grapheme
/// breaking cost more than the rest of a point query's parsing. Columns count Unicode scalars
/// (a letter with a combining accent written as two scalars counts two), and `\r\n` is one
/// line break.
struct Lexer {
    private let source: String
    private let bytes: [UInt8]
    /// Byte position of the cursor, which is also its UTF-8 offset.
    private var offset = 0
    /// The cursor as a `String.Index`, kept in step with `offset` (for token ranges).
    private var index: String.Index
    private var line = 1
    private var column = 1

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
        self.index = source.startIndex
    }

    /// All tokens of `source`, ending with an `.end` token.
    static func tokenize(_ source: String) throws(SQLSyntaxError) -> [Token] {
        // PostgreSQL takes no NUL in a statement (in a string it would end the value in C).
        if source.utf8.contains(0), let nul = source.firstIndex(of: "\u{0}") {
            let before = source[..<nul]
            let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
            throw SQLSyntaxError("invalid byte sequence for encoding \"UTF8\": 0x00",
                                 at: SourceLocation(line: line, column: column, offset: before.count))
        }
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.nextToken()
            tokens.append(token)
            if token.isEnd { return tokens }
        }
    }

    // MARK: - Cursor

    private var here: SourceLocation { SourceLocation(line: line, column: column, offset: offset) }

    /// The byte `ahead` bytes past the cursor (0 at the end: the source holds no NUL).
    private func peek(_ ahead: Int = 0) -> UInt8 {
        let i = offset + ahead
        return i < bytes.count ? bytes[i] : 0
    }

    private var atEnd: Bool { offset >= bytes.count }

    /// The Unicode scalar at the cursor and its length in bytes.
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        guard i < bytes.count else { return nil }
        let b = bytes[i]
        if b < 0x80 { return (Unicode.Scalar(b), 1) }
        let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
        guard i + n <= bytes.count else { return nil }
        var v = UInt32(b) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        for k in 1..<n { v = v << 6 | (UInt32(bytes[i + k]) & 0x3F) }
        return Unicode.Scalar(v).map { ($0, n) }
    }

    /// Moves past one scalar (`\r\n` together), counting lines and columns.
    private mutating func bump() {
        guard let (s, n) = scalar(at: offset) else { advance(max(1, bytes.count - offset)); return }
        if s == "\r" && peek(1) == UInt8(ascii: "\n") {
            advance(2)
        } else {
            advance(n)
        }
        if Self.isNewline(s) {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private mutating func advance(_ n: Int) {
        offset += n
        index = source.utf8.index(index, offsetBy: n)
    }

    /// The source's text from byte `start` to the cursor.
    private func text(from start: Int) -> String {
        String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private static func isNewline(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }

    private func isWordStart(at i: Int) -> Bool {
        let b = i < bytes.count ? bytes[i] : 0
        if b < 0x80 { return Self.isASCIILetter(b) || b == UInt8(ascii: "_") }
        return scalar(at: i).map { Character($0.0).isLetter } ?? false
    }

    private func isWordPart(at i: Int) -> Bool {
        let b = i < bytes.count ? bytes[i] : 0
        if b < 0x80 { return Self.isASCIILetter(b) || Self.isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$") }
        guard let (s, _) = scalar(at: i) else { return false }
        // Combining marks and joiners belong to the letter before them (`e` + U+0301 is one
        // `é`, as a Character-based reading saw it).
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return s.value == 0x200C || s.value == 0x200D || Character(s).isLetter
        }
    }

    private func isWhitespace(at i: Int) -> Bool {
        let b = i < bytes.count ? bytes[i] : 0
        if b < 0x80 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        return scalar(at: i).map { $0.0.properties.isWhitespace } ?? false
    }

    // MARK: - Tokens

    private mutating func nextToken() throws(SQLSyntaxError) -> Token {
        try skipTrivia()
        let start = here
        let startIndex = index
        let startOffset = offset
        guard !atEnd else {
            return Token(kind: .end, location: start, range: index..<index, endOffset: offset)
        }
        let c = peek()
        let kind: TokenKind
        if (c | 0x20) == UInt8(ascii: "e"), peek(1) == UInt8(ascii: "'") {
            bump()
            kind = .string(try lexEscapeString(start: start))
        } else if isWordStart(at: offset) {
            kind = lexWord()
        } else if Self.isDigit(c) || (c == UInt8(ascii: ".") && Self.isDigit(peek(1))) {
            kind = try lexNumber(start: start, startOffset: startOffset)
        } else if c == UInt8(ascii: "'") {
            kind = .string(try lexQuoted(quote: c, start: start, what: "unterminated quoted string"))
        } else if c == UInt8(ascii: "\"") {
            let name = try lexQuoted(quote: c, start: start, what: "unterminated quoted identifier")
            if name.isEmpty {
                throw SQLSyntaxError("zero-length delimited identifier at or near \"\"\"\"", at: start)
            }
            kind = .quotedIdentifier(name)
        } else if c == UInt8(ascii: "$") {
            kind = try lexParameter(start: start, startOffset: startOffset)
        } else {
            kind = try lexSymbol(start: start)
        }
        return Token(kind: kind, location: start, range: startIndex..<index, endOffset: offset)
    }

    private mutating func skipTrivia() throws(SQLSyntaxError) {
        while !atEnd {
            let c = peek()
            if isWhitespace(at: offset) {
                bump()
            } else if c == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                while !atEnd, !(scalar(at: offset).map { Self.isNewline($0.0) } ?? false) { bump() }
            } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let start = here
                bump(); bump()
                var depth = 1
                while depth > 0 {
                    guard !atEnd else { throw SQLSyntaxError("unterminated /* comment", at: start) }
                    let d = peek()
                    if d == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                        bump(); bump(); depth += 1
                    } else if d == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        bump(); bump(); depth -= 1
                    } else {
                        bump()
                    }
                }
            } else {
                return
            }
        }
    }

    private mutating func lexWord() -> TokenKind {
        let start = offset
        var ascii = true
        while isWordPart(at: offset) {
            if peek() >= 0x80 { ascii = false }
            bump()
        }
        if ascii {
            // ASCII folds byte by byte: no String.lowercased() (which handles all of Unicode).
            return .word(String(decoding: bytes[start..<offset].lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self))
        }
        return .word(text(from: start).lowercased())
    }

    private mutating func lexNumber(start: SourceLocation, startOffset: Int) throws(SQLSyntaxError) -> TokenKind {
        while Self.isDigit(peek()) { bump() }
        if peek() == UInt8(ascii: ".") && peek(1) != UInt8(ascii: ".") {
            bump()
            while Self.isDigit(peek()) { bump() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let signed = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
            if Self.isDigit(peek(signed ? 2 : 1)) {
                bump()
                if signed { bump() }
                while Self.isDigit(peek()) { bump() }
            }
        }
        let number = text(from: startOffset)
        if isWordPart(at: offset) {
            while isWordPart(at: offset) { bump() }
            throw SQLSyntaxError("trailing junk after numeric literal at or near \"\(text(from: startOffset))\"", at: start)
        }
        return .number(number)
    }

    /// A `'string'` or `"identifier"`: the doubled quote is the escape.
    private mutating func lexQuoted(quote: UInt8, start: SourceLocation, what: String) throws(SQLSyntaxError) -> String {
        bump()
        var text: [UInt8] = []
        while true {
            guard !atEnd else { throw SQLSyntaxError(what, at: start) }
            let c = peek()
            if c == quote {
                if peek(1) == quote {
                    text.append(quote)
                    bump(); bump()
                    continue
                }
                bump()
                return String(decoding: text, as: UTF8.self)
            }
            let from = offset
            bump()
            text.append(contentsOf: bytes[from..<offset])
        }
    }

    /// The body of an `E'…'` string: C-style backslash escapes (`\n`, `\t`, `\\`, `\'`, octal
    /// `\ooo`, hex `\xhh`), as PostgreSQL reads them.
    private mutating func lexEscapeString(start: SourceLocation) throws(SQLSyntaxError) -> String {
        bump()
        var text: [UInt8] = []
        while true {
            guard !atEnd else { throw SQLSyntaxError("unterminated quoted string", at: start) }
            let c = peek()
            if c == UInt8(ascii: "'") {
                if peek(1) == UInt8(ascii: "'") {
                    text.append(c)
                    bump(); bump()
                    continue
                }
                bump()
                guard let s = String(validating: text, as: UTF8.self) else {
                    throw SQLSyntaxError("invalid byte sequence for encoding \"UTF8\"", at: start)
                }
                return s
            }
            if c == UInt8(ascii: "\\"), !atEnd {
                bump()
                guard !atEnd else { throw SQLSyntaxError("unterminated quoted string", at: start) }
                let e = peek()
                switch e {
                case UInt8(ascii: "n"): text.append(0x0A); bump()
                case UInt8(ascii: "t"): text.append(0x09); bump()
                case UInt8(ascii: "r"): text.append(0x0D); bump()
                case UInt8(ascii: "b"): text.append(0x08); bump()
                case UInt8(ascii: "f"): text.append(0x0C); bump()
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = 0
                    for _ in 0..<3 where peek() >= UInt8(ascii: "0") && peek() <= UInt8(ascii: "7") {
                        v = v * 8 + Int(peek() - UInt8(ascii: "0"))
                        bump()
                    }
                    text.append(UInt8(truncatingIfNeeded: v))
                case UInt8(ascii: "x"):
                    bump()
                    var v = 0, n = 0
                    while n < 2, let d = Int(String(UnicodeScalar(peek())), radix: 16) {
                        v = v * 16 + d
                        n += 1
                        bump()
                    }
                    text.append(UInt8(truncatingIfNeeded: v))
                default:
                    let from = offset
                    bump()
                    text.append(contentsOf: bytes[from..<offset])
                }
                if text.last == 0 { throw SQLSyntaxError("invalid byte sequence for encoding \"UTF8\": 0x00", at: start) }
                continue
            }
            let from = offset
            bump()
            text.append(contentsOf: bytes[from..<offset])
        }
    }

    private mutating func lexParameter(start: SourceLocation, startOffset: Int) throws(SQLSyntaxError) -> TokenKind {
        bump()
        let digitsStart = offset
        while Self.isDigit(peek()) { bump() }
        let digits = text(from: digitsStart)
        while isWordPart(at: offset) { bump() }
        let text = text(from: startOffset)
        guard !digits.isEmpty, text.count == digits.count + 1 else {
            throw SQLSyntaxError("syntax error at or near \"\(text)\"", at: start)
        }
        guard let n = Int(digits), n >= 1, n <= 65_535 else {
            throw SQLSyntaxError("there is no parameter \(text)", at: start)
        }
        return .parameter(n)
    }

    private static let twoCharacterSymbols: Set<String> = ["<>", "<=", ">=", "!=", "||", "::", "!~", "~*"]
    private static let oneCharacterSymbols: Set<UInt8> = Set("+-*/%=<>(),.;~[]&|".utf8)

    private mutating func lexSymbol(start: SourceLocation) throws(SQLSyntaxError) -> TokenKind {
        let c = peek(), d = peek(1)
        // PostgreSQL's regular-expression operators: `~`, `~*`, `!~`, `!~*`.
        if c == UInt8(ascii: "!"), d == UInt8(ascii: "~"), peek(2) == UInt8(ascii: "*") {
            bump(); bump(); bump()
            return .symbol("!~*")
        }
        if c < 0x80, d < 0x80, d != 0 {
            let pair = String(decoding: [c, d], as: UTF8.self)
            if Self.twoCharacterSymbols.contains(pair) {
                bump(); bump()
                return .symbol(pair == "!=" ? "<>" : pair)
            }
        }
        guard Self.oneCharacterSymbols.contains(c) else {
            let character = source[index...].first.map(String.init) ?? ""
            throw SQLSyntaxError("syntax error at or near \"\(character)\"", at: start)
        }
        bump()
        return .symbol(String(decoding: [c], as: UTF8.self))
    }
}
