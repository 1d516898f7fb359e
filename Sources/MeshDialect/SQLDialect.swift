import Foundation
import MeshCore

/// What a source's SQL can express with exactly meshql's (PostgreSQL's) semantics. The
/// pushdown printer asks before it sends anything down; whatever a dialect declines runs
/// locally, so a conservative answer costs speed, never correctness.
public enum PushdownFeature: Sendable, Hashable {
    /// `+ - *` on exact decimals giving exact results.
    case decimalArithmetic
    /// Division that raises on a zero divisor and rounds decimals as PostgreSQL does.
    case division
    /// SUM/AVG over exact decimals giving exact results.
    case decimalAggregates
    /// AVG over integers giving an exact decimal.
    case integerAverage
    /// Case-sensitive LIKE.
    case like
    case ilike
    /// Joins of these kinds between tables of this one source.
    case innerJoin, leftJoin, fullJoin
    case aggregation
    case orderBy
    case limit
    case caseExpression
    /// Comparisons and arithmetic on dates/timestamps as stored by this source.
    case dateComparison
    case dateArithmetic
    case stringConcat
    case distinct
    /// Double arithmetic that raises on overflow, as PostgreSQL does, instead of giving
    /// Infinity. (SUM/AVG of a stored double column still go down: only values near 1e308
    /// could overflow them, and keeping them here costs TPC-H q22 a fifth of its time.)
    case doubleOverflowErrors
    /// `COUNT(DISTINCT x)` and friends: exact everywhere, but a source may do them so slowly
    /// that running them here is faster.
    case distinctAggregates
    /// `bool_and` / `bool_or` with PostgreSQL's meaning.
    case booleanAggregates
}

