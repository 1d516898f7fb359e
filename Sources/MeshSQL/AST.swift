/// The syntax tree of the meshql dialect (SQL.md). Value types throughout; every node that can
/// be the subject of an error carries the `SourceLocation` where it starts. Locations are not
/// part of equality, so parse → print → parse round trips compare equal.

/// A possibly qualified name: `orders`, `sales.orders`, `conn.public.orders`.
public struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    public var parts: [String]
    public var location: SourceLocation

    public init(_ parts: [String], at location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.parts = parts
        self.location = location
    }

    public var description: String { parts.joined(separator: ".") }

    public static func == (a: Self, b: Self) -> Bool { a.parts == b.parts }
    public func hash(into h: inout Hasher) { h.combine(parts) }
}

public enum BinaryOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case concat = "||"
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and = "AND", or = "OR"
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-", plus = "+", not = "NOT"
}

public enum Literal: Sendable, Hashable {
    case null
    case boolean(Bool)
    /// Digits as written, e.g. "42".
    case integer(String)
    /// As written, e.g. "0.1", "1e3".
    case decimal(String)
    case string(String)
    /// `DATE '1995-03-15'`, `TIMESTAMP '…'`: the type keyword and the string.
    case typed(type: String, value: String)
    /// `INTERVAL '3' MONTH` → value "3", unit "month"; `INTERVAL '90 days'` → value "90 days", unit nil.
    case interval(value: String, unit: String?)
}

/// Window specification of `f(...) OVER (PARTITION BY … ORDER BY …)`.
public struct WindowSpec: Sendable, Hashable {
    public var partitionBy: [Expr]
    public var orderBy: [OrderItem]
    public init(partitionBy: [Expr] = [], orderBy: [OrderItem] = []) {
        self.partitionBy = partitionBy
        self.orderBy = orderBy
    }
}

/// A function call: scalar (`lower(x)`), aggregate (`count(DISTINCT x) FILTER (WHERE …)`),
/// or window (`rank() OVER (…)`). `count(*)` has `isStar`.
public struct FunctionCall: Sendable, Hashable {
    /// Lower-cased name.
    public var name: String
    public var arguments: [Expr]
    public var distinct: Bool
    public var isStar: Bool
    public var filter: Expr?
    public var over: WindowSpec?
    /// ORDER BY inside the call, e.g. `string_agg(x, ',' ORDER BY x)`.
    public var orderBy: [OrderItem]

    public init(name: String, arguments: [Expr] = [], distinct: Bool = false, isStar: Bool = false,
                filter: Expr? = nil, over: WindowSpec? = nil, orderBy: [OrderItem] = []) {
        self.name = name
        self.arguments = arguments
        self.distinct = distinct
        self.isStar = isStar
        self.filter = filter
        self.over = over
        self.orderBy = orderBy
    }
}

/// An expression and where it starts.
public struct Expr: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case literal(Literal)
        /// `col`, `t.col`, `mesh.product.col` (parts as written, unquoted ones folded to lower case).
        case column([String])
        /// `$1` — a parameter of the query (1-based).
        case parameter(Int)
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `x IS [NOT] NULL`
        case isNull(Expr, negated: Bool)
        /// `x IS [NOT] DISTINCT FROM y`
        case isDistinctFrom(Expr, Expr, negated: Bool)
        /// `x IS [NOT] TRUE/FALSE`
        case isBoolean(Expr, value: Bool, negated: Bool)
        case between(Expr, low: Expr, high: Expr, negated: Bool)
        case inList(Expr, [Expr], negated: Bool)
        case inSubquery(Expr, Query, negated: Bool)
        /// `x op ANY|SOME (SELECT …)`, or with `all`, `x op ALL (SELECT …)`; op a comparison.
        case quantified(BinaryOperator, Expr, Query, all: Bool)
        case exists(Query, negated: Bool)
        /// `(SELECT …)` used as a value.
        case subquery(Query)
        /// `x [NOT] LIKE/ILIKE pattern [ESCAPE e]`
        case like(Expr, pattern: Expr, escape: Expr?, caseInsensitive: Bool, negated: Bool)
        /// `CASE [operand] WHEN … THEN … [ELSE …] END`
        case caseWhen(operand: Expr?, branches: [CaseBranch], otherwise: Expr?)
        /// `CAST(x AS type)` and `x::type`; the type as written (`decimal(15,2)`, `double precision`).
        case cast(Expr, type: String)
        case function(FunctionCall)
        /// `EXTRACT(field FROM x)`, field lower-cased.
        case extract(field: String, from: Expr)
        /// `SUBSTRING(x FROM a [FOR b])` (also `substring(x, a, b)` parses as a function call).
        case substring(Expr, from: Expr?, for: Expr?)
        /// `POSITION(a IN b)`
        case position(Expr, in: Expr)
        /// `TRIM([LEADING|TRAILING|BOTH] [chars] FROM x)`; side lower-cased, default "both".
        case trim(Expr, side: String, characters: Expr?)
        /// `CURRENT_DATE`, `CURRENT_TIMESTAMP` (lower-cased keyword).
        case currentTime(String)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.kind = kind
        self.location = location
    }

    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }
}

