/// A compiled LIKE / ILIKE pattern: `%` any run, `_` one character, `escape` makes the next
/// character literal.
struct LikePattern: Sendable {
    enum Piece: Sendable, Equatable { case literal(Unicode.Scalar), one, any }
    let pieces: [Piece]
    let caseInsensitive: Bool

    init(_ pattern: String, escape: Character?, caseInsensitive: Bool) {
        self.caseInsensitive = caseInsensitive
        let source = caseInsensitive ? ASCIICase.lower(pattern) : pattern
        var out: [Piece] = []
        var escaping = false
        let esc = escape?.unicodeScalars.first
        for u in source.unicodeScalars {
            if escaping { out.append(.literal(u)); escaping = false; continue }
            if let esc, u == esc { escaping = true; continue }
            switch u {
            case "%": if out.last != .any { out.append(.any) }
            case "_": out.append(.one)
            default: out.append(.literal(u))
            }
        }
        pieces = out
    }

    func matches(_ text: String) -> Bool {
        let s = Array((caseInsensitive ? ASCIICase.lower(text) : text).unicodeScalars)
        // Iterative wildcard matching with backtracking to the last `%`.
        var p = 0, i = 0
        var starP = -1, starI = 0
        while i < s.count {
            if p < pieces.count {
                switch pieces[p] {
                case .literal(let u) where u == s[i]: p += 1; i += 1; continue
                case .one: p += 1; i += 1; continue
                case .any: starP = p; starI = i; p += 1; continue
                default: break
                }
            }
            if starP >= 0 { p = starP + 1; starI += 1; i = starI; continue }
            return false
        }
        while p < pieces.count, pieces[p] == .any { p += 1 }
        return p == pieces.count
    }
}