/// How one kind of source spells SQL. Implemented by each connector; used by the planner's
/// pushdown printer, which builds SQL text and a list of bound values side by side.
public protocol SQLDialect: Sendable {
    /// "postgres", "sqlite": shown in EXPLAIN.
    var name: String { get }
    /// Quotes an identifier, doubling embedded quotes.
    func quoteIdentifier(_ identifier: String) -> String
    /// The slot of the `index`-th bound value (1-based) for a value of `type`: the placeholder
    /// with what follows it (`$1::numeric`; SQLite's `?1`).
    func placeholder(index: Int, type: DataType) -> SQLText
    /// The placeholder itself for the `number`-th bound value (1-based): `$1`, `?1`, or `?`
    /// where placeholders are positional (then `numbersParameters` is false).
    func parameterMarker(_ number: Int) -> String
    /// Whether placeholders carry their value's number; where not, the values are bound once
    /// per placeholder in the order they appear (`SQLText.boundValues`).
    var numbersParameters: Bool { get }
    /// The type name to use in `CAST(x AS …)`, or nil when the source cannot cast to it exactly.
    func castTypeName(_ type: DataType) -> String?
    func supports(_ feature: PushdownFeature) -> Bool
    /// The most tables one statement sent to the source may read (SQLite: 64 in a join, 200
    /// FROM terms in a statement); a larger join is split between the source and meshql.
    var maxTablesPerStatement: Int { get }
    /// Whether a scalar function (lower-case name, argument types) means the same there.
    func supportsFunction(_ name: String, argumentTypes: [DataType]) -> Bool
    /// Spelling of a boolean literal.
    func booleanLiteral(_ value: Bool) -> String
    /// Whether `CAST(x AS to)` on a value of type `from` gives PostgreSQL's result there.
    func canCast(from: DataType, to: DataType) -> Bool
    /// A scalar function call in this dialect, or nil when it has no exact equivalent.
    /// Names are meshql's (`substring`, `position` with (haystack, needle), `date_part`).
    func functionCall(_ name: String, arguments: [SQLText], argumentTypes: [DataType]) -> SQLText?
    /// `LIMIT … OFFSET …` (either may be nil).
    func limitClause(limit: SQLText?, offset: SQLText?) -> SQLText
    /// `sql` (a text expression) made to compare in byte order, as meshql compares text, or
    /// nil when the source cannot. Used for `<`, `>`, ORDER BY, MIN and MAX on text, whose
    /// results otherwise depend on the source's collation.
    func byteOrderedText(_ sql: SQLText) -> SQLText?
    /// What follows `x LIKE p` for a LIKE with no escape character (`ESCAPE ''`): nothing
    /// where that is the default; nil where the source cannot say it (MariaDB, where an empty
    /// ESCAPE means a backslash): such a LIKE runs in meshql.
    var noLikeEscape: String? { get }
    /// `column IN (the elements of a JSON array bound at parameter `index`)`, for a dynamic
    /// filter (the keys of a finished hash join build side); nil when the source cannot read
    /// JSON arrays or the type is not supported. One parameter however many keys.
    /// `keyCount` says how many keys the parameter will hold (a source may pick its form by it).
    func keySetFilter(_ column: SQLText, parameterIndex index: Int, type: DataType, keyCount: Int) -> SQLText?
    /// The one parameter `keySetFilter` reads: the keys (integers or text) as the source
    /// wants them, by default a JSON array.
    func keySetParameter(_ keys: [Value]) -> Value?
    /// `predicate` marked with the fraction of rows meshql expects it to keep, for a source
    /// whose planner guesses that fraction itself (SQLite, which without ANALYZE takes every
    /// filter to keep 94 % of the rows and so joins a large table before a well filtered
    /// small one); nil to send the predicate as it is. The result must mean the predicate.
    func selectivityHint(_ predicate: SQLText, keeps fraction: Double) -> SQLText?
    /// `operand IN (the values of one array parameter)`, exactly as `operand IN (v1, v2, …)`
    /// with those values bound one by one would be; nil to send the list as it is. For long
    /// IN lists: one parameter instead of thousands (PostgreSQL's protocol breaks past about
    /// 7,500; SQLite compares a long list row by row). The parameter is `keySetParameter`'s.
    func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText?
    /// The deepest expression (levels of the bound tree) sent to the source; deeper ones are
    /// evaluated here. SQLite's parser overflows its stack near 100 nested parentheses.
    var maxExpressionDepth: Int { get }
    /// A condition keeping the rows of the table aliased `tableAlias` (already quoted) whose
    /// physical address lies between the session settings `rowRangeSettings` name (lower
    /// inclusive, upper exclusive), and the settings' values that cut a table of `pages`
    /// pages into `parts` ranges; nil / empty where a source has no row address. A big read
    /// of one table then runs as several queries at once (PostgreSQL: by `ctid`, as DuckDB's
    /// scanner reads it). Settings, not parameters: PostgreSQL's COPY takes none.
    func rowRangeCondition(_ tableAlias: String) -> SQLText?
    var rowRangeSettings: (lower: String, upper: String) { get }
    func rowRanges(pages: Int, parts: Int) -> [(lower: String, upper: String)]
    /// What stands for a bound value in a read cut into row ranges, which runs without
    /// parameters: the value of session setting `setting`, typed by `suffix` (what the
    /// value's placeholder carried after its number). Nil: such a read takes no values.
    func settingPlaceholder(_ setting: String, suffix: String) -> SQLText?
    /// Whether the source runs a correlated `EXISTS` as a join. Where it does not (SQLite runs
    /// the subquery once per outer row), a semi or anti join on one key goes as `IN` /
    /// `NOT IN`, which it runs once.
    var runsExistsAsJoin: Bool { get }
    /// `x IS [NOT] DISTINCT FROM y` (NULL-safe comparison) in this dialect, or nil.
    func distinctFrom(_ x: SQLText, _ y: SQLText, negated: Bool) -> SQLText?
    /// One ORDER BY item with its NULL placement, or nil when the source cannot place NULLs
    /// as asked.
    func orderItem(_ sql: SQLText, descending: Bool, nullsFirst: Bool) -> SQLText?
    /// An aggregate call that sees only the rows `condition` keeps (`FILTER (WHERE …)`), or nil.
    func filteredAggregate(_ call: SQLText, condition: SQLText) -> SQLText?
    /// The LIMIT / OFFSET that keeps a subquery's own conditions (a product's policy filter)
    /// ahead of the conditions of the query around it: the source neither flattens such a
    /// subquery nor pushes conditions into it. Nil when the source has no such fence; then no
    /// condition that could leak is sent above a policy filter there (it runs in meshql).
    var policyFence: (limit: SQLText?, offset: SQLText?)? { get }
    /// Column `column` of the table aliased `alias` (already quoted), as every expression over
    /// the table reads it. A source whose text compares by a collation other than byte order
    /// (MariaDB's case-insensitive, trailing-space-blind defaults) gives its text columns a
    /// byte-order collation here, so comparisons, joins, grouping, DISTINCT and ORDER BY over
    /// them mean what they mean in meshql.
    /// `nativeType` is the column's type as the source named it when the product was imported
    /// (nil where unknown).
    func tableColumn(_ alias: String, _ column: String, type: DataType, nativeType: String?) -> SQLText
    /// Whether a subquery the planner puts on the side of an outer join that the join extends
    /// with NULLs, because its outputs are computed (`1`, `x IS NULL`), must be fenced
    /// (`policyFence`) so that the source cannot merge it into the query around it. MariaDB's
    /// derived-table merge leaves such a constant non-NULL where a correlated subquery reads
    /// it, on rows the join made up.
    var fencesComputedOuterJoinSides: Bool { get }
    /// `x op y` (`op`: `+`, `-`, `*`, `/`, `%`) giving a value of `type`, or nil when the source
    /// cannot compute it as meshql does. (Whether division goes down at all is
    /// `PushdownFeature.division`'s.)
    func arithmetic(_ op: String, _ x: SQLText, _ y: SQLText, type: DataType) -> SQLText?
    /// Whether the source takes `value` as a bound value of `type` exactly (MariaDB's dates end
    /// at year 9999); a condition on a value it cannot take is evaluated in meshql.
    func canBind(_ value: Value, type: DataType) -> Bool
    /// For a source that reads its text columns through `tableColumn` in a stricter form than
    /// its own (MariaDB's byte-order collation over a case-insensitive column): `x = y` in the
    /// source's own terms, one side the plain column, the other a value (a bound value, a
    /// constant expression). It must keep every row the exact comparison keeps, and may keep
    /// more; the planner sends it beside the exact one, so that the source can use an index on
    /// the column for it. Nil (the default): the exact comparison alone.
    func looseTextEquality(_ x: SQLText, _ y: SQLText) -> SQLText?
    /// An aggregate call: `function` is meshql's name in upper case (`COUNT`, `SUM`, `AVG`,
    /// `MIN`, `MAX`, `BOOL_AND`, `BOOL_OR`) over `argument` of `argumentType`; nil when the
    /// source cannot give meshql's result (a dialect may spell it otherwise: AVG as a SUM
    /// divided at a finer scale than the source's AVG keeps).
    func aggregateCall(_ function: String, argument: SQLText, argumentType: DataType, distinct: Bool) -> SQLText?
}

