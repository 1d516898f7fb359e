/// Seeded random SELECTs over four small tables `m.ta` … `m.td` (columns `a`, `b` integer and
/// `s` text, many NULLs), for the random differential test: each query means the same in
/// meshql and in PostgreSQL, and its answer does not depend on how either runs it. So:
/// - every column is qualified, every output named (`c0`, `c1`, …);
/// - a LIMIT always follows an ORDER BY of every output column (rows that tie are equal), and
///   scalar subqueries are aggregates or, where allowed, ordered with LIMIT 1;
/// - no division (a zero divisor fails on some rows only), no float, ASCII text only.
///
/// What it aims at is where pushdown and decorrelation go wrong: outer joins over derived
/// tables that select constants and expressions, constants in ORDER BY and GROUP BY, pruned
/// columns, subqueries in every position, set operations, windows and NULL-heavy data.
/// The same seed gives the same queries. Forms meshql refuses are left out: a subquery in a
/// FULL JOIN's ON clause reading both sides, a correlated second branch of INTERSECT or
/// EXCEPT, a subquery in GROUP BY.
public struct RandomQueryGenerator {
    public enum ColumnType: Sendable { case int, text, bool }

    /// A value a query can read: SQL text and its type.
    struct Item {
        var sql: String
        var type: ColumnType
    }

    public static let tables = ["ta", "tb", "tc", "td"]
    static let tableColumns: [(String, ColumnType)] = [("a", .int), ("b", .int), ("s", .text)]

    private var random: SeededRandom
    private var nextAlias = 0
    /// Set while generating GROUP BY keys (which meshql takes without subqueries) and the
    /// plain conditions of ON clauses (their subqueries come from `joinCondition`).
    private var noSubqueries = false
    /// A CTE no relation reads yet: the next relation reads it. (PostgreSQL binds, and so
    /// checks, a CTE the query does not read; meshql does not.)
    private var cteUnread = false

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    // MARK: - Randomness

    mutating func below(_ n: Int) -> Int { random.below(n) }
    mutating func pick<T>(_ xs: [T]) -> T { random.pick(xs) }
    mutating func chance(_ percent: Int) -> Bool { random.chance(percent) }
    mutating func alias(_ prefix: String) -> String {
        defer { nextAlias += 1 }
        return "\(prefix)\(nextAlias)"
    }

    // MARK: - Queries

    /// One query and whether its rows come in a defined order (an outermost ORDER BY).
    public mutating func nextQuery() -> (sql: String, ordered: Bool) {
        nextAlias = 0
        var prefix = ""
        var ctes: [(name: String, columns: [ColumnType])] = []
        if chance(15) {
            let name = alias("w")
            let (sql, columns) = select(outer: [], depth: 1, types: nil, ctes: [])
            prefix = "WITH \(name) AS (\(sql)) "
            ctes.append((name, columns))
            cteUnread = true
        }
        var (sql, columns) = chance(15) ? setOperation(outer: [], depth: 2, ctes: ctes) : select(outer: [], depth: 2, types: nil, ctes: ctes)
        var ordered = false
        if chance(40) {
            sql += orderByAll(columns.count)
            ordered = true
            if chance(70) { sql += " LIMIT \(below(12))" + (chance(25) ? " OFFSET \(below(5))" : "") }
        }
        return (prefix + sql, ordered)
    }

    /// `ORDER BY` every output position, each ascending or descending, NULLs first or last,
    /// in a random order: a total order up to equal rows.
    mutating func orderByAll(_ n: Int) -> String {
        var positions = Array(1...n)
        for i in positions.indices.reversed() { positions.swapAt(i, below(i + 1)) }
        return " ORDER BY " + positions.map { p in
            "\(p)" + pick(["", " ASC", " DESC"]) + pick(["", "", " NULLS FIRST", " NULLS LAST"])
        }.joined(separator: ", ")
    }

