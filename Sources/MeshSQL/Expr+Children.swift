extension Expr {
    /// The direct sub-expressions (not those inside subqueries).
    public var children: [Expr] {
        switch kind {
        case .literal, .column, .parameter, .currentTime, .exists, .subquery: []
        case .unary(_, let e), .isNull(let e, _), .isBoolean(let e, _, _), .cast(let e, _), .extract(_, let e),
             .inSubquery(let e, _, _), .quantified(_, let e, _, _):
            [e]
        case .binary(_, let a, let b), .isDistinctFrom(let a, let b, _), .position(let a, let b): [a, b]
        case .between(let e, let lo, let hi, _): [e, lo, hi]
        case .inList(let e, let list, _): [e] + list
        case .like(let e, let p, let esc, _, _): [e, p] + (esc.map { [$0] } ?? [])
        case .caseWhen(let operand, let branches, let otherwise):
            (operand.map { [$0] } ?? []) + branches.flatMap { [$0.when, $0.then] } + (otherwise.map { [$0] } ?? [])
        case .function(let f): f.arguments + (f.filter.map { [$0] } ?? [])
        case .substring(let e, let from, let count): [e] + (from.map { [$0] } ?? []) + (count.map { [$0] } ?? [])
        case .trim(let e, _, let chars): [e] + (chars.map { [$0] } ?? [])
        }
    }

    /// The constant text arguments of every call to `function` in the expression:
    /// `current_attr('region')` gives `region`.
    public func constantArguments(of function: String, arity: Int = 1, at index: Int = 0) -> [String] {
        var out: [String] = []
        if case .function(let f) = kind, f.name == function, f.arguments.count == arity,
           case .literal(.string(let s)) = f.arguments[index].kind {
            out.append(s)
        }
        for c in children { out += c.constantArguments(of: function, arity: arity, at: index) }
        return out
    }
}
