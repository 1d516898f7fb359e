import MeshCore
import MeshDialect
import SQLiteDB

/// SQLite's SQL, and what of meshql's (PostgreSQL's) semantics it can reproduce exactly.
/// Decimals are stored as REAL/INTEGER there, so no arithmetic or aggregate on decimals goes
/// down; neither does division (SQLite returns NULL on a zero divisor and truncates integers
/// differently) nor date arithmetic (dates are text).
///
/// Printer notes: SQLite's LIKE has no default escape character, so a pushed-down LIKE must
/// spell `ESCAPE '\'` to mean what PostgreSQL's LIKE means; `case_sensitive_like` is on for
/// every connection of the connector.
public struct SQLiteDialect: SQLDialect {
    /// SQLite joins at most 64 tables and counts at most 200 FROM terms in a statement (a
    /// chain of views over views sent whole failed with "too many FROM clause terms").
    public var maxTablesPerStatement: Int { 60 }
    /// The SQLite library's version number (3.40.1: 3040001), which some spellings depend on.
    public let version: Int

    public init(version: Int = SQLiteDatabase.libraryVersionNumber) {
        self.version = version
    }

    public var name: String { "sqlite" }

    /// Numbered (`?3`): the pushdown printer assembles SQL text out of order.
    public func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }

    public func parameterMarker(_ number: Int) -> String { "?\(number)" }

    /// JSON numbers come out of json_each as integers, strings as text. A value stored in
    /// another class (an integer in an untyped column read as text, a REAL in an INTEGER
    /// column that meshql rounds) would not compare as meshql compared its key, so such rows
    /// are kept: a dynamic filter may keep too many rows, never too few.
    public func keySetFilter(_ column: SQLText, parameterIndex index: Int, type: DataType, keyCount: Int) -> SQLText? {
        guard type.isInteger || type == .text else { return nil }
        let storage = type.isInteger ? "integer" : "text"
        return "(\(column) IN (SELECT value FROM json_each(\(SQLText.parameter(index - 1)))) OR typeof(\(column)) <> '\(storage)')"
    }

    /// SQLite's parser stack (YYSTACKDEPTH 100) overflows near 100 nested parentheses, and
    /// every operator meshql prints is parenthesised.
    public var maxExpressionDepth: Int { 40 }

    /// TPC-H q20's `partsupp WHERE EXISTS (part WHERE p_name LIKE …)` takes SQLite 0.61 s as
    /// EXISTS and 0.04 s as IN.
    public var runsExistsAsJoin: Bool { false }

    /// `likelihood(X, p)` returns X; the planner takes p as the chance that X is true (SQLite
    /// wants a constant between 0 and 1, and strips the call when it looks for usable indexes).
    public func selectivityHint(_ predicate: SQLText, keeps fraction: Double) -> SQLText? {
        guard fraction.isFinite else { return nil }
        let p = min(1, max(0, fraction))
        return "likelihood(\(predicate), \(String(format: "%.6f", p)))"
    }

    public func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText? {
        guard type.isInteger || type == .text else { return nil }
        return "(\(operand) IN (SELECT value FROM json_each(\(SQLText.parameter(index - 1)))))"
    }

    /// Only casts whose result SQLite represents as meshql does: integers, doubles and text.
    public func castTypeName(_ type: DataType) -> String? {
        switch type {
        case .smallint, .integer, .bigint: "INTEGER"
        case .double: "REAL"
        case .text: "TEXT"
        default: nil
        }
    }

    /// SQLite's CAST never fails: text that is not a number becomes 0, a REAL is truncated
    /// (PostgreSQL rounds), a boolean (stored as 0/1) becomes '1', and REAL prints with 15
    /// digits. So only casts between integers, and integers to REAL or TEXT, go down.
    public func canCast(from: DataType, to: DataType) -> Bool {
        guard castTypeName(to) != nil else { return false }
        switch to {
        case .smallint, .integer, .bigint: return from.isInteger
        case .double: return from.isInteger || from == .double
        case .text: return from.isInteger || from == .text
        default: return false
        }
    }

    /// SQLite has no OFFSET without LIMIT; a negative LIMIT means no limit.
    public func limitClause(limit: SQLText?, offset: SQLText?) -> SQLText {
        var parts: [SQLText] = []
        if let limit { parts.append("LIMIT \(limit)") } else if offset != nil { parts.append("LIMIT -1") }
        if let offset { parts.append("OFFSET \(offset)") }
        return parts.joined(separator: " ")
    }

    public func supports(_ feature: PushdownFeature) -> Bool {
        switch feature {
        case .limit, .orderBy, .innerJoin, .leftJoin, .aggregation, .like, .dateComparison,
             .stringConcat, .caseExpression, .distinct:
            true
        // SQLite's FULL JOIN (3.39 on) is young: 3.40.1 gave no rows for `(a JOIN b ON … AND 0)
        // FULL JOIN c`, where every row of c belongs (found by the random differential test),
        // and it finds a subquery's unmatched rows by scanning it once per row (72 s for 20 k
        // by 80 k rows). meshql's hash full join over the two reads answers right, and fast.
        case .fullJoin:
            false
        case .decimalAggregates, .decimalArithmetic, .division, .integerAverage, .ilike, .dateArithmetic:
            false
        // SQLite's REAL arithmetic overflows to Inf silently; meshql raises 22003 as PostgreSQL.
        case .doubleOverflowErrors:
            false
        // Exact, but SQLite keeps a b-tree per group for them: meshql's hash aggregate over
        // the (local, cheap to read) rows is faster (TPC-H q16: 0.8 s there, 0.5 s here).
        case .distinctAggregates:
            false
        // No bool_and / bool_or in SQLite.
        case .booleanAggregates:
            false
        }
    }

    /// `IS` and `IS NOT` are SQLite's NULL-safe comparisons in every version (`IS DISTINCT
    /// FROM` only from 3.39).
    public func distinctFrom(_ x: SQLText, _ y: SQLText, negated: Bool) -> SQLText? {
        "(\(x) IS \(negated ? "" : "NOT ")\(y))"
    }

    /// SQLite places NULLs as asked from 3.30 on; before, NULLs sort first ascending and
    /// last descending, so the placement is an ORDER BY item of its own.
    public func orderItem(_ sql: SQLText, descending: Bool, nullsFirst: Bool) -> SQLText? {
        let direction = descending ? "DESC" : "ASC"
        if version >= 3_030_000 { return "\(sql) \(direction) NULLS \(nullsFirst ? "FIRST" : "LAST")" }
        return "(\(sql) IS NULL) \(nullsFirst ? "DESC" : "ASC"), \(sql) \(direction)"
    }

    /// Aggregate FILTER clauses exist from SQLite 3.30 on.
    public func filteredAggregate(_ call: SQLText, condition: SQLText) -> SQLText? {
        version >= 3_030_000 ? "\(call) FILTER (WHERE \(condition))" : nil
    }


    /// Functions that mean the same in SQLite for these argument types. `lower`/`upper`
    /// match PostgreSQL for ASCII text (SQLite without ICU leaves other letters alone).
    /// SQLite's default BINARY collation compares bytes (memcmp), as meshql does.
    public func byteOrderedText(_ sql: SQLText) -> SQLText? { "(\(sql) COLLATE BINARY)" }

    public func supportsFunction(_ name: String, argumentTypes: [DataType]) -> Bool {
        switch name {
        case "lower", "upper":
            return argumentTypes.allSatisfy { $0 == .text }
        case "length":
            return argumentTypes.allSatisfy { $0 == .text }
        case "abs":
            return argumentTypes.allSatisfy { $0.isInteger || $0 == .double }
        case "coalesce", "nullif":
            return true
        default:
            return false
        }
    }

    public func booleanLiteral(_ value: Bool) -> String { value ? "1" : "0" }
}
