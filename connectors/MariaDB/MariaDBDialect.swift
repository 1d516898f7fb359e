import MeshCore
import MeshDialect

/// MariaDB's (and MySQL's) SQL, and what of meshql's (PostgreSQL's) semantics it reproduces
/// exactly. The connector's sessions are set up for it (`MariaDBConnection`): `||`
/// concatenates, a backslash escapes nothing in a literal, text parameters compare in
/// `utf8mb4_nopad_bin`, and decimal division keeps 30 places.
///
/// - Text: a table's columns compare by their own collation, case-insensitive and blind to
///   trailing spaces by default (`utf8mb4_general_ci`), so every text column is read as
///   `CONVERT(col USING utf8mb4) COLLATE utf8mb4_nopad_bin`: byte order, no padding, as in
///   meshql, for comparisons, joins, grouping, DISTINCT, LIKE, MIN/MAX and ORDER BY alike.
/// - Integer `/` gives a decimal and a zero divisor gives NULL: no division goes down.
/// - NULLs sort first ascending and there is no NULLS FIRST/LAST: an ORDER BY item says
///   where NULLs go with an `x IS NULL` key of its own.
/// - AVG keeps only four more places than its argument: it goes as SUM / COUNT, which the
///   session divides to 30 places, and meshql rounds to its 16.
/// - No FULL JOIN, no FILTER clause, no bool_and/bool_or, no ILIKE, no LIKE without an escape.
public struct MariaDBDialect: SQLDialect {
    public init() {}

    public var name: String { "mariadb" }

