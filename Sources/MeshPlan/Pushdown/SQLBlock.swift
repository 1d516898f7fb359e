import MeshCore
import MeshDialect
import MeshSQL

/// One `SELECT` being assembled for a source. Plan nodes fold into the block while SQL allows
/// it (a filter into WHERE, a sort into ORDER BY …); otherwise the block becomes a subquery.
struct SQLBlock {
    var from: SQLText
    /// SQL for each output column, over the FROM clause's names.
    var outputs: [SQLText]
    var wheres: [SQLText] = []
    var groupBy: [SQLText]? = nil
    var having: [SQLText] = []
    var orderBy: [SQLText] = []
    var limit: SQLText? = nil
    var offset: SQLText? = nil
    var distinct = false
    /// `from` is a join of several tables (not one table or subquery).
    var fromIsJoin = false
    /// The block's WHERE (or a table it reads without a fence) holds a product's policy
    /// filter: a source evaluates one level's conditions in any order, so a condition that
    /// could leak must not join them at this level (see `fenced`).
    var guarded = false
    /// The quoted alias of the one table the FROM names, for a block made from a scan (a
    /// wrapped or joined block has none): a big read of it can be cut into row ranges.
    var tableAlias: String? = nil
    /// Each output is a column of the FROM clause, not an expression computed over it. Only
    /// then may the block be the NULL-extended side of an outer join unwrapped: an output
    /// like `1`, `x IS NULL` or `COALESCE(x, 0)` printed above the join would be computed for
    /// the rows the join makes up, where it must be NULL.
    var outputsAreColumns = true
    /// Positions of the outputs whose SQL is a constant expression (`$1::integer`, `FALSE`):
    /// a source reads a bare constant in ORDER BY or GROUP BY as a column position (SQLite's
    /// `ORDER BY 1`) or refuses it (PostgreSQL's "non-integer constant in ORDER BY"), so such
    /// keys are left out; they neither order nor split groups. Outputs read from a subquery
    /// are column references again, and a source must see those grouped.
    var constantOutputs: Set<Int> = []
    /// One table, filtered and projected only: each row range of the table gives its rows.
    var readsRowsOfOneTable: Bool {
        tableAlias != nil && !fromIsJoin && groupBy == nil && having.isEmpty && orderBy.isEmpty && limit == nil
            && offset == nil && !distinct && !guarded
    }
    /// No WHERE/GROUP/ORDER/LIMIT/DISTINCT: the FROM can be joined directly.
    var isPlain: Bool {
        wheres.isEmpty && groupBy == nil && having.isEmpty && orderBy.isEmpty && limit == nil && offset == nil && !distinct
    }

    /// Whether the FROM can be joined directly as a join's input: plain, and on a side an
    /// outer join extends with NULLs, selecting columns only (see `outputsAreColumns`).
    func joinsDirectly(nullExtended: Bool) -> Bool {
        isPlain && (!nullExtended || outputsAreColumns)
    }

    func render(_ dialect: any SQLDialect) -> SQLText {
        var s: SQLText = "SELECT "
        if distinct { s.append("DISTINCT ") }
        s.append(outputs.enumerated().map { "\($1) AS \(dialect.quoteIdentifier("c\($0)"))" as SQLText }.joined(separator: ", "))
        s.append(" FROM \(from)")
        if !wheres.isEmpty { s.append(" WHERE \(Self.conjunction(wheres))") }
        if let groupBy, !groupBy.isEmpty { s.append(" GROUP BY \(groupBy.joined(separator: ", "))") }
        if !having.isEmpty { s.append(" HAVING \(Self.conjunction(having))") }
        if !orderBy.isEmpty { s.append(" ORDER BY \(orderBy.joined(separator: ", "))") }
        if limit != nil || offset != nil { s.append(" \(dialect.limitClause(limit: limit, offset: offset))") }
        return s
    }

    /// Conditions joined by AND: as a flat list for a few; for many, grouped in balanced
    /// parentheses, since a source parses `a AND b AND …` into a tree as deep as the list
    /// (SQLite refuses depth 1000: "Expression tree is too large").
    static func conjunction(_ parts: [SQLText]) -> SQLText {
        guard parts.count > Parser.leftDeepChainLimit else { return parts.joined(separator: " AND ") }
        return associativeChain(parts) { "(\($0) AND \($1))" } ?? SQLText()
    }

    /// This block as a subquery named `alias`, read through a fresh plain block. A source may
    /// flatten the subquery into the outer block, so a guard stays a guard.
    func wrapped(_ alias: String, _ dialect: any SQLDialect) -> SQLBlock {
        let q = dialect.quoteIdentifier(alias)
        return SQLBlock(from: "(\(render(dialect))) AS \(q)",
                        outputs: outputs.indices.map { SQLText("\(q).\(dialect.quoteIdentifier("c\($0)"))") }, guarded: guarded)
    }

    /// This block as a subquery the source can neither flatten nor push conditions into
    /// (`SQLDialect.policyFence`: an `OFFSET 0` on PostgreSQL and SQLite), so its own
    /// conditions (a policy filter) filter the rows before the outer block's conditions see
    /// them; nil where the source has no fence.
    func fenced(_ alias: String, _ dialect: any SQLDialect) -> SQLBlock? {
        var inner = self
        if inner.limit == nil, inner.offset == nil {
            guard let fence = dialect.policyFence else { return nil }
            inner.limit = fence.limit
            inner.offset = fence.offset
        }
        var outer = inner.wrapped(alias, dialect)
        outer.guarded = false
        return outer
    }
}

extension SQLBlock {
    /// The block with `transform` applied to every piece of its SQL.
    func mapText(_ transform: (SQLText) -> SQLText) -> SQLBlock {
        var b = self
        b.from = transform(from)
        b.outputs = outputs.map(transform)
        b.wheres = wheres.map(transform)
        b.groupBy = groupBy?.map(transform)
        b.having = having.map(transform)
        b.orderBy = orderBy.map(transform)
        b.limit = limit.map(transform)
        b.offset = offset.map(transform)
        return b
    }
}