public struct CaseBranch: Sendable, Hashable {
    public var when: Expr
    public var then: Expr
    public init(when: Expr, then: Expr) {
        self.when = when
        self.then = then
    }
}

public struct OrderItem: Sendable, Hashable {
    public var expr: Expr
    public var descending: Bool
    /// nil: the default (NULLS LAST for ASC, NULLS FIRST for DESC, as PostgreSQL).
    public var nullsFirst: Bool?
    public init(expr: Expr, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expr = expr
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

public enum SelectItem: Sendable, Hashable {
    /// `*`
    case wildcard(SourceLocation)
    /// `t.*` (qualifier parts as written)
    case qualifiedWildcard([String], SourceLocation)
    case expr(Expr, alias: String?)

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.wildcard, .wildcard): true
        case (.qualifiedWildcard(let x, _), .qualifiedWildcard(let y, _)): x == y
        case (.expr(let e1, let a1), .expr(let e2, let a2)): e1 == e2 && a1 == a2
        default: false
        }
    }
    public func hash(into h: inout Hasher) {
        switch self {
        case .wildcard: h.combine(0)
        case .qualifiedWildcard(let q, _): h.combine(1); h.combine(q)
        case .expr(let e, let a): h.combine(2); h.combine(e); h.combine(a)
        }
    }
}

public enum JoinKind: String, Sendable, Hashable {
    case inner = "INNER", left = "LEFT", right = "RIGHT", full = "FULL", cross = "CROSS"
}

public enum JoinCondition: Sendable, Hashable {
    case on(Expr)
    case using([String])
    case none
}

/// A FROM item.
public indirect enum TableRef: Sendable, Hashable {
    /// `mesh.product [AS] alias [(col, …)]`
    case table(QualifiedName, alias: String?)
    /// `(SELECT …) [AS] alias [(col, …)]`
    case derived(Query, alias: String?, columnAliases: [String], location: SourceLocation)
    case join(TableRef, JoinKind, TableRef, JoinCondition, location: SourceLocation)
}

/// `SELECT … FROM … WHERE … GROUP BY … HAVING …`: one query block.
public struct Select: Sendable, Hashable {
    public var distinct: Bool
    public var items: [SelectItem]
    /// Comma-separated FROM items; empty for `SELECT 1`.
    public var from: [TableRef]
    public var whereClause: Expr?
    public var groupBy: [Expr]
    public var having: Expr?
    public var location: SourceLocation

    public init(distinct: Bool = false, items: [SelectItem], from: [TableRef] = [], whereClause: Expr? = nil,
                groupBy: [Expr] = [], having: Expr? = nil, at location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.whereClause = whereClause
        self.groupBy = groupBy
        self.having = having
        self.location = location
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.distinct == b.distinct && a.items == b.items && a.from == b.from && a.whereClause == b.whereClause
            && a.groupBy == b.groupBy && a.having == b.having
    }
    public func hash(into h: inout Hasher) { h.combine(items); h.combine(from) }
}

public enum SetOperator: String, Sendable, Hashable {
    case union = "UNION", intersect = "INTERSECT", except = "EXCEPT"
}

/// The body of a query: a SELECT block, a set operation, or a parenthesised query.
public indirect enum QueryBody: Sendable, Hashable {
    case select(Select)
    case setOperation(SetOperator, all: Bool, QueryBody, QueryBody)
    case nested(Query)
}

public struct CommonTableExpression: Sendable, Hashable {
    public var name: String
    public var columnAliases: [String]
    public var query: Query
    public init(name: String, columnAliases: [String] = [], query: Query) {
        self.name = name
        self.columnAliases = columnAliases
        self.query = query
    }
}

/// A whole query: `[WITH …] body [ORDER BY …] [LIMIT …] [OFFSET …]`.
public struct Query: Sendable, Hashable {
    public var with: [CommonTableExpression]
    public var body: QueryBody
    public var orderBy: [OrderItem]
    /// LIMIT n / FETCH FIRST n ROWS ONLY.
    public var limit: Expr?
    public var offset: Expr?
    public var location: SourceLocation

    public init(with: [CommonTableExpression] = [], body: QueryBody, orderBy: [OrderItem] = [],
                limit: Expr? = nil, offset: Expr? = nil, at location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.location = location
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.with == b.with && a.body == b.body && a.orderBy == b.orderBy && a.limit == b.limit && a.offset == b.offset
    }
    public func hash(into h: inout Hasher) { h.combine(body) }
}
