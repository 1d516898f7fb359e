import MariaDBConnector
import MeshCore
import MeshDialect
import MeshExec
import MeshPlan
import MeshSQL
import PostgresConnector
import SQLiteConnector
import Testing

/// One query's fragment as each source's dialect writes it: the planner makes the same tree
/// (filter, grouping, order, limit, bound values) and each dialect spells it its own way.
@Suite struct FragmentDialectTests {
    static let query = """
        SELECT status, count(*), max(id), min(status) FROM sales.orders
        WHERE status <> 'void' AND id > 10 AND status LIKE 'o%' AND customer_id IS NOT DISTINCT FROM 3
        GROUP BY status ORDER BY status DESC LIMIT 5
        """

    func fragment(_ dialect: any SQLDialect) throws -> (sql: String, values: [Value]) {
        let plan = try Binder(catalog: TestCatalog()).bind(try Parser.parseQuery(Self.query)).plan
        let optimizer = Optimizer(rules: [
            ExpressionSimplification(evaluate: ConstantEvaluator.evaluate), PredicatePushdown(), ColumnPruning(),
            RemotePushdown(dialects: ["pg1": dialect]),
        ])
        guard case .remote(let r) = try optimizer.optimize(plan).0 else {
            throw MeshError(.internalError, "expected the whole query in one fragment")
        }
        let (sql, order) = r.text.render(dialect)
        return (sql, SQLText.boundValues(r.parameters, order: order, dialect))
    }

    @Test func eachDialectWritesTheSameFragment() throws {
        let expected: [(any SQLDialect, String)] = [
            (PostgresDialect(), "SELECT \"s0\".\"status\" AS \"c0\", COUNT(*) AS \"c1\", MAX(\"s0\".\"id\") AS \"c2\", MIN((\"s0\".\"status\" COLLATE \"C\")) AS \"c3\" FROM \"public\".\"orders\" AS \"s0\" WHERE (\"s0\".\"status\" <> $1::text) AND (\"s0\".\"id\" > $2::integer) AND (\"s0\".\"status\" LIKE $3::text ESCAPE $4::text) AND (\"s0\".\"customer_id\" IS NOT DISTINCT FROM $5::integer) GROUP BY \"s0\".\"status\" ORDER BY (\"s0\".\"status\" COLLATE \"C\") DESC NULLS FIRST LIMIT $6::bigint"),
            (SQLiteDialect(version: 3_040_001), "SELECT \"s0\".\"status\" AS \"c0\", COUNT(*) AS \"c1\", MAX(\"s0\".\"id\") AS \"c2\", MIN((\"s0\".\"status\" COLLATE BINARY)) AS \"c3\" FROM \"public\".\"orders\" AS \"s0\" WHERE (\"s0\".\"status\" <> ?1) AND (\"s0\".\"id\" > ?2) AND (\"s0\".\"status\" LIKE ?3 ESCAPE ?4) AND (\"s0\".\"customer_id\" IS ?5) GROUP BY \"s0\".\"status\" ORDER BY (\"s0\".\"status\" COLLATE BINARY) DESC NULLS FIRST LIMIT ?6"),
            (MariaDBDialect(), "SELECT (CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) AS `c0`, COUNT(*) AS `c1`, MAX(`s0`.`id`) AS `c2`, MIN((CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin)) AS `c3` FROM `public`.`orders` AS `s0` WHERE ((CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) <> ?) AND (`s0`.`id` > ?) AND ((CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) LIKE ? ESCAPE ?) AND (`s0`.`customer_id` <=> ?) GROUP BY (CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) ORDER BY ((CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) IS NULL) DESC, (CONVERT(`s0`.`status` USING utf8mb4) COLLATE utf8mb4_nopad_bin) DESC LIMIT ?"),
        ]
        for (dialect, sql) in expected {
            let f = try fragment(dialect)
            #expect(f.sql == sql, "\(dialect.name)")
            // The values in placeholder order, for positional `?` too.
            #expect(f.values == [.string("void"), .int(10), .string("o%"), .string("\\"), .int(3), .int(5)], "\(dialect.name)")
        }
    }
}
