/// Joins `items` with an associative operator: left-deep, as written, for up to
/// `Parser.leftDeepChainLimit` items; balanced beyond, so a chain of thousands (the AND/OR
/// lists BI tools generate) is only as deep as its length's logarithm and no later stage
/// recurses deep. Nil for no items. The parser, the planner's conjunctions and the SQL sent to
/// sources all build their chains with it.
public func associativeChain<T>(_ items: [T], _ combine: (T, T) -> T) -> T? {
    guard let first = items.first else { return nil }
    guard items.count > Parser.leftDeepChainLimit else { return items.dropFirst().reduce(first, combine) }
    func balanced(_ part: ArraySlice<T>) -> T {
        if part.count == 1 { return part.first! }
        let mid = part.startIndex + part.count / 2
        return combine(balanced(part[..<mid]), balanced(part[mid...]))
    }
    return balanced(items[...])
}
