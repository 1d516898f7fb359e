import MeshCore
import MeshSQL

/// A typed expression whose column references are resolved to column identities (in a logical
/// plan) or to batch positions (once the executor has laid a node's input out).
/// Locations are kept for error messages but are not part of equality, so the binder can
/// recognise `GROUP BY` expressions inside the select list by comparing bound trees.
public struct BoundExpr: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        /// A column of the input, by identity: what the binder and the optimizer use.
        case column(ColumnID)
        /// The `index`-th column of the input batch: what the executor compiles. Only
        /// `slotted(_:)` makes these from a logical expression.
        case slot(Int)
        case literal(Value)
        case negate(BoundExpr)
        case not(BoundExpr)
        case arithmetic(ArithmeticOperator, BoundExpr, BoundExpr)
        case comparison(ComparisonOperator, BoundExpr, BoundExpr)
        case and(BoundExpr, BoundExpr)
        case or(BoundExpr, BoundExpr)
        case concat(BoundExpr, BoundExpr)
        case isNull(BoundExpr, negated: Bool)
        case isDistinctFrom(BoundExpr, BoundExpr, negated: Bool)
        case inList(BoundExpr, [BoundExpr], negated: Bool)
        case like(BoundExpr, pattern: BoundExpr, escape: Character?, caseInsensitive: Bool, negated: Bool)
        /// Searched CASE; a simple CASE is desugared to it.
        case caseWhen([BoundWhen], otherwise: BoundExpr?)
        case cast(BoundExpr)
        /// A scalar function from `ScalarFunctions`.
        case function(String, [BoundExpr])
        /// An aggregate call before the binder replaces it with a column of the aggregate's
        /// output. Never reaches the executor.
        case aggregate(AggregateCall)
        /// A subquery, until decorrelation turns it into a join. Never reaches the executor.
        case subquery(BoundSubquery)
        /// A window function call before the binder replaces it with a column of a window
        /// node. Never reaches the executor.
        case window(WindowCall)
    }

    public var kind: Kind
    public var type: DataType
    public var location: SourceLocation?

    public init(_ kind: Kind, type: DataType, at location: SourceLocation? = nil) {
        self.kind = kind
        self.type = type
        self.location = location
    }

    public static func == (a: BoundExpr, b: BoundExpr) -> Bool { a.kind == b.kind && a.type == b.type }
    public func hash(into h: inout Hasher) { h.combine(kind) }

    public static func column(_ id: ColumnID, _ type: DataType) -> BoundExpr { BoundExpr(.column(id), type: type) }
    public static func slot(_ i: Int, _ type: DataType) -> BoundExpr { BoundExpr(.slot(i), type: type) }
    public static func literal(_ v: Value, _ type: DataType) -> BoundExpr { BoundExpr(.literal(v), type: type) }

    /// The direct sub-expressions.
    public var children: [BoundExpr] {
        switch kind {
        case .column, .slot, .literal: []
        case .negate(let e), .not(let e), .cast(let e), .isNull(let e, _): [e]
        case .arithmetic(_, let a, let b), .comparison(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .concat(let a, let b), .isDistinctFrom(let a, let b, _): [a, b]
        case .inList(let e, let list, _): [e] + list
        case .like(let e, let p, _, _, _): [e, p]
        case .caseWhen(let ws, let o): ws.flatMap { [$0.condition, $0.result] } + (o.map { [$0] } ?? [])
        case .function(_, let args): args
        case .aggregate(let a): a.arguments + (a.filter.map { [$0] } ?? [])
        case .subquery(let q): q.operand.map { [$0] } ?? []
        case .window(let w): w.expressions
        }
    }

    /// Rebuilds the tree bottom-up; `transform` sees each node after its children.
    public func rewritten(_ transform: (BoundExpr) throws -> BoundExpr) rethrows -> BoundExpr {
        try transform(try rewrittenChildren { try $0.rewritten(transform) })
    }

    /// Every input column the expression reads.
    public var referencedColumns: Set<ColumnID> {
        var out = Set<ColumnID>()
        func visit(_ e: BoundExpr) {
            if case .column(let id) = e.kind { out.insert(id) }
            if case .subquery(let q) = e.kind { out.formUnion(q.outerReferences) }
            e.children.forEach(visit)
        }
        visit(self)
        return out
    }

    /// Whether every column the expression reads is in `ids` (true for a constant).
    public func isCovered(by ids: Set<ColumnID>) -> Bool {
        referencedColumns.isSubset(of: ids)
    }

    /// Replaces references to the given columns by expressions (pushing a predicate through a
    /// projection or an aggregate's group keys). The replacement keeps the reference's location.
    public func substituting(_ map: [ColumnID: BoundExpr]) -> BoundExpr {
        if map.isEmpty { return self }
        return rewritten { e in
            if case .column(let id) = e.kind, var r = map[id] { r.location = e.location ?? r.location; return r }
            return e
        }
    }

    /// The same expression over batch positions: each column reference becomes the slot the
    /// column occupies in `layout`. A column missing from the layout is a planner bug.
    public func slotted(_ layout: [ColumnID: Int]) throws -> BoundExpr {
        try rewritten { e in
            guard case .column(let id) = e.kind else { return e }
            guard let i = layout[id] else {
                throw MeshError(.internalError, "plan refers to column \(id), which its input does not produce")
            }
            var c = e
            c.kind = .slot(i)
            return c
        }
    }

    /// A bare reference to an input column.
    public var isColumnReference: Bool {
        if case .column = kind { return true }
        return false
    }

    /// Whether the value depends on nothing but the columns it reads: no aggregate, window,
    /// subquery or volatile function (`random()`). Over no columns, it is a constant.
    public var isDeterministic: Bool {
        switch kind {
        case .slot, .aggregate, .subquery, .window: return false
        case .function(let name, _) where ScalarFunctions.isVolatile(name): return false
        default: return children.allSatisfy(\.isDeterministic)
        }
    }

    public var containsAggregate: Bool {
        if case .aggregate = kind { return true }
        return children.contains { $0.containsAggregate }
    }

    public var containsSubquery: Bool {
        if case .subquery = kind { return true }
        return children.contains { $0.containsSubquery }
    }

    /// Splits an AND tree into its conjuncts.
    public var conjuncts: [BoundExpr] {
        if case .and(let a, let b) = kind { return a.conjuncts + b.conjuncts }
        return [self]
    }

    /// The AND of the parts: left-deep for a few, balanced for many (see `associativeChain`).
    public static func conjunction(_ parts: [BoundExpr]) -> BoundExpr? {
        chain(parts) { .and($0, $1) }
    }

    /// `parts` joined by an associative boolean operator (see `associativeChain`).
    static func chain(_ parts: [BoundExpr], _ kind: (BoundExpr, BoundExpr) -> Kind) -> BoundExpr? {
        associativeChain(parts) { BoundExpr(kind($0, $1), type: .boolean) }
    }
}

