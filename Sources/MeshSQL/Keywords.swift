/// The dialect's keywords: the full list for completion, and the reserved ones the parser will
/// not take as names (PostgreSQL's reserved words plus the words that can follow a FROM item or
/// select item, so `FROM t LEFT JOIN …` never reads LEFT as an alias).
public enum Keywords {
    /// Words that cannot be used as an unquoted column, table or alias name (lower case).
    static let reserved: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
        "case", "cast", "check", "collate", "column", "constraint", "create", "cross",
        "current_catalog", "current_date", "current_role", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
        "false", "fetch", "for", "foreign", "from", "full", "grant", "group", "having", "ilike", "in",
        "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
        "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null",
        "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
        "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
        "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
        "variadic", "when", "where", "window", "with",
    ]

    /// Reserved words that may still name a function when followed by `(` (`left(s, 2)`,
    /// `current_user()`).
    static let functionNames: Set<String> = [
        "left", "right", "current_user", "current_role", "session_user", "user", "current_catalog",
    ]

    /// Non-reserved words with their own expression syntax; printed quoted when used as names so
    /// the text can never be read back differently.
    static let expressionWords: Set<String> = [
        "exists", "extract", "substring", "position", "trim", "overlay", "date", "time", "timestamp",
        "timestamptz", "interval", "filter", "over",
    ]

    /// Words that are keywords somewhere in the dialect but not reserved (lower case).
    static let unreserved: Set<String> = [
        "add", "alter", "attribute", "audit", "between", "by", "cascade", "columns", "connector", "connectors",
        "data", "day", "deny", "describe", "drop", "escape", "exists", "explain", "extract", "filter",
        "first", "following", "hour", "if", "ilike", "import", "interval", "last", "mask", "mesh",
        "meshes", "minute", "month", "next", "nulls", "options", "over", "partition", "policies",
        "policy", "position", "preceding", "product", "products", "public", "recursive", "refresh",
        "restrict", "role", "row", "rows", "schema", "second", "set", "show", "substring", "tagged",
        "tags", "test", "time", "timestamp", "trim", "type", "use", "year", "zone", "date", "precision",
        "varying", "without", "mesh", "analyze", "verbose",
    ]

    /// Type names offered for completion (lower case).
    static let typeNames: [String] = [
        "bigint", "boolean", "bytea", "char", "character", "date", "decimal", "double", "integer", "int",
        "numeric", "real", "smallint", "text", "timestamp", "timestamptz", "varchar",
    ]

    /// Every keyword and type name, upper case and sorted, for tab completion.
    public static let all: [String] = Set(reserved).union(unreserved).union(typeNames).map { $0.uppercased() }.sorted()

    /// Built-in function names (lower case), for tab completion.
    public static let functions: [String] = [
        "abs", "avg", "bool_and", "bool_or", "ceil", "coalesce", "concat", "count", "current_attr",
        "current_org", "current_user", "date_part", "date_trunc", "dense_rank", "floor", "greatest",
        "has_role", "lag", "lead", "least", "length", "lower", "lpad", "max", "min", "mod", "now",
        "nullif", "position", "power", "rank", "replace", "round", "row_number", "rpad", "split_part",
        "sqrt", "starts_with", "string_agg", "substring", "sum", "trim", "upper",
    ]

    /// True when `word` (any case) is reserved and so cannot be an unquoted name.
    public static func isReserved(_ word: String) -> Bool {
        reserved.contains(word.lowercased())
    }

    /// True when `name` must be written `"quoted"` to be read back as the same identifier.
    public static func needsQuoting(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return true }
        for s in name.unicodeScalars where !(s == "_" || s == "$" || ("a"..."z").contains(s) || ("0"..."9").contains(s)) {
            return true
        }
        return reserved.contains(name) || expressionWords.contains(name)
    }

    /// `name` as an SQL identifier: bare when it reads back unchanged, otherwise `"quoted"`.
    public static func quoteIfNeeded(_ name: String) -> String {
        guard needsQuoting(name) else { return name }
        var out = "\""
        for c in name {
            if c == "\"" { out.append("\"") }
            out.append(c)
        }
        out.append("\"")
        return out
    }
}
