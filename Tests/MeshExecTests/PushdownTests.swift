import MeshCore
import MeshDialect
import MeshPlan
import MeshSQL
import Testing

/// A dialect that can do everything, spelled like PostgreSQL.
struct FullDialect: SQLDialect {
    var name: String { "test" }
    func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
    func parameterMarker(_ number: Int) -> String { "$\(number)" }
    func castTypeName(_ type: DataType) -> String? { type.description }
    func supports(_ feature: PushdownFeature) -> Bool { true }
}

@Suite struct PushdownTests {
    func optimize(_ sql: String, enabled: Bool = true) throws -> LogicalPlan {
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
        let optimizer = Optimizer(rules: [
            PredicatePushdown(), ColumnPruning(),
            RemotePushdown(dialects: ["pg1": FullDialect(), "lite1": FullDialect()], enabled: enabled),
        ])
        return try optimizer.optimize(plan).0
    }

    func fragments(_ p: LogicalPlan) -> [RemoteFragment] {
        if case .remote(let r) = p { return [r] }
        return p.children.flatMap(fragments)
    }

    @Test func crossSourceJoinPushesFiltersAndColumnsToEachSide() throws {
        let plan = try optimize("""
            SELECT c.region, sum(o.amount) FROM sales.orders o, crm.customers c
            WHERE o.customer_id = c.id AND o.status = 'shipped' AND c.region = 'EU' GROUP BY c.region
            """)
        let f = fragments(plan)
        #expect(f.count == 2)
        let orders = try #require(f.first { $0.connectorID == "pg1" })
        let customers = try #require(f.first { $0.connectorID == "lite1" })
        // Values travel as parameters, never in the SQL text.
        #expect(!orders.sql.contains("shipped"))
        #expect(orders.parameters == [.string("shipped")])
        #expect(customers.parameters == [.string("EU")])
        // Only the columns the query needs: a column only a pushed-down filter reads stays at
        // the source.
        #expect(orders.fields.map(\.name) == ["customer_id", "amount"])
        #expect(customers.fields.map(\.name) == ["id", "region"])
        // The join became a hash join on the WHERE equality.
        func hasInnerJoin(_ p: LogicalPlan) -> Bool {
            if case .join(_, _, .inner, let c) = p, c != nil { return true }
            return p.children.contains(where: hasInnerJoin)
        }
        #expect(hasInnerJoin(plan))
    }

    @Test func singleSourceQueryGoesDownWhole() throws {
        let plan = try optimize("SELECT status, count(*) FROM sales.orders WHERE amount > 10 GROUP BY status ORDER BY 2 DESC LIMIT 3")
        guard case .remote(let r) = plan else {
            Issue.record("expected one remote fragment, got \(PlanPrinter.render(plan))")
            return
        }
        #expect(r.sql.contains("GROUP BY"))
        #expect(r.sql.contains("ORDER BY"))
        #expect(r.sql.contains("LIMIT"))
    }

    @Test func pushdownOffSendsOnlyScans() throws {
        let plan = try optimize("SELECT status FROM sales.orders WHERE amount > 10 LIMIT 3", enabled: false)
        let f = fragments(plan)
        #expect(f.count == 1)
        #expect(!f[0].sql.contains("WHERE"))
        #expect(f[0].parameters.isEmpty)
    }
}

/// A dialect whose planner wants to be told how selective each filter is (as SQLite's does).
struct HintingDialect: SQLDialect {
    var name: String { "hinting" }
    func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
    func parameterMarker(_ number: Int) -> String { "?\(number)" }
    func castTypeName(_ type: DataType) -> String? { type.description }
    func supports(_ feature: PushdownFeature) -> Bool { true }
    func selectivityHint(_ predicate: SQLText, keeps fraction: Double) -> SQLText? {
        "likely(\(predicate), \(String(format: "%.3f", fraction)))"
    }
}

