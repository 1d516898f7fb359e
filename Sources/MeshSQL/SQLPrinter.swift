/// Prints syntax trees as canonical meshql SQL that parses back to an equal tree: keywords in
/// upper case, every operator application parenthesised, identifiers quoted only when needed.
public enum SQLPrinter {
    /// A query, on one line.
    public static func print(_ q: Query) -> String {
        var out = ""
        if !q.with.isEmpty {
            out += "WITH " + q.with.map(cte).joined(separator: ", ") + " "
        }
        out += body(q.body)
        if !q.orderBy.isEmpty { out += " ORDER BY " + orderItems(q.orderBy) }
        if let limit = q.limit { out += " LIMIT " + print(limit) }
        if let offset = q.offset { out += " OFFSET " + print(offset) }
        return out
    }

    static func identifier(_ name: String) -> String { Keywords.quoteIfNeeded(name) }

    static func name(_ parts: [String]) -> String { parts.map(identifier).joined(separator: ".") }

    static func identifierList(_ names: [String]) -> String {
        "(" + names.map(identifier).joined(separator: ", ") + ")"
    }

    private static func cte(_ c: CommonTableExpression) -> String {
        var out = identifier(c.name)
        if !c.columnAliases.isEmpty { out += identifierList(c.columnAliases) }
        return out + " AS (" + print(c.query) + ")"
    }

    private static func precedence(_ op: SetOperator) -> Int { op == .intersect ? 2 : 1 }

    private static func body(_ b: QueryBody) -> String {
        switch b {
        case .select(let s):
            return select(s)
        case .nested(let q):
            return "(" + print(q) + ")"
        case .setOperation(let op, let all, let left, let right):
            // The parser builds left-deep trees, INTERSECT below UNION/EXCEPT; print without
            // parentheses wherever reading back yields the same shape.
            var l = body(left)
            if case .setOperation(let lop, _, _, _) = left, precedence(lop) < precedence(op) { l = "(" + l + ")" }
            var r = body(right)
            if case .setOperation(let rop, _, _, _) = right, precedence(rop) <= precedence(op) { r = "(" + r + ")" }
            return l + " " + op.rawValue + (all ? " ALL " : " ") + r
        }
    }

    private static func select(_ s: Select) -> String {
        var out = s.distinct ? "SELECT DISTINCT " : "SELECT "
        out += s.items.map(selectItem).joined(separator: ", ")
        if !s.from.isEmpty { out += " FROM " + s.from.map(tableRef).joined(separator: ", ") }
        if let w = s.whereClause { out += " WHERE " + print(w) }
        if !s.groupBy.isEmpty { out += " GROUP BY " + s.groupBy.map(print).joined(separator: ", ") }
        if let h = s.having { out += " HAVING " + print(h) }
        return out
    }

    private static func selectItem(_ item: SelectItem) -> String {
        switch item {
        case .wildcard: "*"
        case .qualifiedWildcard(let q, _): name(q) + ".*"
        case .expr(let e, let alias): print(e) + (alias.map { " AS " + identifier($0) } ?? "")
        }
    }

    private static func tableRef(_ t: TableRef) -> String {
        switch t {
        case .table(let n, let alias):
            return name(n.parts) + (alias.map { " AS " + identifier($0) } ?? "")
        case .derived(let q, let alias, let columns, _):
            var out = "(" + print(q) + ")"
            if let alias { out += " AS " + identifier(alias) }
            if !columns.isEmpty { out += identifierList(columns) }
            return out
        case .join(let left, let kind, let right, let condition, _):
            var r = tableRef(right)
            if case .join = right { r = "(" + r + ")" }
            var out = tableRef(left) + " "
            switch kind {
            case .inner: out += "JOIN "
            case .cross: out += "CROSS JOIN "
            case .left, .right, .full: out += kind.rawValue + " JOIN "
            }
            out += r
            switch condition {
            case .on(let e): out += " ON " + print(e)
            case .using(let cols): out += " USING " + identifierList(cols)
            case .none: break
            }
            return out
        }
    }

    static func orderItems(_ items: [OrderItem]) -> String {
        items.map { item in
            var out = print(item.expr)
            if item.descending { out += " DESC" }
            if let nf = item.nullsFirst { out += nf ? " NULLS FIRST" : " NULLS LAST" }
            return out
        }.joined(separator: ", ")
    }
}
