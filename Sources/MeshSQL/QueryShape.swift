/// A statement's text with its numeric literals taken out: what a plan cache keys on, so that
/// `… WHERE aid = 17` and `… WHERE aid = 42` share one plan.
///
/// Only literals whose type does not depend on their value beyond their class are taken out:
/// integers that fit 32 bits, integers that fit 64 bits, and decimals with a fraction (by
/// scale). Strings stay in the key as written — what a string means depends on its text (a
/// LIKE pattern's wildcards, a date) — and so do exponents, huge integers and whole decimals.
/// Comments are dropped and white space between tokens becomes one space.
public struct QueryShape: Sendable, Hashable {
    /// One literal taken out.
    public struct Slot: Sendable, Hashable {
        public enum Class: Sendable, Hashable {
            case int32, int64
            case decimal(scale: Int)
        }
        public var `class`: Class
        /// The literal as written.
        public var text: String
    }

    /// The text with a marker for each slot, naming its class.
    public let key: String
    /// The text with every literal — strings too — replaced by `?`: what the audit log keeps
    /// (see `LiteralRedaction`).
    public let redacted: String
    public let slots: [Slot]
    /// The text in pieces around the slots (`pieces.count == slots.count + 1`).
    private let pieces: [String]

    /// The shape of `sql`, or nil when it does not lex.
    public init?(_ sql: String) {
        guard let tokens = try? Lexer.tokenize(sql) else { return nil }
        self.init(tokens: tokens[...], in: sql)
    }

    /// The shape of the statement made of `tokens` of `sql` (the parser's, lexed once).
    init(tokens: ArraySlice<Token>, in sql: String) {
        var key = "", piece = "", redacted = ""
        var slots: [Slot] = []
        var pieces: [String] = []
        var previousEnd: String.Index?
        for t in tokens where !t.isEnd {
            if let end = previousEnd, end < t.range.lowerBound { key += " "; piece += " "; redacted += " " }
            previousEnd = t.range.upperBound
            let text = sql[t.range]
            switch t.kind {
            case .string, .number: redacted += "?"
            default: redacted += text
            }
            if case .number(let digits) = t.kind, let c = Self.slotClass(digits) {
                key += "?"
                key += Self.marker(c)
                slots.append(Slot(class: c, text: digits))
                pieces.append(piece)
                piece = ""
            } else {
                key += text
                piece += text
            }
        }
        pieces.append(piece)
        self.key = key
        self.redacted = redacted
        self.slots = slots
        self.pieces = pieces
    }

    /// The statement with slot `i` written as `literals[i]` (comments dropped).
    public func text(with literals: [String]) -> String {
        precondition(literals.count == slots.count)
        var out = pieces[0]
        for (i, l) in literals.enumerated() { out += l + pieces[i + 1] }
        return out
    }

    static func slotClass(_ digits: String) -> Slot.Class? {
        if digits.contains(where: { $0 == "e" || $0 == "E" }) { return nil }
        if let dot = digits.firstIndex(of: ".") {
            let scale = digits.distance(from: dot, to: digits.endIndex) - 1
            return scale > 0 && scale <= 18 && dot != digits.startIndex ? .decimal(scale: scale) : nil
        }
        guard let v = Int64(digits) else { return nil }
        return Int32(exactly: v) != nil ? .int32 : .int64
    }

    static func marker(_ c: Slot.Class) -> String {
        switch c {
        case .int32: "i"
        case .int64: "l"
        case .decimal(let s): "d\(s)"
        }
    }
}
