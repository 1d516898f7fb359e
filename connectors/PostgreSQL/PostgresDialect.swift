import MeshCore
import MeshDialect

/// PostgreSQL's SQL: meshql's own semantics, so everything can be pushed down.
public struct PostgresDialect: SQLDialect {
    public init() {}

    public var name: String { "postgres" }

    /// `$n::type`: the cast tells the server the parameter's type, since values are sent as
    /// text with no type OIDs. Decimals are sent as plain `numeric` (no typmod) so that a
    /// value is never rounded or rejected on the way in.
    public func placeholder(index: Int, type: DataType) -> SQLText {
        .parameter(index - 1, suffix: "::" + PGType.castName(type, withTypmod: false))
    }

    public func parameterMarker(_ number: Int) -> String { "$\(number)" }

    /// `= ANY(array)`: a plain condition on the column, which PostgreSQL pushes into a
    /// grouped subquery (a sublink it would not).
    /// A `character(n)` column compares without its padding against text, while meshql read
    /// (and keyed) it padded: such rows are kept, a filter may keep too many, never too few.
    /// Many keys: `x IN (SELECT unnest($n))`. PostgreSQL hashes an array only when it is a
    /// constant of the plan, so against a parameter `= ANY` compares each row with every
    /// element (24,000 keys on 24,000 rows: 2 s), where the subquery becomes a hashed semi
    /// join (20 ms). Fewer keys: `x = ANY($n)`, which an index can serve and which goes down
    /// into a grouped subquery (TPC-H q17, 204 keys: 1.6 s, where the other form aggregates
    /// all of lineitem first: 4.5 s; q20's 5,716 keys likewise).
    static func inArray(_ operand: SQLText, _ index: Int, _ elementType: String, count: Int) -> SQLText {
        let array = SQLText.parameter(index - 1, suffix: "::\(elementType)[]")
        return count <= manyKeys ? "\(operand) = ANY(\(array))" : "\(operand) IN (SELECT unnest(\(array)))"
    }

    static let manyKeys = 10_000

    public func keySetFilter(_ column: SQLText, parameterIndex index: Int, type: DataType, keyCount: Int) -> SQLText? {
        if type.isInteger { return Self.inArray(column, index, "int8", count: keyCount) }
        guard type == .text else { return nil }
        return "(\(Self.inArray(column, index, "text", count: keyCount)) OR pg_typeof(\(column)) = 'character'::regtype)"
    }

    /// A `ctid` range, which PostgreSQL 14 and later read as a TID range scan: only those
    /// pages. `current_setting` is stable, so the bounds are read once per query.
    public func rowRangeCondition(_ tableAlias: String) -> SQLText? {
        let (lower, upper) = rowRangeSettings
        return "(\(tableAlias).ctid >= current_setting('\(lower)')::tid AND \(tableAlias).ctid < current_setting('\(upper)')::tid)"
    }

    /// Page ranges of equal length; the last one open up to the highest page number, so rows
    /// written past the counted pages are read too.
    public func rowRanges(pages: Int, parts: Int) -> [(lower: String, upper: String)] {
        guard parts > 1, pages >= parts else { return [] }
        let step = pages / parts
        return (0..<parts).map { k in
            ("(\(k * step),0)", k == parts - 1 ? "(4294967295,0)" : "(\((k + 1) * step),0)")
        }
    }

    /// A scalar subquery, which PostgreSQL evaluates once per query (an init plan) where a
    /// bare `current_setting` would be called, and its text converted, for every row.
    public func settingPlaceholder(_ setting: String, suffix: String) -> SQLText? {
        "(SELECT current_setting('\(setting)')\(suffix))"
    }

    /// An IN list of constants: short by the time it gets here (a few hundred at most).
    public func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText? {
        if type.isInteger { return "(\(operand) = ANY(\(SQLText.parameter(index - 1, suffix: "::int8[]"))))" }
        return type == .text ? "(\(operand) = ANY(\(SQLText.parameter(index - 1, suffix: "::text[]"))))" : nil
    }

    public func keySetParameter(_ keys: [Value]) -> Value? {
        KeySetEncoding.postgresArray(keys).map { .string($0) }
    }

    public func castTypeName(_ type: DataType) -> String? {
        if case .unknown = type { return nil }
        return PGType.castName(type, withTypmod: true)
    }

    public func supports(_ feature: PushdownFeature) -> Bool { true }

    /// PostgreSQL's LIKE escapes with a backslash unless told otherwise.
    public var noLikeEscape: String? { " ESCAPE ''" }

    /// Functions whose PostgreSQL meaning is the one meshql implements.
    public func supportsFunction(_ name: String, argumentTypes: [DataType]) -> Bool {
        // GREATEST/LEAST of text follow the database's collation, not byte order.
        if name == "greatest" || name == "least", argumentTypes.contains(.text) { return false }
        return Self.functions.contains(name)
    }

    /// `lower`/`upper` under the "C" collation map only ASCII letters, as meshql does, whatever
    /// the database's own locale would do with other letters.
    public func functionCall(_ name: String, arguments: [SQLText], argumentTypes: [DataType]) -> SQLText? {
        guard supportsFunction(name, argumentTypes: argumentTypes) else { return nil }
        if (name == "lower" || name == "upper"), arguments.count == 1 {
            return "\(name)((\(arguments[0])) COLLATE \"C\")"
        }
        // meshql's position(haystack, needle) is PostgreSQL's strpos; its `position` takes
        // only the `position(needle IN haystack)` syntax.
        if name == "position", arguments.count == 2 { return "strpos(\(arguments[0]), \(arguments[1]))" }
        return "\(name)(\(arguments.joined(separator: ", ")))"
    }

    /// The "C" collation orders by bytes whatever the database's default collation is.
    public func byteOrderedText(_ sql: SQLText) -> SQLText? { "(\(sql) COLLATE \"C\")" }

    static let functions: Set<String> = [
        "lower", "upper", "length", "char_length", "character_length", "octet_length",
        "abs", "round", "floor", "ceil", "ceiling", "trunc", "sign", "sqrt", "power", "mod", "exp", "ln",
        "coalesce", "nullif", "greatest", "least",
        "substring", "substr", "position", "strpos", "trim", "btrim", "ltrim", "rtrim",
        "replace", "lpad", "rpad", "left", "right", "reverse", "concat", "split_part", "starts_with",
        "initcap", "repeat", "date_trunc", "date_part", "extract",
    ]
}
