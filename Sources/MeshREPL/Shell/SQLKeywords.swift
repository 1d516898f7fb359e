/// The words tab completion offers besides names: the dialect's keywords (SQL.md) and its
/// functions, in lower case.
///
/// TODO: use MeshSQL's keyword list once it is public, so the two cannot drift apart.
enum SQLKeywords {
    static let all: [String] = [
        // Queries
        "select", "distinct", "from", "where", "group", "by", "having", "order", "asc", "desc",
        "nulls", "first", "last", "limit", "offset", "fetch", "next", "rows", "row", "only", "as",
        "join", "inner", "left", "right", "full", "outer", "cross", "on", "using", "with",
        "union", "all", "intersect", "except", "case", "when", "then", "else", "end",
        "and", "or", "not", "null", "is", "in", "exists", "between", "like", "ilike", "escape",
        "true", "false", "cast", "extract", "substring", "position", "trim", "leading", "trailing",
        "both", "interval", "date", "timestamp", "timestamptz", "current_date", "current_timestamp",
        "over", "partition", "filter", "explain", "analyze", "values",
        // Types
        "boolean", "smallint", "integer", "bigint", "real", "double", "precision", "decimal",
        "numeric", "varchar", "text", "bytea",
        // Catalog and session
        "create", "alter", "drop", "mesh", "meshes", "connector", "connectors", "data", "product",
        "products", "import", "refresh", "test", "type", "options", "set", "use", "show",
        "describe", "policies", "policy", "domain", "domains", "cascade", "schema", "column", "columns", "tags",
        "tagged", "for", "to",
        // Policies
        "grant", "deny", "mask", "public", "role", "user", "attribute",
        // Functions
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "string_agg", "coalesce",
        "nullif", "greatest", "least", "abs", "round", "floor", "ceil", "power", "sqrt", "mod",
        "length", "lower", "upper", "replace", "lpad", "rpad", "split_part", "starts_with",
        "concat", "date_trunc", "date_part", "now", "row_number", "rank", "dense_rank", "lag",
        "lead", "current_user", "current_org", "has_role", "current_attr", "redact", "mask_email",
        "show_first", "show_last", "hash", "year",
    ]

    static let set: Set<String> = Set(all)
}
