import MeshCore
import MeshPlan
import MeshSQL
import Testing

/// Column lineage from the bound plan: what feeds each output column directly, and what
/// shapes the rows (filter, join, group by, sort), through projections, aggregates, unions,
/// windows and subqueries.
@Suite struct ColumnLineageTests {
    func lineage(_ sql: String) throws -> ColumnLineage {
        ColumnLineage.of(try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(sql)).plan)
    }

    /// "product.column SUBTYPE", sorted, for each output column; then the dataset's.
    func describe(_ l: ColumnLineage) -> ([String: [String]], [String]) {
        var fields: [String: [String]] = [:]
        for f in l.fields { fields[f.name] = f.inputs.map { "\($0.source.description) \($0.subtype.rawValue)" } }
        return (fields, l.dataset.map { "\($0.source.description) \($0.subtype.rawValue)" })
    }

    @Test func copiedComputedAndAggregated() throws {
        let (fields, dataset) = describe(try lineage("""
            SELECT c.region, upper(c.name) AS who, sum(o.amount * 2) AS total, count(*) AS n
            FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id
            WHERE o.status = 'shipped' GROUP BY c.region, upper(c.name) ORDER BY total DESC
            """))
        #expect(fields["region"] == ["crm.customers.region IDENTITY"])
        #expect(fields["who"] == ["crm.customers.name TRANSFORMATION"])
        #expect(fields["total"] == ["sales.orders.amount AGGREGATION"])
        #expect(fields["n"] == [])
        #expect(dataset == [
            "crm.customers.id JOIN", "crm.customers.name GROUP_BY", "crm.customers.region GROUP_BY",
            "sales.orders.amount SORT", "sales.orders.customer_id JOIN", "sales.orders.status FILTER",
        ])
    }

    @Test func unionsWindowsAndSubqueries() throws {
        let union = describe(try lineage("SELECT id AS k FROM sales.orders UNION ALL SELECT id FROM crm.customers")).0
        #expect(union["k"] == ["crm.customers.id IDENTITY", "sales.orders.id IDENTITY"])

        let (window, windowSet) = describe(try lineage(
            "SELECT id, sum(amount) OVER (PARTITION BY customer_id ORDER BY ordered_on) AS running FROM sales.orders"))
        #expect(window["running"] == ["sales.orders.amount AGGREGATION"])
        #expect(windowSet == ["sales.orders.customer_id WINDOW", "sales.orders.ordered_on WINDOW"])

        // A scalar subquery's answer feeds the column; EXISTS only filters.
        let (sub, subSet) = describe(try lineage("""
            SELECT o.id, (SELECT c.name FROM crm.customers c WHERE c.id = o.customer_id) AS who FROM sales.orders o
            WHERE EXISTS (SELECT 1 FROM crm.customers c2 WHERE c2.id = o.customer_id AND c2.region = 'EU')
            """))
        #expect(sub["who"] == ["crm.customers.name TRANSFORMATION"])
        #expect(sub["id"] == ["sales.orders.id IDENTITY"])
        // The correlation is the subquery's join with the outer row.
        #expect(subSet.contains("crm.customers.region FILTER"))
        #expect(subSet.contains("sales.orders.customer_id JOIN"))
        #expect(subSet.contains("crm.customers.id JOIN"))
    }

    /// A CASE's conditions only choose its value: CONDITIONAL (INDIRECT) inputs of the
    /// column, unless the same column is also a value; aggregating does not change that.
    /// lag and lead copy another row's value (a transformation, not an aggregation).
    @Test func caseConditionsAndNavigatingWindows() throws {
        let (fields, _) = describe(try lineage("""
            SELECT CASE WHEN status = 'shipped' THEN amount ELSE 0 END AS shipped,
                   sum(CASE WHEN status = 'open' THEN amount END) OVER () AS open_total,
                   CASE WHEN amount > 10 THEN amount * 2 END AS big,
                   lag(amount) OVER (ORDER BY id) AS previous
            FROM sales.orders
            """))
        #expect(fields["shipped"] == ["sales.orders.amount TRANSFORMATION", "sales.orders.status CONDITIONAL"])
        #expect(fields["open_total"] == ["sales.orders.amount AGGREGATION", "sales.orders.status CONDITIONAL"])
        #expect(fields["big"] == ["sales.orders.amount TRANSFORMATION"])
        #expect(fields["previous"] == ["sales.orders.amount TRANSFORMATION"])
    }
}
