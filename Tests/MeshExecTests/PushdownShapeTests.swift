import MeshCore
import MeshDialect
import MeshExec
import MeshPlan
import MeshSQL
import Testing

/// A dialect like `FullDialect` that lacks one feature.
struct DialectLacking: SQLDialect {
    var missing: PushdownFeature
    var name: String { "test" }
    func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
    func parameterMarker(_ number: Int) -> String { "$\(number)" }
    func castTypeName(_ type: DataType) -> String? { type.description }
    func supports(_ feature: PushdownFeature) -> Bool { feature != missing }
}

/// The SQL a source gets, for the shapes that once gave wrong answers, errors or plans that
/// ran for minutes (issue 19). The answers themselves are checked against PostgreSQL by
/// `RandomDifferentialTests`.
@Suite struct PushdownShapeTests {
    func optimize(_ sql: String, dialect: any SQLDialect = FullDialect()) throws -> LogicalPlan {
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
        let optimizer = Optimizer(rules: [
            SubqueryDecorrelation(), ExpressionSimplification(evaluate: ConstantEvaluator.evaluate),
            PredicatePushdown(), EmptyResultElimination(), ColumnPruning(),
            RemotePushdown(dialects: ["pg1": dialect, "lite1": dialect]),
        ])
        return try optimizer.optimize(plan).0
    }

    func fragments(_ p: LogicalPlan) -> [RemoteFragment] {
        if case .remote(let r) = p { return [r] }
        return p.children.flatMap(fragments)
    }

    func onlyFragment(_ sql: String, dialect: any SQLDialect = FullDialect()) throws -> RemoteFragment {
        let plan = try optimize(sql, dialect: dialect)
        guard case .remote(let r) = plan else {
            throw MeshError(.internalError, "expected one fragment, got \(PlanPrinter.render(plan))")
        }
        return r
    }

    /// Placeholders numbered 1…n, each once at least, and as many values.
    func placeholdersMatch(_ f: RemoteFragment) -> Bool {
        let numbers = Set(f.sql.matches(of: /\$([0-9]+)/).compactMap { Int($0.1) })
        return numbers == Set((0..<f.parameters.count).map { $0 + 1 })
    }

    @Test func aNullExtendedSideThatComputesItsOutputsIsASubquery() throws {
        let f = try onlyFragment("""
            SELECT d.one, d.missing, count(*) FROM sales.orders t
            LEFT JOIN (SELECT 1 AS one, s.status IS NULL AS missing, s.id FROM sales.orders s) d ON d.id = t.id
            GROUP BY d.one, d.missing
            """)
        // The constant and the IS NULL are computed inside, where the join cannot reach them.
        #expect(f.sql.contains("LEFT JOIN (SELECT"), "\(f.sql)")
        #expect(placeholdersMatch(f), "\(f.sql) \(f.parameters)")
    }

    @Test func aSideThatSelectsColumnsIsJoinedAsItIs() throws {
        let f = try onlyFragment("SELECT t.id, d.id FROM sales.orders t LEFT JOIN (SELECT s.id FROM sales.orders s) d ON d.id = t.id")
        #expect(!f.sql.contains("(SELECT"), "\(f.sql)")
    }

    @Test func constantKeysAreNeitherPositionsNorConstants() throws {
        let ordered = try onlyFragment("SELECT FALSE AS c0, id FROM sales.orders ORDER BY 1, 2 LIMIT 1")
        #expect(!ordered.sql.contains("ORDER BY FALSE"), "\(ordered.sql)")
        #expect(ordered.sql.contains("ORDER BY \"s0\".\"id\""), "\(ordered.sql)")
        let grouped = try onlyFragment("SELECT d.c, count(*) FROM (SELECT FALSE AS c FROM sales.orders) d GROUP BY d.c")
        // Still grouped (no rows, no group), by a bound value.
        #expect(grouped.sql.contains("GROUP BY $"), "\(grouped.sql)")
        #expect(placeholdersMatch(grouped), "\(grouped.sql) \(grouped.parameters)")
    }

    @Test func aPrunedConstantSendsNoValue() throws {
        let f = try onlyFragment("SELECT count(*) FROM (SELECT 0.10 AS c0, 'x' AS c1 FROM sales.orders WHERE amount > 5) d")
        #expect(f.parameters.count == 1, "\(f.sql) \(f.parameters)")
        #expect(placeholdersMatch(f), "\(f.sql) \(f.parameters)")
    }

    @Test func noHavingWithoutGroupBy() throws {
        let f = try onlyFragment("SELECT 'x' FROM (SELECT count(*) AS n FROM sales.orders) d WHERE d.n > 5")
        #expect(!f.sql.contains("HAVING"), "\(f.sql)")
    }

    @Test func aRightJoinGoesAsALeftJoin() throws {
        let f = try onlyFragment("""
            SELECT o.id, p.id FROM sales.orders o RIGHT JOIN (SELECT id FROM sales.orders WHERE amount > 5) p ON o.id = p.id
            """)
        #expect(!f.sql.contains("RIGHT JOIN"), "\(f.sql)")
        #expect(f.sql.contains("LEFT JOIN"), "\(f.sql)")
    }

    @Test func aFullJoinStaysHereWhereTheSourceLacksOne() throws {
        let plan = try optimize("""
            SELECT count(*) FROM (SELECT id FROM sales.orders WHERE amount > 5) p FULL JOIN sales.orders o ON o.id = p.id
            """, dialect: DialectLacking(missing: .fullJoin))
        #expect(fragments(plan).count == 2, "\(PlanPrinter.render(plan))")
    }

    @Test func aFilterThatIsNeverTrueReadsNothing() throws {
        // A LIMIT 0 over the whole empty part: the cross join below is never built.
        let plan = try optimize("""
            SELECT count(*) FROM sales.orders a CROSS JOIN crm.customers b RIGHT JOIN sales.orders c ON a.id = c.id
            WHERE 'n' = 'zz' GROUP BY c.status
            """)
        #expect(PlanPrinter.render(plan).contains("Limit: 0"), "\(PlanPrinter.render(plan))")
    }

    @Test func falseAndAnythingIsFalse() throws {
        // SQLite would read `x AND 0` as the integer 0: an ORDER BY position.
        let f = try onlyFragment("SELECT id, (id > 3 AND 1 = 2) AS c FROM sales.orders ORDER BY 2, 1 LIMIT 3")
        #expect(!f.sql.contains("AND"), "\(f.sql)")
    }

    @Test func anUncorrelatedExistsReadsOneRow() throws {
        let plan = try optimize("""
            SELECT count(*) FROM sales.orders t WHERE NOT EXISTS (SELECT 1 FROM crm.customers c) OR t.amount > 3
            """)
        let customers = try #require(fragments(plan).first { $0.connectorID == "lite1" })
        #expect(customers.sql.contains("LIMIT"), "\(customers.sql)")
    }
}
