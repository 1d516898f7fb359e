import MeshCore
import MeshPlan
import MeshSQL
import Testing

/// A dialect that can do everything, spelled like PostgreSQL.
struct FullDialect: SQLDialect {
    var name: String { "test" }
    func placeholder(index: Int, type: DataType) -> String { "$\(index)" }
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
