import MeshCore

/// Normalises the expressions of every node:
/// - constant folding: a deterministic expression over literals only is evaluated once, at
///   plan time, by the executor's own kernels (`evaluate`), so `CAST((1 + 10) AS numeric)`
///   becomes `11` and the same value is sent to a source as a parameter. An expression whose
///   evaluation fails (division by zero, overflow) is left alone: it raises at run time, and
///   only if a row reaches it, as in PostgreSQL;
/// - `TRUE AND x` → `x`, `FALSE AND x` → `FALSE`, `FALSE OR x` → `x`, `TRUE OR x` → `TRUE`,
///   a filter on a literal TRUE disappears;
/// - conjuncts common to every branch of an OR are lifted out of it:
///   `(a AND b) OR (a AND c)` → `a AND (b OR c)`. That turns TPC-H q19's three branches,
///   each with `p_partkey = l_partkey`, into an equi-join.
public struct ExpressionSimplification: OptimizerRule {
    public let name = "simplify_expressions"
    /// Evaluates a constant expression; nil when it cannot (then it stays as it is).
    public typealias Evaluator = @Sendable (BoundExpr) -> Value?
    let evaluate: Evaluator?

    public init(evaluate: Evaluator? = nil) {
        self.evaluate = evaluate
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { plan in
            plan.mappingExpressions(simplify).transformUp { node in
                // A condition that folded to TRUE goes.
                switch node {
                case .filter(let c, let p):
                    if case .literal(.bool(true)) = p.kind { return c }
                case .join(let l, let r, let k, let cond?):
                    if case .literal(.bool(true)) = cond.kind { return .join(l, r, k == .inner ? .cross : k, nil) }
                default: break
                }
                return node
            }
        }
    }

    public func simplify(_ e: BoundExpr) -> BoundExpr {
        e.rewritten { node in
            switch node.kind {
            case .and(let a, let b):
                if case .literal(.bool(true)) = a.kind { return b }
                if case .literal(.bool(true)) = b.kind { return a }
                // FALSE whatever the other side is (NULL AND FALSE too). Left as it was, SQLite
                // folds `x AND 0` into the integer 0 while parsing, which as an ORDER BY or
                // GROUP BY term is a column position.
                if case .literal(.bool(false)) = a.kind { return a }
                if case .literal(.bool(false)) = b.kind { return b }
                return fold(node)
            case .or:
                return factorOr(node)
            default:
                return fold(node)
            }
        }
    }

    /// A node whose children are all literals, evaluated now.
    func fold(_ e: BoundExpr) -> BoundExpr {
        guard let evaluate, Self.isFoldable(e) else { return e }
        guard let v = evaluate(e) else { return e }
        // A huge constant (`rpad('x', 5000000, 'y')`) stays an expression: as a literal it
        // would be shipped to a source as a parameter and sent back once per row, in batches
        // the size of its rows; computed here, a projection takes it a slice at a time.
        switch v {
        case .string(let s) where s.utf8.count > Self.maxFoldedBytes: return e
        case .bytes(let b) where b.count > Self.maxFoldedBytes: return e
        default: return BoundExpr(.literal(v), type: e.type, at: e.location)
        }
    }

    /// The largest text or binary constant folding makes.
    static let maxFoldedBytes = 64 << 10

    static func isFoldable(_ e: BoundExpr) -> Bool {
        switch e.kind {
        case .literal, .column, .slot, .aggregate, .subquery: return false
        case .function(let name, _) where ScalarFunctions.isVolatile(name): return false
        default: break
        }
        return !e.children.isEmpty && e.children.allSatisfy { if case .literal = $0.kind { return true }; return false }
    }

    /// `(a AND b) OR (a AND c)` → `a AND (b OR c)`; a branch left with nothing makes the OR
    /// true, leaving just the common part.
    func factorOr(_ e: BoundExpr) -> BoundExpr {
        // `x OR FALSE` is x (a policy's `… OR has_role('steward')` for anyone else).
        let all = e.disjuncts
        let kept = all.filter { $0.kind != .literal(.bool(false)) }
        if kept.count < all.count, !kept.isEmpty { return factorOr(BoundExpr.disjunction(kept)!) }
        let branches = e.disjuncts.map(\.conjuncts)
        guard branches.count > 1 else { return fold(e) }
        if branches.contains(where: { $0.count == 1 && $0[0].kind == .literal(.bool(true)) }) {
            return BoundExpr(.literal(.bool(true)), type: .boolean, at: e.location)
        }
        var common = branches[0]
        for b in branches.dropFirst() { common = common.filter { b.contains($0) } }
        // Keep each common conjunct once, in first-branch order.
        var unique: [BoundExpr] = []
        for c in common where !unique.contains(c) { unique.append(c) }
        guard !unique.isEmpty else { return e }
        let rests = branches.map { $0.filter { !unique.contains($0) } }
        if rests.contains(where: \.isEmpty) { return BoundExpr.conjunction(unique)! }
        let or = BoundExpr.disjunction(rests.map { BoundExpr.conjunction($0)! })!
        return BoundExpr.conjunction(unique + [or])!
    }
}