@Suite struct SelectivityHintTests {
    /// Each pushed conjunct carries its own estimate; a column compared with constants keeps
    /// one value in as many as the source counted (`region` has 4 here), and a column without
    /// a count keeps PostgreSQL's default share.
    @Test func filtersCarryTheirEstimatedShare() throws {
        let bound = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(
            "SELECT id FROM crm.customers WHERE region IN ('EU', 'US') AND name = 'x'")).plan
        let scan = try #require(bound.allScans.first)
        let estimator = CardinalityEstimator(tableRows: [scan.statisticsKey: 1000],
                                             columnDistinct: [scan.statisticsKey + "\u{1}region": 4])
        let rules: [any OptimizerRule] = [
            PredicatePushdown(), ColumnPruning(),
            RemotePushdown(dialects: ["pg1": HintingDialect(), "lite1": HintingDialect()], estimator: estimator),
        ]
        guard case .remote(let f) = try Optimizer(rules: rules).optimize(bound).0 else {
            Issue.record("expected one fragment")
            return
        }
        #expect(f.sql.contains("likely((\"s0\".\"region\" IN (?1, ?2)), 0.500)"), "\(f.sql)")
        #expect(f.sql.contains("likely((\"s0\".\"name\" = ?3), 0.005)"), "\(f.sql)")
        // Without statistics nothing is hinted.
        let plain = try Optimizer(rules: [PredicatePushdown(), ColumnPruning(),
                                          RemotePushdown(dialects: ["pg1": HintingDialect(), "lite1": HintingDialect()])])
            .optimize(bound).0
        guard case .remote(let g) = plain else { return }
        #expect(!g.sql.contains("likely"))
    }
}

/// A dialect without division (as SQLite, which gives NULL for a zero divisor).
struct NoDivisionDialect: SQLDialect {
    var name: String { "nodivision" }
    func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
    func parameterMarker(_ number: Int) -> String { "?\(number)" }
    func castTypeName(_ type: DataType) -> String? { type.description }
    func supports(_ feature: PushdownFeature) -> Bool { feature != .division }
}

/// One conjunct a source cannot evaluate stays here; the rest of the filter, and of a join
/// condition, still goes down.
@Suite struct PartialPushdownTests {
    func optimize(_ sql: String) throws -> LogicalPlan {
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
        return try Optimizer(rules: [
            PredicatePushdown(), ColumnPruning(),
            RemotePushdown(dialects: ["pg1": FullDialect(), "lite1": NoDivisionDialect()]),
        ]).optimize(plan).0
    }

    func fragments(_ p: LogicalPlan) -> [RemoteFragment] {
        if case .remote(let r) = p { return [r] }
        return p.children.flatMap(fragments)
    }

    func localFilters(_ p: LogicalPlan) -> [BoundExpr] {
        if case .filter(let c, let pred) = p { return [pred] + localFilters(c) }
        return p.children.flatMap(localFilters)
    }

    @Test func filterSplitsIntoPushedAndResidual() throws {
        let plan = try optimize("SELECT name FROM crm.customers WHERE id / 2 > 3 AND region = 'EU'")
        let f = try #require(fragments(plan).first)
        #expect(f.sql.contains("\"region\" = ?1"), "\(f.sql)")
        #expect(!f.sql.contains("/"), "\(f.sql)")
        #expect(f.parameters == [.string("EU")])
        // `region` is read only by the pushed conjunct: it is not fetched.
        #expect(f.fields.map(\.name) == ["id", "name"])
        let residual = localFilters(plan)
        #expect(residual.count == 1)
        #expect(residual.first?.conjuncts.count == 1)
        #expect(PlanPrinter.render(plan).contains("  -> Filter: ((id / 2) > 3)"), "\(PlanPrinter.render(plan))")
    }

    @Test func nothingPrintableKeepsTheWholeFilterLocal() throws {
        let plan = try optimize("SELECT name FROM crm.customers WHERE id / 2 > 3")
        let f = try #require(fragments(plan).first)
        #expect(!f.sql.contains("WHERE"))
        #expect(localFilters(plan).count == 1)
    }

