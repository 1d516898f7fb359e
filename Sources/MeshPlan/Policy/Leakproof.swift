import MeshCore

extension BoundExpr {
    /// Whether evaluating this expression on a row can reveal nothing about the row except
    /// through its result: it never raises an error and has no side effect. Only such
    /// conditions may run before a product's policy filter (below a `PolicyGuard`, or in the
    /// same WHERE at a source, which evaluates conjuncts in any order). Conservative: what is
    /// not known to be safe is not.
    public var isLeakproof: Bool {
        switch kind {
        case .column, .slot, .literal:
            return true
        case .not(let e), .isNull(let e, _):
            return e.isLeakproof
        case .comparison(_, let a, let b), .and(let a, let b), .or(let a, let b), .concat(let a, let b),
             .isDistinctFrom(let a, let b, _):
            return a.isLeakproof && b.isLeakproof
        case .inList(let e, let list, _):
            return e.isLeakproof && list.allSatisfy(\.isLeakproof)
        case .like(let e, let pattern, let escape, _, _):
            // A pattern read from a row could be malformed and raise an error for that row;
            // PostgreSQL also refuses a constant one that ends in its escape character, an
            // error that depends on the rows only through when it is raised. Patterns without
            // an escape character in them raise nothing.
            guard case .literal(.string(let p)) = pattern.kind else { return false }
            if let escape, p.contains(escape) { return false }
            return e.isLeakproof
        case .caseWhen(let whens, let otherwise):
            return whens.allSatisfy { $0.condition.isLeakproof && $0.result.isLeakproof } && (otherwise?.isLeakproof ?? true)
        case .cast(let e):
            return e.isLeakproof && Self.castCannotFail(from: e.type, to: type)
        case .function(let name, let args):
            return Self.leakproofFunctions.contains(name) && args.allSatisfy(\.isLeakproof)
        case .negate, .arithmetic:
            // Overflow and division by zero raise errors that depend on the row's values.
            return false
        case .aggregate, .subquery, .window:
            return false
        }
    }

    /// Functions that cannot fail on any input of their types.
    static let leakproofFunctions: Set<String> = [
        "lower", "upper", "length", "char_length", "coalesce", "nullif", "greatest", "least",
        "btrim", "ltrim", "rtrim", "starts_with", "position", "strpos", "concat", "left", "right",
    ]

    /// Casts that succeed for every value of the source type: widening numbers, anything to
    /// text or double, dates to timestamps.
    static func castCannotFail(from source: DataType, to target: DataType) -> Bool {
        if source == target || source == .unknown { return true }
        switch (source, target) {
        case (_, .text): return true
        case (.smallint, .integer), (.smallint, .bigint), (.integer, .bigint): return true
        case (let s, .double) where s.isNumeric: return true
        case (.smallint, .decimal(let p, let sc)): return p - sc >= 5
        case (.integer, .decimal(let p, let sc)): return p - sc >= 10
        case (.bigint, .decimal(let p, let sc)): return p - sc >= 19
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)): return p2 - s2 >= p1 - s1 && s2 >= s1
        case (.date, .timestamp), (.date, .timestamptz), (.timestamp, .timestamptz), (.timestamptz, .timestamp): return true
        default: return false
        }
    }
}
