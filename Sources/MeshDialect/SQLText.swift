/// SQL for a source, kept as text with its bound values as typed slots rather than as
/// printed placeholders: the pushdown printer joins, wraps and renumbers pieces of it
/// structurally, and only the source's dialect turns it into a string, once, when the query
/// is sent (`render`). No SQL text is ever scanned for placeholders or rewritten.
///
/// Written with string interpolation: `"(\(x) AND \(y))"` joins two `SQLText`s; an
/// interpolated `String` is SQL text as it stands (an identifier already quoted, a keyword).
public struct SQLText: Sendable, Hashable, ExpressibleByStringInterpolation {
    public enum Piece: Sendable, Hashable {
        case text(String)
        /// The query's bound value `index` (0-based), written as the dialect's placeholder
        /// followed by `suffix` (`::date` in PostgreSQL's `$3::date`).
        case parameter(Int, suffix: String)
    }

    public private(set) var pieces: [Piece] = []

    public init() {}

    public init(_ text: String) {
        if !text.isEmpty { pieces = [.text(text)] }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.text
    }

    /// The slot of bound value `index` (0-based).
    public static func parameter(_ index: Int, suffix: String = "") -> SQLText {
        var t = SQLText()
        t.pieces = [.parameter(index, suffix: suffix)]
        return t
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = SQLText()
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { text.append(plain: literal) }
        public mutating func appendInterpolation(_ sql: SQLText) { text.append(sql) }
        public mutating func appendInterpolation(_ sql: String) { text.append(plain: sql) }
        public mutating func appendInterpolation<T: BinaryInteger>(_ n: T) { text.append(plain: String(n)) }
    }

    public mutating func append(_ other: SQLText) {
        for p in other.pieces { append(piece: p) }
    }

    /// Appends SQL text as it stands. (Not an `append(_:)` overload: a literal with an
    /// interpolated `SQLText` would be taken for a `String`, and its slots for text.)
    public mutating func append(plain text: String) {
        append(piece: .text(text))
    }

    private mutating func append(piece: Piece) {
        if case .text(let t) = piece {
            if t.isEmpty { return }
            if case .text(let last)? = pieces.last {
                pieces[pieces.count - 1] = .text(last + t)
                return
            }
        }
        pieces.append(piece)
    }

    public static func + (a: SQLText, b: SQLText) -> SQLText {
        var r = a
        r.append(b)
        return r
    }

    public var isEmpty: Bool { pieces.isEmpty }

    /// The bound values the text reads.
    public var parameterIndices: Set<Int> {
        var s = Set<Int>()
        for case .parameter(let i, _) in pieces { s.insert(i) }
        return s
    }

    /// The text with each slot replaced by what `replace` gives for its index and suffix;
    /// nil when `replace` gives nil for one.
    public func replacingParameters(_ replace: (Int, String) -> SQLText?) -> SQLText? {
        var out = SQLText()
        for p in pieces {
            switch p {
            case .text(let t): out.append(plain: t)
            case .parameter(let i, let suffix):
                guard let r = replace(i, suffix) else { return nil }
                out.append(r)
            }
        }
        return out
    }

    /// The text with every slot's index moved by `offset` (another block's values come first).
    public func shiftingParameters(by offset: Int) -> SQLText {
        guard offset != 0 else { return self }
        var out = self
        out.pieces = pieces.map {
            if case .parameter(let i, let suffix) = $0 { return .parameter(i + offset, suffix: suffix) }
            return $0
        }
        return out
    }

    /// The SQL string in `dialect`, and the index of the bound value each placeholder
    /// stands for, in the order they appear (what a source with positional `?` binds).
    public func render(_ dialect: any SQLDialect) -> (sql: String, order: [Int]) {
        var sql = ""
        var order: [Int] = []
        for p in pieces {
            switch p {
            case .text(let t): sql += t
            case .parameter(let i, let suffix):
                sql += dialect.parameterMarker(i + 1) + suffix
                order.append(i)
            }
        }
        return (sql, order)
    }

    /// The values to bind with the rendered SQL: as they are where the dialect numbers its
    /// placeholders, else one per placeholder in the order they appear.
    public static func boundValues<T>(_ values: [T], order: [Int], _ dialect: any SQLDialect) -> [T] {
        dialect.numbersParameters ? values : order.map { values[$0] }
    }

    /// With `$n` placeholders, for tests and debugging; sources get `render`. (Not
    /// `CustomStringConvertible`: an interpolation into a `String` would silently turn slots
    /// into text.)
    public var debugText: String {
        pieces.map {
            switch $0 {
            case .text(let t): t
            case .parameter(let i, let suffix): "$\(i + 1)" + suffix
            }
        }.joined()
    }
}

extension Array where Element == SQLText {
    public func joined(separator: String) -> SQLText {
        var out = SQLText()
        for (i, t) in enumerated() {
            if i > 0 { out.append(plain: separator) }
            out.append(t)
        }
        return out
    }
}