    /// `select UNION / INTERSECT / EXCEPT [ALL] select`, both sides of the same column types.
    mutating func setOperation(outer: [Item], depth: Int, ctes: [(name: String, columns: [ColumnType])]) -> (String, [ColumnType]) {
        let (left, types) = select(outer: outer, depth: depth - 1, types: nil, ctes: ctes, maxColumns: 3)
        let (right, _) = select(outer: outer, depth: depth - 1, types: types, ctes: ctes)
        let op = pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "INTERSECT ALL", "EXCEPT ALL"])
        return ("\(left) \(op) \(right)", types)
    }

    /// A SELECT block; with `types`, its outputs have those types.
    mutating func select(outer: [Item], depth: Int, types: [ColumnType]?, ctes: [(name: String, columns: [ColumnType])],
                         maxColumns: Int = 4) -> (String, [ColumnType]) {
        let scope = from(outer: outer, depth: depth, ctes: ctes)
        var sql = ""
        // The first output is an integer: something to join on.
        let wantTypes = types ?? [.int] + (0..<below(maxColumns)).map { _ in pick([ColumnType.int, .int, .text, .bool]) }
        let grouped = chance(30)
        var outputs: [String] = []
        var whereClause = ""
        if chance(55) { whereClause = " WHERE " + predicate(scope.items, outer: outer, depth: depth) }
        if grouped {
            // Group keys: columns or expressions of the scope; outputs are keys, aggregates
            // or constants.
            var keys: [Item] = []
            noSubqueries = true
            for _ in 0..<(1 + below(2)) { keys.append(chance(75) ? pick(scope.items) : expression(.int, scope.items, outer: [], depth: 1)) }
            noSubqueries = false
            for (i, t) in wantTypes.enumerated() {
                let matching = keys.filter { $0.type == t }
                let e: String
                if !matching.isEmpty, chance(50) {
                    e = pick(matching).sql
                } else {
                    e = aggregate(t, scope.items) ?? constant(t)
                }
                outputs.append("\(e) AS c\(i)")
            }
            sql = "SELECT " + (chance(10) ? "DISTINCT " : "") + outputs.joined(separator: ", ") + " FROM " + scope.sql + whereClause
            sql += " GROUP BY " + keys.map(\.sql).joined(separator: ", ")
            if chance(30) { sql += " HAVING " + havingPredicate(scope.items) }
        } else {
            for (i, t) in wantTypes.enumerated() {
                let e: String
                if t != .bool, chance(8) {
                    e = window(t, scope.items)
                } else if chance(15) {
                    e = constant(t)
                } else {
                    e = expression(t, scope.items, outer: outer, depth: depth).sql
                }
                outputs.append("\(e) AS c\(i)")
            }
            sql = "SELECT " + (chance(10) ? "DISTINCT " : "") + outputs.joined(separator: ", ") + " FROM " + scope.sql + whereClause
        }
        return (sql, wantTypes)
    }

    /// A FROM clause of one to three relations joined; what it makes visible.
    mutating func from(outer: [Item], depth: Int, ctes: [(name: String, columns: [ColumnType])]) -> (sql: String, items: [Item]) {
        var (sql, items) = relation(depth: depth, ctes: ctes)
        for _ in 0..<below(depth > 0 ? 3 : 2) {
            let (rsql, ritems) = relation(depth: depth, ctes: ctes)
            let kind = chance(5) ? "CROSS JOIN" : pick(["JOIN", "LEFT JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"])
            if kind == "CROSS JOIN" {
                sql += " CROSS JOIN \(rsql)"
            } else {
                sql += " \(kind) \(rsql) ON " + joinCondition(items, ritems, full: kind == "FULL JOIN", depth: depth)
            }
            items += ritems
        }
        return (sql, items)
    }

    /// A join's condition: an equality of integer columns of either side, sometimes with more.
    mutating func joinCondition(_ left: [Item], _ right: [Item], full: Bool, depth: Int) -> String {
        let li = left.filter { $0.type == .int }, ri = right.filter { $0.type == .int }
        guard !li.isEmpty, !ri.isEmpty else {
            // PostgreSQL runs a FULL JOIN only on equalities it can hash or merge.
            return full ? "TRUE" : predicate(left + right, outer: [], depth: 0)
        }
        var c = "\(pick(li).sql) = \(pick(ri).sql)"
        // A subquery in a FULL JOIN's ON reads one side (meshql refuses one reading both).
        if full {
            if depth > 0, chance(10) { c += " AND " + subqueryPredicate(chance(50) ? left : right, depth: depth - 1) }
            return c
        }
        if chance(30) {
            noSubqueries = true
            c += " AND " + predicate(left + right, outer: [], depth: 0)
            noSubqueries = false
        }
        if depth > 0, chance(15) { c += " AND " + subqueryPredicate(pick([left, right, left + right]), depth: depth - 1) }
        return c
    }

    /// A table, or a derived table (or CTE) whose outputs are constants and expressions.
    mutating func relation(depth: Int, ctes: [(name: String, columns: [ColumnType])]) -> (String, [Item]) {
        if !ctes.isEmpty, cteUnread || chance(30) {
            cteUnread = false
            let cte = pick(ctes), a = alias("x")
            return ("\(cte.name) AS \(a)", cte.columns.enumerated().map { Item(sql: "\(a).c\($0)", type: $1) })
        }
        if depth > 0, chance(35) {
            let a = alias("d")
            let (sql, types) = chance(15) ? setOperation(outer: [], depth: depth, ctes: ctes)
                                          : derivedSelect(depth: depth - 1)
            return ("(\(sql)) AS \(a)", types.enumerated().map { Item(sql: "\(a).c\($0)", type: $1) })
        }
        let a = alias("t")
        return ("m.\(pick(Self.tables)) AS \(a)", Self.tableColumns.map { Item(sql: "\(a).\($0.0)", type: $0.1) })
    }

    /// A derived table of one table that selects a key, constants and expressions that are
    /// not NULL where the key is (what an outer join above must still make NULL).
    mutating func derivedSelect(depth: Int) -> (String, [ColumnType]) {
        if chance(40) { return select(outer: [], depth: depth, types: nil, ctes: []) }
        let t = alias("t")
        let table = "m.\(pick(Self.tables)) AS \(t)"
        var outputs: [String] = ["\(t).a AS c0"]
        var types: [ColumnType] = [.int]
        for _ in 0..<(1 + below(3)) {
            let (e, type): (String, ColumnType) = switch below(8) {
            case 0: ("\(below(3))", .int)
            case 1: (pick(["TRUE", "FALSE"]), .bool)
            case 2: ("'k'", .text)
            case 3: ("\(t).a IS NULL", .bool)
            case 4: ("COALESCE(\(t).b, \(below(5)))", .int)
            case 5: ("CAST(NULL AS integer)", .int)
            case 6: ("\(t).s", .text)
            default: ("\(t).b + 1", .int)
            }
            outputs.append("\(e) AS c\(outputs.count)")
            types.append(type)
        }
        var sql = "SELECT " + outputs.joined(separator: ", ") + " FROM \(table)"
        if chance(30) { sql += " WHERE \(t).b IS NOT NULL" }
        if chance(15) { sql += orderByAll(outputs.count) + " LIMIT \(5 + below(30))" }
        return (sql, types)
    }

    // MARK: - Expressions

    mutating func constant(_ t: ColumnType) -> String {
        switch t {
        case .int: pick(["0", "1", "2", "7", "-1", "CAST(NULL AS integer)"])
        case .text: pick(["'a'", "'b'", "''", "'zz'", "CAST(NULL AS text)"])
        case .bool: pick(["TRUE", "FALSE", "CAST(NULL AS boolean)"])
        }
    }

    mutating func expression(_ t: ColumnType, _ scope: [Item], outer: [Item], depth: Int) -> Item {
        if t == .bool { return Item(sql: predicate(scope, outer: outer, depth: depth), type: .bool) }
        let columns = scope.filter { $0.type == t }
        if depth <= 0 || chance(40) {
            if !columns.isEmpty, chance(80) { return pick(columns) }
            return Item(sql: constant(t), type: t)
        }
        func sub(_ type: ColumnType) -> String { expression(type, scope, outer: outer, depth: depth - 1).sql }
        switch t {
        case .int:
            switch below(9) {
            case 0: return Item(sql: "(\(sub(.int)) + \(sub(.int)))", type: .int)
            case 1: return Item(sql: "(\(sub(.int)) - \(below(4)))", type: .int)
            case 2: return Item(sql: "COALESCE(\(sub(.int)), \(below(5)))", type: .int)
            case 3: return Item(sql: "NULLIF(\(sub(.int)), \(below(4)))", type: .int)
            case 4: return Item(sql: "CASE WHEN \(predicate(scope, outer: outer, depth: depth - 1)) THEN \(sub(.int)) ELSE \(sub(.int)) END", type: .int)
            case 5: return Item(sql: "abs(\(sub(.int)))", type: .int)
            case 6: return Item(sql: "length(\(sub(.text)))", type: .int)
            case 7 where !noSubqueries: return Item(sql: scalarSubquery(scope + outer, depth: depth - 1), type: .int)
            default: return Item(sql: "(\(sub(.int)) * 2)", type: .int)
            }
        case .text:
            switch below(5) {
            case 0: return Item(sql: "lower(\(sub(.text)))", type: .text)
            case 1: return Item(sql: "upper(\(sub(.text)))", type: .text)
            case 2: return Item(sql: "(\(sub(.text)) || 'x')", type: .text)
            case 3: return Item(sql: "COALESCE(\(sub(.text)), 'n')", type: .text)
            default: return Item(sql: "CASE WHEN \(predicate(scope, outer: outer, depth: depth - 1)) THEN \(sub(.text)) ELSE \(sub(.text)) END", type: .text)
            }
        case .bool:
            fatalError("handled above")
        }
    }

    /// A condition over `scope`; `outer` holds an enclosing query's columns a subquery may read.
    mutating func predicate(_ scope: [Item], outer: [Item], depth: Int) -> String {
        let visible = scope + (chance(50) ? outer : [])
        let bools = visible.filter { $0.type == .bool }
        switch below(depth > 0 && !noSubqueries ? 13 : 9) {
        case 0, 1:
            let t = pick([ColumnType.int, .int, .text])
            let op = pick(["=", "<>", "<", "<=", ">", ">="])
            return "\(expression(t, visible, outer: [], depth: 1).sql) \(op) \(expression(t, visible, outer: [], depth: 0).sql)"
        case 2:
            let x = expression(pick([.int, .text]), visible, outer: [], depth: 1).sql
            if chance(25) { return "\(x) IS NULL = \(pick(["TRUE", "FALSE"]))" }
            return "\(x) IS \(chance(50) ? "NOT " : "")NULL"
        case 3:
            let list = (0..<(1 + below(3))).map { _ in "\(below(8))" } + (chance(25) ? ["NULL"] : [])
            return "\(expression(.int, visible, outer: [], depth: 0).sql) \(chance(30) ? "NOT " : "")IN (\(list.joined(separator: ", ")))"
        case 4:
            return "\(expression(.text, visible, outer: [], depth: 0).sql) \(chance(20) ? "NOT " : "")LIKE '\(pick(["a%", "%b", "_", "%"]))'"
        case 5:
            if let b = bools.isEmpty ? nil : pick(bools) { return chance(30) ? "NOT \(b.sql)" : b.sql }
            return "\(expression(.int, visible, outer: [], depth: 0).sql) IS NOT NULL"
        case 6:
            return "(\(predicate(scope, outer: outer, depth: depth - 1)) \(pick(["AND", "OR"])) \(predicate(scope, outer: outer, depth: depth - 1)))"
        case 7:
            return "NOT (\(predicate(scope, outer: outer, depth: depth - 1)))"
        case 8:
            return "\(expression(.int, visible, outer: [], depth: 0).sql) IS DISTINCT FROM \(expression(.int, visible, outer: [], depth: 0).sql)"
        default:
            return subqueryPredicate(scope + outer, depth: depth - 1)
        }
    }

    /// EXISTS, IN, a comparison with a scalar subquery or a quantified comparison; the
    /// subquery may read `outer` (correlated).
    mutating func subqueryPredicate(_ outer: [Item], depth: Int) -> String {
        let x = expression(.int, outer, outer: [], depth: 0).sql
        switch below(5) {
        case 0:
            return "\(chance(35) ? "NOT " : "")EXISTS (\(subquery(outer, depth: depth, column: chance(50) ? "1" : nil)))"
        case 1:
            return "\(x) \(chance(40) ? "NOT " : "")IN (\(subquery(outer, depth: depth, column: nil)))"
        case 2:
            return "\(x) \(pick(["=", "<", ">="])) \(scalarSubquery(outer, depth: depth))"
        case 3:
            return "\(scalarSubquery(outer, depth: depth)) IS NULL"
        default:
            let op = pick(["=", "<>", "<", ">", "<=", ">="]), q = pick(["ANY", "SOME", "ALL"])
            return "\(x) \(op) \(q) (\(subquery(outer, depth: depth, column: nil)))"
        }
    }

    /// `SELECT <int column or column> FROM … [WHERE …]`, maybe correlated with `outer`, maybe
    /// a set operation.
    mutating func subquery(_ outer: [Item], depth: Int, column: String?) -> String {
        let one = subqueryBlock(outer, depth: depth, column: column)
        guard chance(15) else { return one }
        // The second branch of INTERSECT or EXCEPT is not correlated: meshql refuses that.
        let op = pick(["UNION", "UNION ALL", "EXCEPT", "INTERSECT"])
        return one + " \(op) " + subqueryBlock(op.hasPrefix("UNION") ? outer : [], depth: depth, column: column)
    }

    mutating func subqueryBlock(_ outer: [Item], depth: Int, column: String?) -> String {
        let t = alias("u")
        let table = "m.\(pick(Self.tables)) AS \(t)"
        let inner = Self.tableColumns.map { Item(sql: "\(t).\($0.0)", type: $0.1) }
        var sql = "SELECT \(column ?? expression(.int, inner, outer: [], depth: 1).sql) FROM \(table)"
        var conditions: [String] = []
        let outerInts = outer.filter { $0.type == .int }
        if !outerInts.isEmpty, chance(65) {
            // Correlated: mostly an equality, sometimes not.
            conditions.append("\(t).\(pick(["a", "b"])) \(chance(75) ? "=" : pick(["<", ">", "<>"])) \(pick(outerInts).sql)")
        }
        if chance(40) { conditions.append(predicate(inner, outer: [], depth: max(0, depth))) }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return sql
    }

    /// A scalar subquery: an aggregate (one row whatever the input), or, where allowed, a
    /// value ordered with LIMIT 1.
    mutating func scalarSubquery(_ outer: [Item], depth: Int) -> String {
        let t = alias("v")
        let inner = Self.tableColumns.map { Item(sql: "\(t).\($0.0)", type: $0.1) }
        var conditions: [String] = []
        let outerInts = outer.filter { $0.type == .int }
        if !outerInts.isEmpty, chance(70) {
            conditions.append("\(t).\(pick(["a", "b"])) \(chance(75) ? "=" : pick(["<", ">"])) \(pick(outerInts).sql)")
        }
        if chance(30) { conditions.append(predicate(inner, outer: [], depth: 0)) }
        let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let table = "m.\(pick(Self.tables)) AS \(t)"
        if chance(20) {
            return "(SELECT \(t).b FROM \(table)\(whereSQL) ORDER BY 1 \(pick(["ASC", "DESC"])) NULLS LAST LIMIT 1\(chance(30) ? " OFFSET 1" : ""))"
        }
        let agg = pick(["max(\(t).a)", "min(\(t).b)", "count(*)", "count(\(t).a)", "sum(\(t).b)"])
        return "(SELECT \(agg) FROM \(table)\(whereSQL))"
    }

    /// An aggregate call of type `t` over `scope`, or nil when there is none of that type.
    mutating func aggregate(_ t: ColumnType, _ scope: [Item]) -> String? {
        let ints = scope.filter { $0.type == .int }, texts = scope.filter { $0.type == .text }
        switch t {
        case .int:
            guard !ints.isEmpty, chance(85) else { return pick(["count(*)", "count(*)"]) }
            let x = pick(ints).sql
            return pick(["count(\(x))", "sum(\(x))", "min(\(x))", "max(\(x))", "count(DISTINCT \(x))",
                         "sum(\(x)) FILTER (WHERE \(x) > 2)"])
        case .text:
            guard !texts.isEmpty else { return nil }
            let x = pick(texts).sql
            return pick(["min(\(x))", "max(\(x))"])
        case .bool:
            guard !ints.isEmpty else { return nil }
            return "count(\(pick(ints).sql)) > \(below(4))"
        }
    }

    mutating func havingPredicate(_ scope: [Item]) -> String {
        let ints = scope.filter { $0.type == .int }
        let x = ints.isEmpty ? "1" : pick(ints).sql
        return pick(["count(*) > \(below(4))", "sum(\(x)) IS NULL", "min(\(x)) < \(below(8))", "count(\(x)) >= \(below(3))"])
    }

    /// A window function whose value does not depend on how ties are broken.
    mutating func window(_ t: ColumnType, _ scope: [Item]) -> String {
        let ints = scope.filter { $0.type == .int }
        guard !ints.isEmpty else { return constant(t) }
        let p = pick(scope).sql, o = pick(ints).sql
        if t == .text {
            let texts = scope.filter { $0.type == .text }
            guard !texts.isEmpty else { return constant(t) }
            return "max(\(pick(texts).sql)) OVER (PARTITION BY \(p))"
        }
        return pick(["count(*) OVER (PARTITION BY \(p))", "sum(\(o)) OVER (PARTITION BY \(p))",
                     "rank() OVER (ORDER BY \(o))", "dense_rank() OVER (PARTITION BY \(p) ORDER BY \(o) DESC)",
                     "min(\(o)) OVER (ORDER BY \(o) NULLS FIRST)", "count(\(o)) OVER ()"])
    }
}
