import Testing
@testable import MeshSQL

@Suite struct ExpressionParserTests {
    private func parse(_ sql: String) throws -> Expr { try Parser.parseExpression(sql) }

    @Test func arithmeticPrecedence() throws {
        #expect(try parse("1 + 2 * 3") == bin(.add, int("1"), bin(.multiply, int("2"), int("3"))))
        #expect(try parse("1 - 2 - 3") == bin(.subtract, bin(.subtract, int("1"), int("2")), int("3")))
        #expect(try parse("(1 + 2) % 3") == bin(.modulo, bin(.add, int("1"), int("2")), int("3")))
        #expect(try parse("-a * b") == bin(.multiply, Expr(.unary(.negate, col("a"))), col("b")))
        // `::` binds tighter than unary minus.
        #expect(try parse("-a::int") == Expr(.unary(.negate, Expr(.cast(col("a"), type: "int")))))
        // `||` sits below `+`, as in PostgreSQL.
        #expect(try parse("'a' || 1 + 2") == bin(.concat, str("a"), bin(.add, int("1"), int("2"))))
    }

    @Test func booleanPrecedence() throws {
        let a = bin(.equal, col("a"), int("1"))
        let b = bin(.equal, col("b"), int("2"))
        let c = bin(.equal, col("c"), int("3"))
        #expect(try parse("a = 1 OR b = 2 AND c = 3") == bin(.or, a, bin(.and, b, c)))
        #expect(try parse("NOT a = 1 AND b = 2") == bin(.and, Expr(.unary(.not, a)), b))
        #expect(try parse("a = 1 IS NULL") == Expr(.isNull(a, negated: false)))
        #expect(try parse("x < 1 + 2") == bin(.less, col("x"), bin(.add, int("1"), int("2"))))
        #expect(try parse("a <> 1 AND a != 2") == bin(.and, bin(.notEqual, col("a"), int("1")), bin(.notEqual, col("a"), int("2"))))
    }