public struct BoundWhen: Sendable, Hashable {
    public var condition: BoundExpr
    public var result: BoundExpr
    public init(condition: BoundExpr, result: BoundExpr) {
        self.condition = condition
        self.result = result
    }
}

public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
}

public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    /// The operator whose result is the negation of this one's (`NOT a < b` ⇔ `a >= b`, NULL
    /// staying NULL).
    public var negated: ComparisonOperator {
        switch self {
        case .equal: .notEqual
        case .notEqual: .equal
        case .less: .greaterOrEqual
        case .lessOrEqual: .greater
        case .greater: .lessOrEqual
        case .greaterOrEqual: .less
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    public var flipped: ComparisonOperator {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}

public enum AggregateFunction: String, Sendable, Hashable {
    case count, countStar = "count(*)", sum, avg, min, max, boolAnd = "bool_and", boolOr = "bool_or"
    /// The value of a scalar subquery's one row: NULL without rows, an error with more than
    /// one. Made by decorrelation, never written by users.
    case single
    /// `string_agg(value, separator [ORDER BY …])`: arguments are the value, the separator,
    /// then the ORDER BY keys (their directions in `AggregateCall.ordering`).
    case stringAgg = "string_agg"
}

/// The direction of one ORDER BY key inside an aggregate call.
public struct AggregateOrdering: Sendable, Hashable {
    public var descending: Bool
    public var nullsFirst: Bool
    public init(descending: Bool, nullsFirst: Bool) {
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

/// One aggregate of a GROUP BY: `sum(x)`, `count(DISTINCT y) FILTER (WHERE …)`.
public struct AggregateCall: Sendable, Hashable {
    public var function: AggregateFunction
    public var arguments: [BoundExpr]
    public var distinct: Bool
    public var filter: BoundExpr?
    public var resultType: DataType
    /// For each ORDER BY key among the arguments (string_agg), its direction.
    public var ordering: [AggregateOrdering]

    public init(function: AggregateFunction, arguments: [BoundExpr], distinct: Bool = false,
                filter: BoundExpr? = nil, resultType: DataType, ordering: [AggregateOrdering] = []) {
        self.function = function
        self.arguments = arguments
        self.distinct = distinct
        self.filter = filter
        self.resultType = resultType
        self.ordering = ordering
    }
}

extension BoundExpr {
    /// Applies `f` to each direct child (not recursively).
    public func rewrittenChildren(_ f: (BoundExpr) throws -> BoundExpr) rethrows -> BoundExpr {
        var copy = self
        switch kind {
        case .column, .slot, .literal: break
        case .negate(let e): copy.kind = .negate(try f(e))
        case .not(let e): copy.kind = .not(try f(e))
        case .cast(let e): copy.kind = .cast(try f(e))
        case .isNull(let e, let n): copy.kind = .isNull(try f(e), negated: n)
        case .arithmetic(let op, let a, let b): copy.kind = .arithmetic(op, try f(a), try f(b))
        case .comparison(let op, let a, let b): copy.kind = .comparison(op, try f(a), try f(b))
        case .and(let a, let b): copy.kind = .and(try f(a), try f(b))
        case .or(let a, let b): copy.kind = .or(try f(a), try f(b))
        case .concat(let a, let b): copy.kind = .concat(try f(a), try f(b))
        case .isDistinctFrom(let a, let b, let n): copy.kind = .isDistinctFrom(try f(a), try f(b), negated: n)
        case .inList(let e, let l, let n): copy.kind = .inList(try f(e), try l.map(f), negated: n)
        case .like(let e, let p, let esc, let ci, let n):
            copy.kind = .like(try f(e), pattern: try f(p), escape: esc, caseInsensitive: ci, negated: n)
        case .caseWhen(let ws, let o):
            copy.kind = .caseWhen(try ws.map { BoundWhen(condition: try f($0.condition), result: try f($0.result)) },
                                  otherwise: try o.map(f))
        case .function(let name, let args): copy.kind = .function(name, try args.map(f))
        case .aggregate(var a):
            a.arguments = try a.arguments.map(f)
            a.filter = try a.filter.map(f)
            copy.kind = .aggregate(a)
        case .subquery(var q):
            q.operand = try q.operand.map(f)
            copy.kind = .subquery(q)
        case .window(let w):
            copy.kind = .window(try w.mapping(f))
        }
        return copy
    }
}

/// A subquery inside an expression, as bound: its plan reads the enclosing query's columns
/// (`outerReferences`) directly by id.
public struct BoundSubquery: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `(SELECT …)`: one column, at most one row.
        case scalar
        /// `[NOT] EXISTS (SELECT …)`.
        case exists
        /// `x [NOT] IN (SELECT …)`: one column, compared with `operand` by `comparison`
        /// (`x op ANY (SELECT …)`; IN is `= ANY`, and `x op ALL (…)` is `NOT x op' ANY (…)`
        /// with the negated operator).
        case `in`
    }

    public var kind: Kind
    public var negated: Bool
    /// The left side of IN.
    public var operand: BoundExpr?
    /// How IN compares `operand` with the subquery's values.
    public var comparison: ComparisonOperator = .equal
    public var plan: LogicalPlan
    /// Columns of enclosing queries the plan reads; empty for an uncorrelated subquery.
    public var outerReferences: Set<ColumnID>

    public init(kind: Kind, negated: Bool, operand: BoundExpr?, plan: LogicalPlan, outerReferences: Set<ColumnID>) {
        self.kind = kind
        self.negated = negated
        self.operand = operand
        self.plan = plan
        self.outerReferences = outerReferences
    }
}