    public func quoteIdentifier(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// `?`: values are bound by type (`MariaDBStatement.execute`), one per placeholder in the
    /// order they appear.
    public func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
    public func parameterMarker(_ number: Int) -> String { "?" }
    public var numbersParameters: Bool { false }

    /// Text in byte order (see above); a `TINYINT(1)` boolean as `col <> 0`, so that a stored 2
    /// is true in comparisons and grouping as it is when read; `BIT` as a binary string, which
    /// compares byte by byte (a BIT column compares with a string as a number).
    public func tableColumn(_ alias: String, _ column: String, type: DataType, nativeType: String?) -> SQLText {
        let column = SQLText(alias + "." + quoteIdentifier(column))
        switch type.physical {
        case .string: return "(CONVERT(\(column) USING utf8mb4) COLLATE utf8mb4_nopad_bin)"
        case .bool: return "(\(column) <> 0)"
        case .bytes where nativeType?.lowercased().hasPrefix("bit") == true: return "CAST(\(column) AS BINARY)"
        default: return column
        }
    }

    /// Integer arithmetic in signed BIGINT: on an UNSIGNED column MariaDB computes unsigned and
    /// fails where the result would be negative (`u - 5` with u = 3).
    public func arithmetic(_ op: String, _ x: SQLText, _ y: SQLText, type: DataType) -> SQLText? {
        guard type.isInteger else { return "(\(x) \(op) \(y))" }
        return "(CAST(\(x) AS SIGNED) \(op) CAST(\(y) AS SIGNED))"
    }

    /// MariaDB's dates and timestamps run from year 1 to 9999.
    public func canBind(_ value: Value, type: DataType) -> Bool {
        MariaDBStatement.representable(value)
    }

    /// Its derived-table merge makes a constant of a NULL-extended subquery non-NULL where a
    /// correlated subquery reads it (`LEFT JOIN (SELECT 0 AS c …) s … WHERE EXISTS (… > s.c)`
    /// kept 121 rows where 57 belong; found by the random differential test).
    public var fencesComputedOuterJoinSides: Bool { true }

    /// MariaDB joins at most 61 tables in one statement.
    public var maxTablesPerStatement: Int { 60 }

    /// `x = y` in the column's own collation, beside the exact comparison: bytes equal are
    /// equal under any collation, so it keeps every row the exact one keeps, and an index on
    /// the column serves it (a point lookup, a join on a text key), where none serves the
    /// converted column.
    public func looseTextEquality(_ x: SQLText, _ y: SQLText) -> SQLText? { "(\(x) = \(y))" }

    /// Text already compares in byte order (see `tableColumn`; parameters and literals take
    /// the session's `utf8mb4_nopad_bin`).
    public func byteOrderedText(_ sql: SQLText) -> SQLText? { sql }

    /// No cast goes down: MariaDB's CAST targets (SIGNED, DECIMAL, CHAR, DATE) convert
    /// leniently (text that is no number becomes 0 with a warning) where meshql raises.
    public func castTypeName(_ type: DataType) -> String? { nil }

    public func supports(_ feature: PushdownFeature) -> Bool {
        switch feature {
        case .limit, .orderBy, .innerJoin, .leftJoin, .aggregation, .like, .dateComparison, .stringConcat,
             .caseExpression, .distinct, .decimalArithmetic, .decimalAggregates, .integerAverage, .distinctAggregates:
            true
        case .fullJoin, .division, .ilike, .dateArithmetic, .doubleOverflowErrors, .booleanAggregates:
            false
        }
    }

    /// MariaDB has no OFFSET without LIMIT; its largest LIMIT means none.
    public func limitClause(limit: SQLText?, offset: SQLText?) -> SQLText {
        var parts: [SQLText] = []
        if let limit { parts.append("LIMIT \(limit)") } else if offset != nil { parts.append("LIMIT \(Self.noLimit)") }
        if let offset { parts.append("OFFSET \(offset)") }
        return parts.joined(separator: " ")
    }

    static let noLimit = "18446744073709551615"

    /// A derived table with a LIMIT is neither merged into the query around it nor given its
    /// conditions (MariaDB's condition pushdown skips such a table).
    public var policyFence: (limit: SQLText?, offset: SQLText?)? { (SQLText(Self.noLimit), nil) }

    /// `<=>` is MariaDB's NULL-safe equality.
    public func distinctFrom(_ x: SQLText, _ y: SQLText, negated: Bool) -> SQLText? {
        negated ? "(\(x) <=> \(y))" : "(NOT (\(x) <=> \(y)))"
    }

    public func orderItem(_ sql: SQLText, descending: Bool, nullsFirst: Bool) -> SQLText? {
        let direction = descending ? "DESC" : "ASC"
        // MariaDB's own placement: NULLs first ascending, last descending.
        if nullsFirst != descending { return "\(sql) \(direction)" }
        return "(\(sql) IS NULL) \(nullsFirst ? "DESC" : "ASC"), \(sql) \(direction)"
    }

    public func filteredAggregate(_ call: SQLText, condition: SQLText) -> SQLText? { nil }

    public func aggregateCall(_ function: String, argument: SQLText, argumentType: DataType, distinct: Bool) -> SQLText? {
        let d = distinct ? "DISTINCT " : ""
        if function == "AVG", argumentType.isInteger || argumentType.physical == .decimal {
            return "(SUM(\(d)\(argument)) / COUNT(\(d)\(argument)))"
        }
        return "\(function)(\(d)\(argument))"
    }

    /// MariaDB has no LIKE without an escape character: an empty ESCAPE means a backslash
    /// (or is refused, under NO_BACKSLASH_ESCAPES). Such a LIKE runs in meshql.
    public var noLikeEscape: String? { nil }

    /// The keys as rows of `JSON_TABLE` (MariaDB 10.6 on), one parameter however many.
    public func keySetFilter(_ column: SQLText, parameterIndex index: Int, type: DataType, keyCount: Int) -> SQLText? {
        jsonKeys(column, index, type)
    }

    public func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText? {
        jsonKeys(operand, index, type)
    }

    private func jsonKeys(_ operand: SQLText, _ index: Int, _ type: DataType) -> SQLText? {
        guard type.isInteger else { return nil }
        return "(\(operand) IN (SELECT j.k FROM JSON_TABLE(\(SQLText.parameter(index - 1)), '$[*]' COLUMNS (k BIGINT PATH '$')) AS j))"
    }

    /// MariaDB's parser and evaluator recurse per level; keep expressions shallow.
    public var maxExpressionDepth: Int { 200 }

    public func supportsFunction(_ name: String, argumentTypes: [DataType]) -> Bool {
        switch name {
        case "coalesce", "nullif": true
        case "abs": argumentTypes.allSatisfy { $0.isInteger || $0 == .double || $0.physical == .decimal }
        case "length", "char_length", "character_length": argumentTypes == [.text]
        default: false
        }
    }

    /// `LENGTH` counts bytes in MariaDB; `CHAR_LENGTH` counts characters, as meshql's does.
    public func functionCall(_ name: String, arguments: [SQLText], argumentTypes: [DataType]) -> SQLText? {
        guard supportsFunction(name, argumentTypes: argumentTypes) else { return nil }
        let spelled = ["length", "char_length", "character_length"].contains(name) ? "CHAR_LENGTH" : name.uppercased()
        return "\(spelled)(\(arguments.joined(separator: ", ")))"
    }
}