    @Test func innerJoinGoesDownOnItsPrintableCondition() throws {
        let plan = try optimize("""
            SELECT a.name FROM crm.customers a JOIN crm.customers b ON a.id = b.id AND a.id / 2 = b.id / 3
            """)
        let f = fragments(plan)
        #expect(f.count == 1, "\(PlanPrinter.render(plan))")
        #expect(f.first?.sql.contains("JOIN") == true)
        #expect(f.first?.sql.contains("/") == false)
        #expect(localFilters(plan).count == 1, "\(PlanPrinter.render(plan))")
    }
}

/// A semi join over a cross-source join moves down to the side it filters when both live in
/// one source, so the pair goes down as one query with `EXISTS`.
@Suite struct SemiJoinPushdownTests {
    func plan(_ sql: String, ordersRows: Double) throws -> LogicalPlan {
        let bound = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
        let scans = bound.allScans
        var rows: [String: Double] = [:]
        for s in scans { rows[s.statisticsKey] = s.productName == "sales.orders" ? ordersRows : 100 }
        let estimator = CardinalityEstimator(tableRows: rows)
        return try Optimizer(phases: [
            .init([SubqueryDecorrelation(), PredicatePushdown(), ColumnPruning()], fixpoint: true),
            .init([SemiJoinPushdown(estimator: estimator), PredicatePushdown(), ColumnPruning()], fixpoint: true),
            .init([RemotePushdown(dialects: ["pg1": FullDialect(), "lite1": FullDialect()])], fixpoint: false),
        ]).optimize(bound).0
    }

    static let query = """
        SELECT o.id, c.name FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id
        WHERE EXISTS (SELECT 1 FROM sales.orders o2 WHERE o2.customer_id = o.customer_id AND o2.id <> o.id)
        """

    func fragments(_ p: LogicalPlan) -> [RemoteFragment] {
        if case .remote(let r) = p { return [r] }
        return p.children.flatMap(fragments)
    }

    @Test func goesDownWithTheSideItFilters() throws {
        let f = fragments(try plan(Self.query, ordersRows: 1000))
        #expect(f.count == 2)
        let orders = try #require(f.first { $0.connectorID == "pg1" })
        #expect(orders.sql.contains("EXISTS"), "\(orders.sql)")
    }

    @Test func aSmallerRightSideStaysHereAsADynamicFilter() throws {
        // The subquery's side is the same table here, so it is never smaller; a filter on it
        // makes it so.
        let sql = Self.query.replacingOccurrences(of: "o2.id <> o.id", with: "o2.id <> o.id AND o2.status = 'x'")
        let f = fragments(try plan(sql, ordersRows: 1000))
        #expect(f.count == 3, "\(f.map(\.sql))")
    }
}

/// An aggregate whose groups hold few rows each stays here when there are many of them; one
/// that shrinks its input goes down.
@Suite struct AggregatePlacementTests {
    func plan(customers: Double) throws -> LogicalPlan {
        let bound = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(
            "SELECT customer_id, sum(amount) FROM sales.orders GROUP BY customer_id")).plan
        let scan = try #require(bound.allScans.first)
        let estimator = CardinalityEstimator(tableRows: [scan.statisticsKey: 2_000_000],
                                             columnDistinct: [scan.statisticsKey + "\u{1}customer_id": customers])
        return try Optimizer(rules: [PredicatePushdown(), ColumnPruning(),
                                     RemotePushdown(dialects: ["pg1": FullDialect(), "lite1": FullDialect()], estimator: estimator)])
            .optimize(bound).0
    }

    @Test func manySmallGroupsAreGroupedHere() throws {
        let p = try plan(customers: 500_000)
        guard case .project(.aggregate(.remote(let f), _, _, _), _, _) = p else {
            Issue.record("expected a local aggregate over the fragment:\n\(PlanPrinter.render(p).joined(separator: "\n"))")
            return
        }
        #expect(!f.sql.contains("GROUP BY"))
    }

    @Test func aShrinkingAggregateGoesDown() throws {
        let p = try plan(customers: 10_000)
        guard case .remote(let f) = p else {
            Issue.record("expected one fragment:\n\(PlanPrinter.render(p).joined(separator: "\n"))")
            return
        }
        #expect(f.sql.contains("GROUP BY"))
    }
}


