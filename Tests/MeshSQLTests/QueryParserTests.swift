import Testing
@testable import MeshSQL

@Suite struct QueryParserTests {
    private func select(_ sql: String) throws -> Select {
        let q = try Parser.parseQuery(sql)
        guard case .select(let s) = q.body else { throw SQLSyntaxError("not a select", at: q.location) }
        return s
    }

    @Test func selectListAndAliases() throws {
        let s = try select("SELECT DISTINCT *, t.*, m.p.*, a AS x, b y, c \"Z\", 1 FROM t")
        #expect(s.distinct)
        #expect(s.items == [
            .wildcard(MeshSQL.SourceLocation(line: 0, column: 0)), .qualifiedWildcard(["t"], MeshSQL.SourceLocation(line: 0, column: 0)),
            .qualifiedWildcard(["m", "p"], MeshSQL.SourceLocation(line: 0, column: 0)),
            .expr(col("a"), alias: "x"), .expr(col("b"), alias: "y"), .expr(col("c"), alias: "Z"), .expr(int("1"), alias: nil),
        ])
        // Any word may follow AS; reserved words are never bare aliases.
        #expect(try select("SELECT a AS from FROM t").items == [.expr(col("a"), alias: "from")])
        #expect(try select("SELECT a FROM t WHERE a").whereClause == col("a"))
    }

    @Test func clauses() throws {
        let q = try Parser.parseQuery("""
            SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2
            ORDER BY 2 DESC, a ASC NULLS FIRST LIMIT 10 OFFSET 5
            """)
        guard case .select(let s) = q.body else { Issue.record("select"); return }
        #expect(s.groupBy == [col("a")])
        #expect(s.having != nil)
        #expect(q.orderBy == [OrderItem(expr: int("2"), descending: true), OrderItem(expr: col("a"), nullsFirst: true)])
        #expect(q.limit == int("10"))
        #expect(q.offset == int("5"))
        let fetch = try Parser.parseQuery("SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY")
        #expect(fetch.limit == int("3") && fetch.offset == int("2"))
        #expect(try Parser.parseQuery("SELECT a FROM t FETCH NEXT ROW ONLY").limit == int("1"))
        #expect(try Parser.parseQuery("SELECT a FROM t LIMIT ALL").limit == nil)
    }

    @Test func joins() throws {
        let s = try select("""
            SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (x, y) CROSS JOIN d, e AS ee
            RIGHT JOIN f ON true FULL JOIN g ON false INNER JOIN h ON 1 = 1
            """)
        #expect(s.from.count == 2)
        guard case .join(let abc, .cross, .table(let d, nil), .none, _) = s.from[0],
              case .join(let ab, .left, .table(let c, nil), .using(let cols), _) = abc,
              case .join(.table(let a, nil), .inner, .table(let b, nil), .on, _) = ab else {
            Issue.record("join shape: \(s.from[0])"); return
        }
        #expect([a.parts, b.parts, c.parts, d.parts] == [["a"], ["b"], ["c"], ["d"]])
        #expect(cols == ["x", "y"])
        guard case .join(.join(.join(.table(_, "ee"), .right, _, _, _), .full, _, _, _), .inner, _, _, _) = s.from[1] else {
            Issue.record("second item: \(s.from[1])"); return
        }
    }

    @Test func derivedTablesAndAliases() throws {
        let s = try select("SELECT * FROM (SELECT 1) AS t (a), (SELECT 2) u, sales.orders o, m.p AS x (c1, c2)")
        guard case .derived(_, "t", ["a"], _) = s.from[0], case .derived(_, "u", [], _) = s.from[1],
              case .table(let n, "o") = s.from[2], case .derived(let inner, "x", ["c1", "c2"], _) = s.from[3] else {
            Issue.record("\(s.from)"); return
        }
        #expect(n.parts == ["sales", "orders"])
        // A table with column aliases reads as `(SELECT * FROM m.p) x (c1, c2)`.
        #expect(SQLPrinter.print(inner) == "SELECT * FROM m.p")
        // Parenthesised joins, and a derived table that starts with two parentheses.
        let p = try select("SELECT * FROM (a JOIN b ON true) JOIN ((SELECT 1) UNION (SELECT 2)) AS s ON true")
        guard case .join(.join, .inner, .derived(_, "s", _, _), _, _) = p.from[0] else { Issue.record("\(p.from)"); return }
        let j = try select("SELECT * FROM ((SELECT 1) AS x JOIN y ON true)")
        guard case .join(.derived(_, "x", _, _), .inner, .table, _, _) = j.from[0] else { Issue.record("\(j.from)"); return }
    }

    @Test func setOperationsBindIntersectTighter() throws {
        let q = try Parser.parseQuery("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 ORDER BY 1")
        guard case .setOperation(.except, true, .setOperation(.union, false, .select, .setOperation(.intersect, false, .select, .select)), .select) = q.body else {
            Issue.record("\(q.body)"); return
        }
        #expect(q.orderBy.count == 1)
        let nested = try Parser.parseQuery("(SELECT 1 LIMIT 1) UNION ALL (SELECT 2)")
        guard case .setOperation(.union, true, .nested(let l), .nested) = nested.body else { Issue.record("\(nested.body)"); return }
        #expect(l.limit == int("1"))
    }

    @Test func commonTableExpressions() throws {
        let q = try Parser.parseQuery("WITH a AS (SELECT 1), b (x, y) AS (SELECT 1, 2) SELECT * FROM a, b")
        #expect(q.with.map(\.name) == ["a", "b"])
        #expect(q.with[1].columnAliases == ["x", "y"])
    }

    @Test func locations() throws {
        let q = try Parser.parseQuery("SELECT a\nFROM t\nWHERE  b = 1")
        guard case .select(let s) = q.body else { return }
        #expect(s.whereClause?.location == MeshSQL.SourceLocation(line: 3, column: 8, offset: 23))
        #expect(s.location.line == 1 && s.location.column == 1)
        guard case .table(let name, _) = s.from[0] else { return }
        #expect(name.location.line == 2 && name.location.column == 6)
    }
}