    @Test func predicates() throws {
        #expect(try parse("x BETWEEN 1 AND 2 AND y") == bin(.and,
            Expr(.between(col("x"), low: int("1"), high: int("2"), negated: false)), col("y")))
        #expect(try parse("x NOT BETWEEN 1 AND 2") == Expr(.between(col("x"), low: int("1"), high: int("2"), negated: true)))
        #expect(try parse("x NOT IN (1, 2)") == Expr(.inList(col("x"), [int("1"), int("2")], negated: true)))
        #expect(try parse("NOT x IN (1)") == Expr(.inList(col("x"), [int("1")], negated: true)))
        #expect(try parse("x IS NOT DISTINCT FROM y") == Expr(.isDistinctFrom(col("x"), col("y"), negated: true)))
        #expect(try parse("x IS NOT TRUE") == Expr(.isBoolean(col("x"), value: true, negated: true)))
        #expect(try parse("x IS FALSE") == Expr(.isBoolean(col("x"), value: false, negated: false)))
        #expect(try parse("name NOT ILIKE 'a%' ESCAPE '!'") == Expr(.like(col("name"), pattern: str("a%"),
            escape: str("!"), caseInsensitive: true, negated: true)))
        #expect(try parse("a LIKE b || 'x'") == Expr(.like(col("a"), pattern: bin(.concat, col("b"), str("x")),
            escape: nil, caseInsensitive: false, negated: false)))
    }

    @Test func subqueryForms() throws {
        guard case .exists(_, negated: true) = try parse("NOT EXISTS (SELECT 1)").kind else {
            Issue.record("NOT EXISTS is a negated exists"); return
        }
        guard case .inSubquery(_, _, negated: true) = try parse("x NOT IN (SELECT a FROM t)").kind else {
            Issue.record("NOT IN subquery"); return
        }
        guard case .inSubquery(_, _, negated: true) = try parse("NOT x IN (SELECT a FROM t)").kind else {
            Issue.record("NOT x IN subquery"); return
        }
        guard case .subquery = try parse("(SELECT 1)").kind else { Issue.record("scalar subquery"); return }
        guard case .binary(.add, let l, _) = try parse("((SELECT 1) + 1)").kind, case .subquery = l.kind else {
            Issue.record("subquery inside parentheses"); return
        }
        guard case .inSubquery = try parse("x IN ((SELECT 1) UNION (SELECT 2))").kind else {
            Issue.record("IN with a parenthesised set operation"); return
        }
        guard case .inList(_, let list, _) = try parse("x IN ((SELECT 1), 2)").kind, list.count == 2 else {
            Issue.record("IN list holding a subquery"); return
        }
    }

    @Test func quantifiedComparisons() throws {
        guard case .quantified(.greater, _, _, all: true) = try parse("x > ALL (SELECT a FROM t)").kind else {
            Issue.record("> ALL"); return
        }
        guard case .quantified(.equal, _, _, all: false) = try parse("x = ANY (SELECT a FROM t)").kind,
              case .quantified(.notEqual, _, _, all: false) = try parse("x <> SOME (SELECT a FROM t)").kind else {
            Issue.record("= ANY, <> SOME"); return
        }
        // A comparison after IS compares its result, as in PostgreSQL.
        #expect(try parse("x IS NULL = TRUE") == bin(.equal, Expr(.isNull(col("x"), negated: false)), Expr(.literal(.boolean(true)))))
        #expect(try parse("x IS NOT NULL <> y IS NULL")
            == Expr(.isNull(bin(.notEqual, Expr(.isNull(col("x"), negated: true)), col("y")), negated: false)))
        // ANY over something other than a subquery is not this form.
        #expect(throws: SQLSyntaxError.self) { try parse("x = ANY (1, 2)") }
    }

    @Test func literals() throws {
        #expect(try parse("NULL") == Expr(.literal(.null)))
        #expect(try parse("TRUE") == Expr(.literal(.boolean(true))))
        #expect(try parse("1.50") == Expr(.literal(.decimal("1.50"))))
        #expect(try parse("DATE '1995-03-15'") == Expr(.literal(.typed(type: "date", value: "1995-03-15"))))
        #expect(try parse("timestamp '2020-01-01 10:00'") == Expr(.literal(.typed(type: "timestamp", value: "2020-01-01 10:00"))))
        #expect(try parse("INTERVAL '3' MONTH") == Expr(.literal(.interval(value: "3", unit: "month"))))
        #expect(try parse("interval '90 days'") == Expr(.literal(.interval(value: "90 days", unit: nil))))
        #expect(try parse("INTERVAL '1-2' YEAR TO MONTH") == Expr(.literal(.interval(value: "1-2", unit: "year to month"))))
        #expect(try parse("$2") == Expr(.parameter(2)))
        #expect(try parse("CURRENT_DATE") == Expr(.currentTime("current_date")))
        #expect(try parse("current_timestamp") == Expr(.currentTime("current_timestamp")))
        // `date` is still an ordinary column name.
        #expect(try parse("date + 1") == bin(.add, col("date"), int("1")))
    }

    @Test func columnsKeepPartsAsWritten() throws {
        #expect(try parse(#"Sales."Orders".ID"#) == col("sales", "Orders", "id"))
        #expect(try parse("m.p.c") == col("m", "p", "c"))
    }

    @Test func casts() throws {
        #expect(try parse("CAST(x AS DECIMAL(15, 2))") == Expr(.cast(col("x"), type: "decimal(15,2)")))
        #expect(try parse("x::double   PRECISION") == Expr(.cast(col("x"), type: "double precision")))
        #expect(try parse("x::VARCHAR(25)") == Expr(.cast(col("x"), type: "varchar(25)")))
        #expect(try parse("CAST(x AS timestamp with time zone)") == Expr(.cast(col("x"), type: "timestamp with time zone")))
        #expect(try parse("CAST(x AS character varying)") == Expr(.cast(col("x"), type: "character varying"))
        )
        #expect(try parse("'1'::int::text") == Expr(.cast(Expr(.cast(str("1"), type: "int")), type: "text")))
    }

    @Test func caseExpressions() throws {
        #expect(try parse("CASE WHEN a THEN 1 ELSE 2 END") == Expr(.caseWhen(operand: nil,
            branches: [CaseBranch(when: col("a"), then: int("1"))], otherwise: int("2"))))
        #expect(try parse("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END") == Expr(.caseWhen(operand: col("x"),
            branches: [CaseBranch(when: int("1"), then: str("a")), CaseBranch(when: int("2"), then: str("b"))], otherwise: nil)))
    }

    @Test func functionCalls() throws {
        #expect(try parse("COUNT(*)") == Expr(.function(FunctionCall(name: "count", isStar: true))))
        #expect(try parse("count(DISTINCT x)") == Expr(.function(FunctionCall(name: "count", arguments: [col("x")], distinct: true))))
        #expect(try parse("sum(x) FILTER (WHERE y > 0)") == Expr(.function(FunctionCall(name: "sum", arguments: [col("x")],
            filter: bin(.greater, col("y"), int("0"))))))
        #expect(try parse("rank() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST)") == Expr(.function(FunctionCall(
            name: "rank", over: WindowSpec(partitionBy: [col("a"), col("b")],
                                           orderBy: [OrderItem(expr: col("c"), descending: true, nullsFirst: false)])))))
        #expect(try parse("string_agg(x, ',' ORDER BY x)") == Expr(.function(FunctionCall(name: "string_agg",
            arguments: [col("x"), str(",")], orderBy: [OrderItem(expr: col("x"))]))))
        #expect(try parse("left(s, 2)") == Expr(.function(FunctionCall(name: "left", arguments: [col("s"), int("2")]))))
        #expect(try parse("current_user()") == Expr(.function(FunctionCall(name: "current_user"))))
        #expect(try parse("current_user") == Expr(.function(FunctionCall(name: "current_user"))))
        #expect(try parse("has_role('analyst')") == Expr(.function(FunctionCall(name: "has_role", arguments: [str("analyst")]))))
    }

    @Test func specialFunctionSyntax() throws {
        #expect(try parse("EXTRACT(YEAR FROM d)") == Expr(.extract(field: "year", from: col("d"))))
        #expect(try parse("extract('month' from d)") == Expr(.extract(field: "month", from: col("d"))))
        #expect(try parse("SUBSTRING(c_phone FROM 1 FOR 2)") == Expr(.substring(col("c_phone"), from: int("1"), for: int("2"))))
        #expect(try parse("substring(s for 2)") == Expr(.substring(col("s"), from: nil, for: int("2"))))
        #expect(try parse("substring(s, 1, 2)") == Expr(.function(FunctionCall(name: "substring", arguments: [col("s"), int("1"), int("2")]))))
        #expect(try parse("POSITION('a' IN s)") == Expr(.position(str("a"), in: col("s"))))
        #expect(try parse("TRIM(s)") == Expr(.trim(col("s"), side: "both", characters: nil)))
        #expect(try parse("TRIM(LEADING 'x' FROM s)") == Expr(.trim(col("s"), side: "leading", characters: str("x"))))
        #expect(try parse("trim(trailing from s)") == Expr(.trim(col("s"), side: "trailing", characters: nil)))
        #expect(try parse("trim(s, 'x')") == Expr(.trim(col("s"), side: "both", characters: str("x"))))
    }

    @Test func locationsPointAtNodeStarts() throws {
        let e = try parse("  a +\n  b * c")
        #expect(e.location == MeshSQL.SourceLocation(line: 1, column: 3, offset: 2))
        guard case .binary(_, _, let right) = e.kind else { Issue.record("binary"); return }
        #expect(right.location.line == 2 && right.location.column == 3)
    }

    @Test func printsAndReadsBack() throws {
        let samples = [
            "a + b * c - -d", "NOT (a AND b) OR c", "x IS NOT NULL", "x BETWEEN 1 AND 2 + 3", "x NOT LIKE '%a''b%' ESCAPE '\\'",
            "CASE WHEN a > 1 THEN 'x' END", "CAST(a AS decimal(15,2)) / 2", "a::double precision", "\"Weird Name\".\"select\"",
            "count(*) FILTER (WHERE a)", "sum(x) OVER (ORDER BY y)", "row_number() OVER ()", "EXTRACT(year FROM d)",
            "SUBSTRING(s FROM 2)", "substring(s, 2, 3)", "POSITION('x' IN s || 'y')", "TRIM(BOTH 'x' FROM s)", "trim(s)",
            "DATE '1995-01-01' + INTERVAL '3' MONTH", "d - interval '90 days'", "current_date", "$1 + $2", "'a' || 'b' || 'c'",
            "x IN (SELECT a FROM t WHERE b = x)", "EXISTS (SELECT * FROM t)", "NOT EXISTS (SELECT * FROM t)",
            "x IS DISTINCT FROM y", "x IS TRUE", "\"trim\"(s)", "\"position\"(a, b)", "left(s, 1)", "current_user",
            "lower(\"Mixed\")", "coalesce(a, b, 0)", "date(x)", "x % 2 = 0", "1e3 * .5", "-(-1)",
        ]
        for sql in samples {
            let e = try parse(sql)
            let printed = SQLPrinter.print(e)
            #expect(try parse(printed) == e, "\(sql) → \(printed)")
        }
    }
}