/// A dialect with physical row ranges, as PostgreSQL's `ctid`.
struct RangedDialect: SQLDialect {
    var name: String { "ranged" }
    func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1, suffix: "::\(type)") }
    func parameterMarker(_ number: Int) -> String { "$\(number)" }
    func castTypeName(_ type: DataType) -> String? { type.description }
    func supports(_ feature: PushdownFeature) -> Bool { true }
    func rowRangeCondition(_ tableAlias: String) -> SQLText? { "(\(tableAlias).addr IN RANGE)" }
    func settingPlaceholder(_ setting: String, suffix: String) -> SQLText? { "(SETTING \(setting)\(suffix))" }
    func valueSetPredicate(_ operand: SQLText, parameterIndex index: Int, type: DataType) -> SQLText? {
        "(\(operand) IN ARRAY \(SQLText.parameter(index - 1)))"
    }
    func rowRanges(pages: Int, parts: Int) -> [(lower: String, upper: String)] {
        (0..<parts).map { ("\($0 * pages / parts)", "\(($0 + 1) * pages / parts)") }
    }
}

/// A big read of one table that feeds a join or an aggregate is cut into row ranges read at
/// once, its bound values moved into settings; a small one, or one whose order is the
/// answer's, is not.
@Suite struct RowRangeTests {
    func plan(_ sql: String, orders: Double, pages: Double? = 20_000, customerIDs: Double? = nil) throws -> LogicalPlan {
        let bound = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
        var rows: [String: Double] = [:], pageCounts: [String: Double] = [:]
        for s in bound.allScans {
            rows[s.statisticsKey] = s.productName == "sales.orders" ? orders : 1000
            if let pages, s.productName == "sales.orders" { pageCounts[s.statisticsKey] = pages }
        }
        var distinct: [String: Double] = [:]
        if let customerIDs, let s = bound.allScans.first(where: { $0.productName == "sales.orders" }) {
            distinct[s.statisticsKey + "\u{1}customer_id"] = customerIDs
        }
        var estimator = CardinalityEstimator(tableRows: rows, columnDistinct: distinct)
        estimator.tablePages = pageCounts
        return try Optimizer(rules: [PredicatePushdown(), ColumnPruning(),
                                     RemotePushdown(dialects: ["pg1": RangedDialect(), "lite1": FullDialect()], estimator: estimator)])
            .optimize(bound).0
    }

    func orders(_ p: LogicalPlan) -> RemoteFragment? {
        if case .remote(let r) = p, r.connectorID == "pg1" { return r }
        return p.children.lazy.compactMap(orders).first
    }

    static let join = "SELECT c.name, o.amount FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id"

    @Test func aBigReadFeedingAJoinIsCut() throws {
        let f = try #require(orders(try plan(Self.join, orders: 2_000_000)))
        #expect(f.ranges.count == 2)
        #expect(f.rangeSQL?.contains("addr IN RANGE") == true)
        #expect(!f.sql.contains("addr IN RANGE"))
        #expect(f.ranges[0].settings.values.contains("0"))
    }

    @Test func otherReadsAreNot() throws {
        #expect(try #require(orders(try plan(Self.join, orders: 2_000))).ranges.isEmpty)
        #expect(try #require(orders(try plan(Self.join, orders: 2_000_000, pages: nil))).ranges.isEmpty)
        // An IN list sent as one array: its placeholder sits inside the dialect's own SQL,
        // with no known type to read a setting as.
        let list = (1...40).map { "'s\($0)'" }.joined(separator: ", ")
        #expect(try #require(orders(try plan(Self.join + " WHERE o.status IN (\(list))", orders: 2_000_000))).ranges.isEmpty)
        // The answer itself: its order is what the source sends.
        #expect(try #require(orders(try plan("SELECT amount FROM sales.orders", orders: 2_000_000))).ranges.isEmpty)
    }

