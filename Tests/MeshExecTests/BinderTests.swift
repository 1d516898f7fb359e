import MeshCore
import MeshPlan
import MeshSQL
import Testing

@Suite struct BinderTests {
    func bind(_ sql: String) throws -> LogicalPlan {
        try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan
    }

    func error(_ sql: String) -> MeshError? {
        do {
            _ = try bind(sql)
            return nil
        } catch let e as MeshError {
            return e
        } catch {
            return nil
        }
    }

    @Test func unknownTableHasItsPosition() {
        let e = error("SELECT 1\nFROM sales.nope")
        #expect(e?.code == .undefinedTable)
        #expect(e?.message == "relation \"sales.nope\" does not exist")
        #expect(e?.location?.description == "2:6")
    }

    @Test func unknownAndAmbiguousColumns() {
        #expect(error("SELECT nope FROM sales.orders")?.message == "column \"nope\" does not exist")
        let amb = error("SELECT id FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id")
        #expect(amb?.code == .ambiguousColumn)
        #expect(amb?.location?.description == "1:8")
    }

    @Test func typeMismatchNamesTheOperator() {
        let e = error("SELECT status + 1 FROM sales.orders")
        #expect(e?.message == "operator does not exist: text + integer")
        #expect(error("SELECT * FROM sales.orders WHERE amount")?.message == "argument of WHERE must be type boolean, not type numeric(12,2)")
    }

    @Test func groupingRules() {
        let e = error("SELECT status, amount FROM sales.orders GROUP BY status")
        #expect(e?.code == .groupingError)
        #expect(error("SELECT status, sum(amount) FROM sales.orders GROUP BY 1") == nil)
        #expect(error("SELECT * FROM sales.orders WHERE sum(amount) > 1")?.message == "aggregate functions are not allowed in WHERE")
    }

    @Test func unsupportedConstructsNameThemselvesWithAPosition() throws {
        let mismatch = error("SELECT id, id FROM sales.orders INTERSECT SELECT id FROM sales.orders")
        #expect(mismatch?.code == .syntax)
        #expect(mismatch?.location?.column == 43)  // the right-hand query
        let window = error("SELECT id, ntile(2) OVER (ORDER BY id) FROM sales.orders")
        #expect(window?.code == .notSupported)
        #expect(window?.location != nil)
    }

    @Test func stringLiteralsTakeTheOtherSidesType() throws {
        let plan = try bind("SELECT id FROM sales.orders WHERE ordered_on >= '2024-01-01'")
        guard case .project(.filter(.scan(let scan), let pred), _, _) = plan else {
            Issue.record("unexpected plan shape")
            return
        }
        #expect(pred == BoundExpr(.comparison(.greaterOrEqual, scan.columns[3].ref, .literal(.date(CivilTime.parseDate("2024-01-01")!), .date)), type: .boolean))
        #expect(error("SELECT id FROM sales.orders WHERE ordered_on >= 'soon'")?.code == .invalidText)
    }

    @Test func decimalArithmeticTypes() throws {
        let plan = try bind("SELECT amount * 2, amount / 3, amount + 0.005 FROM sales.orders")
        let types = plan.fields.map(\.type)
        #expect(types[0] == .decimal(precision: 38, scale: 2))
        #expect(types[1] == .decimal(precision: 38, scale: TypeRules.divisionScale))
        #expect(types[2] == .decimal(precision: 38, scale: 3))
    }

    @Test func outputNamesFollowPostgreSQL() throws {
        let plan = try bind("SELECT id, count(*), sum(amount) AS total, 1 FROM sales.orders GROUP BY id")
        #expect(plan.fields.map(\.name) == ["id", "count", "total", "?column?"])
    }
}