extension SQLDialect {
    public var maxTablesPerStatement: Int { .max }
    public func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    public func booleanLiteral(_ value: Bool) -> String { value ? "TRUE" : "FALSE" }
    public func supportsFunction(_ name: String, argumentTypes: [DataType]) -> Bool { false }
    public func canCast(from: DataType, to: DataType) -> Bool { castTypeName(to) != nil }
    public func functionCall(_ name: String, arguments: [SQLText], argumentTypes: [DataType]) -> SQLText? {
        guard supportsFunction(name, argumentTypes: argumentTypes) else { return nil }
        return "\(name)(\(arguments.joined(separator: ", ")))"
    }
    public func byteOrderedText(_ sql: SQLText) -> SQLText? { nil }
    public var numbersParameters: Bool { true }
    public var noLikeEscape: String? { "" }
    public func keySetFilter(_ column: SQLText, parameterIndex index: Int, type: DataType, keyCount: Int) -> SQLText? { nil }
    public func keySetParameter(_ keys: [Value]) -> Value? { KeySetEncoding.jsonArray(keys).map { .string($0) } }
    public func selectivityHint(_ predicate: SQLText, keeps fraction: Double) -> SQLText? { nil }
    public var maxExpressionDepth: Int { 1000 }
    public func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText? { nil }
    public func rowRangeCondition(_ tableAlias: String) -> SQLText? { nil }
    public var rowRangeSettings: (lower: String, upper: String) { ("meshql.range_lower", "meshql.range_upper") }
    public func rowRanges(pages: Int, parts: Int) -> [(lower: String, upper: String)] { [] }
    public func settingPlaceholder(_ setting: String, suffix: String) -> SQLText? { nil }
    public var runsExistsAsJoin: Bool { true }
    public func distinctFrom(_ x: SQLText, _ y: SQLText, negated: Bool) -> SQLText? {
        "(\(x) IS \(negated ? "NOT " : "")DISTINCT FROM \(y))"
    }
    public func orderItem(_ sql: SQLText, descending: Bool, nullsFirst: Bool) -> SQLText? {
        "\(sql) \(descending ? "DESC" : "ASC") NULLS \(nullsFirst ? "FIRST" : "LAST")"
    }
    public func filteredAggregate(_ call: SQLText, condition: SQLText) -> SQLText? {
        "\(call) FILTER (WHERE \(condition))"
    }
    public func tableColumn(_ alias: String, _ column: String, type: DataType, nativeType: String?) -> SQLText {
        SQLText(alias + "." + quoteIdentifier(column))
    }
    public func arithmetic(_ op: String, _ x: SQLText, _ y: SQLText, type: DataType) -> SQLText? { "(\(x) \(op) \(y))" }
    public func canBind(_ value: Value, type: DataType) -> Bool { true }
    public var fencesComputedOuterJoinSides: Bool { false }
    public func aggregateCall(_ function: String, argument: SQLText, argumentType: DataType, distinct: Bool) -> SQLText? {
        "\(function)(\(distinct ? "DISTINCT " : "")\(argument))"
    }
    public func looseTextEquality(_ x: SQLText, _ y: SQLText) -> SQLText? { nil }
    /// `OFFSET 0`: PostgreSQL and SQLite run a subquery with an OFFSET as written.
    public var policyFence: (limit: SQLText?, offset: SQLText?)? { (nil, "0") }
    public func limitClause(limit: SQLText?, offset: SQLText?) -> SQLText {
        var parts: [SQLText] = []
        if let limit { parts.append("LIMIT \(limit)") }
        if let offset { parts.append("OFFSET \(offset)") }
        return parts.joined(separator: " ")
    }
}