    /// COPY takes no parameters, so in a cut read each value is a session setting, bound
    /// like the range bounds, and the SQL reads the setting where its placeholder stood.
    @Test func boundValuesBecomeSettings() throws {
        let f = try #require(orders(try plan(Self.join + " WHERE o.status <> 'x' AND o.amount > 5", orders: 20_000_000)))
        #expect(f.ranges.count == 2)
        #expect(f.sql.contains("$1::text") && f.sql.contains("$2::"), "\(f.sql)")
        let ranged = try #require(f.rangeSQL)
        #expect(!ranged.contains("$1") && !ranged.contains("$2"), "\(ranged)")
        #expect(ranged.contains("(SETTING meshql.param_1::text)"), "\(ranged)")
        #expect(ranged.contains("(SETTING meshql.param_2::"), "\(ranged)")
        for range in f.ranges {
            #expect(range.settings["meshql.param_1"] == "x")
            #expect(range.settings["meshql.param_2"] == "5.00")
        }
    }

    /// Many groups of few rows each are grouped here when the input is read in ranges (TPC-H
    /// q13's order counts per customer), and in the source otherwise.
    @Test func aGroupingOfFewRowsPerGroupReadsInRanges() throws {
        let sql = "SELECT customer_id, count(*) FROM sales.orders GROUP BY customer_id"
        let local = try plan(sql, orders: 2_000_000, customerIDs: 150_000)
        #expect(try #require(orders(local)).ranges.count == 2)
        #expect(!(try #require(orders(local)).sql.contains("GROUP BY")))
        // Without pages the read is one query, and PostgreSQL groups.
        let down = try plan(sql, orders: 2_000_000, pages: nil, customerIDs: 150_000)
        #expect(try #require(orders(down)).sql.contains("GROUP BY"))
        // Groups of many rows each shrink what crosses the wire: grouped at the source.
        let few = try plan(sql, orders: 2_000_000, customerIDs: 1_000)
        #expect(try #require(orders(few)).sql.contains("GROUP BY"))
    }
}

/// A source that runs a correlated EXISTS once per outer row (as SQLite does) gets a semi or
/// anti join on one key as IN / NOT IN; one that plans EXISTS as a join keeps it.
@Suite struct SemiJoinSQLTests {
    struct PerRowExistsDialect: SQLDialect {
        var name: String { "perrow" }
        func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
        func parameterMarker(_ number: Int) -> String { "?\(number)" }
        func castTypeName(_ type: DataType) -> String? { type.description }
        func supports(_ feature: PushdownFeature) -> Bool { true }
        var runsExistsAsJoin: Bool { false }
    }

    func sql(_ query: String, _ dialect: any SQLDialect) throws -> String {
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(query)).plan
        let rules: [any OptimizerRule] = [SubqueryDecorrelation(), PredicatePushdown(), ColumnPruning(),
                                          RemotePushdown(dialects: ["pg1": dialect, "lite1": dialect])]
        guard case .remote(let f) = try Optimizer(rules: rules).optimize(plan).0 else {
            Issue.record("expected one fragment")
            return ""
        }
        return f.sql
    }

    static let semi = "SELECT o.id FROM sales.orders o WHERE EXISTS (SELECT 1 FROM sales.orders o2 WHERE o2.customer_id = o.id)"
    static let anti = "SELECT o.id FROM sales.orders o WHERE NOT EXISTS (SELECT 1 FROM sales.orders o2 WHERE o2.customer_id = o.id)"

    @Test func oneKeyGoesAsIn() throws {
        let semi = try sql(Self.semi, PerRowExistsDialect())
        #expect(semi.contains(" IN (SELECT") && !semi.contains("EXISTS"), "\(semi)")
        let anti = try sql(Self.anti, PerRowExistsDialect())
        #expect(anti.contains("IS NULL OR") && anti.contains("NOT IN (SELECT") && anti.contains("IS NOT NULL)"), "\(anti)")
        #expect(!anti.contains("EXISTS"), "\(anti)")
    }

    @Test func otherSourcesKeepExists() throws {
        #expect(try sql(Self.semi, FullDialect()).contains("EXISTS (SELECT 1"))
        #expect(try sql(Self.anti, FullDialect()).contains("NOT EXISTS (SELECT 1"))
        // A condition beyond the key stays EXISTS everywhere.
        let more = "SELECT o.id FROM sales.orders o WHERE EXISTS (SELECT 1 FROM sales.orders o2 WHERE o2.customer_id = o.id AND o2.amount > o.amount)"
        #expect(try sql(more, PerRowExistsDialect()).contains("EXISTS (SELECT 1"))
    }
}

/// A source whose placeholders are positional (`?`, as MySQL's and MariaDB's are) gets each
/// value once per placeholder, in the order the placeholders appear: the fragment is rendered
/// from its slots, never renumbered by scanning text.
@Suite struct PositionalPlaceholderTests {
    struct PositionalDialect: SQLDialect {
        var name: String { "positional" }
        func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
        func parameterMarker(_ number: Int) -> String { "?" }
        var numbersParameters: Bool { false }
        func castTypeName(_ type: DataType) -> String? { type.description }
        func supports(_ feature: PushdownFeature) -> Bool { true }
    }

    struct NumberedDialect: SQLDialect {
        var name: String { "numbered" }
        func placeholder(index: Int, type: DataType) -> SQLText { .parameter(index - 1) }
        func parameterMarker(_ number: Int) -> String { "$\(number)" }
        func castTypeName(_ type: DataType) -> String? { type.description }
        func supports(_ feature: PushdownFeature) -> Bool { true }
    }

    @Test func slotsRenderPerDialect() {
        let text: SQLText = "a = \(SQLText.parameter(1)) AND b = \(SQLText.parameter(0)) AND c = \(SQLText.parameter(1))"
        let positional = text.render(PositionalDialect())
        #expect(positional.sql == "a = ? AND b = ? AND c = ?")
        #expect(SQLText.boundValues(["x", "y"], order: positional.order, PositionalDialect()) == ["y", "x", "y"])
        let numbered = text.render(NumberedDialect())
        #expect(numbered.sql == "a = $2 AND b = $1 AND c = $2")
        #expect(SQLText.boundValues(["x", "y"], order: numbered.order, NumberedDialect()) == ["x", "y"])
        #expect(text.shiftingParameters(by: 3).render(NumberedDialect()).sql == "a = $5 AND b = $4 AND c = $5")
    }

    /// A join of two blocks that each bound values (the right one's shifted after the left's),
    /// filtered and grouped: substituting the values into the numbered rendering and into the
    /// positional one gives the same SQL.
    @Test func aPlannedFragmentBindsInTextOrder() throws {
        let query = """
            SELECT o.status, count(*) FROM sales.orders o
            JOIN (SELECT id, status FROM sales.orders WHERE status <> 'void' AND amount > 7) p ON p.id = o.customer_id
            WHERE o.status IN ('open', 'shipped') AND o.amount < 1000
            GROUP BY o.status HAVING count(*) > 2
            """
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(query)).plan
        let rules: [any OptimizerRule] = [PredicatePushdown(), ColumnPruning(),
                                          RemotePushdown(dialects: ["pg1": NumberedDialect(), "lite1": NumberedDialect()])]
        guard case .remote(let f) = try Optimizer(rules: rules).optimize(plan).0 else {
            Issue.record("expected one fragment")
            return
        }
        #expect(f.parameters.count >= 5, "\(f.sql) \(f.parameters)")
        let numbered = f.text.render(NumberedDialect()).sql
        var substituted = numbered
        for (i, v) in f.parameters.enumerated().reversed() {
            substituted = substituted.replacingOccurrences(of: "$\(i + 1)", with: "<\(v)>")
        }
        let (positional, order) = f.text.render(PositionalDialect())
        var values = SQLText.boundValues(f.parameters, order: order, PositionalDialect())[...]
        var filled = ""
        for ch in positional {
            if ch == "?" { filled += "<\(values.removeFirst())>" } else { filled.append(ch) }
        }
        #expect(values.isEmpty)
        #expect(filled == substituted, "\(positional)")
    }
}
