import MariaDBConnector
import MeshCore
import MeshDialect
import MeshPlan
import PostgresConnector
import SQLiteConnector
import SQLiteDB
import Testing

@Suite("Source dialects")
struct DialectTests {
    @Test func postgresPlaceholdersAndCasts() {
        let d = PostgresDialect()
        #expect(d.name == "postgres")
        #expect(d.placeholder(index: 1, type: .decimal(precision: 15, scale: 2)).render(d).sql == "$1::numeric")
        #expect(d.placeholder(index: 2, type: .bigint).render(d).sql == "$2::bigint")
        #expect(d.placeholder(index: 3, type: .integer).render(d).sql == "$3::integer")
        #expect(d.placeholder(index: 4, type: .double).render(d).sql == "$4::double precision")
        #expect(d.placeholder(index: 5, type: .text).render(d).sql == "$5::text")
        #expect(d.placeholder(index: 6, type: .date).render(d).sql == "$6::date")
        #expect(d.placeholder(index: 7, type: .timestamp).render(d).sql == "$7::timestamp")
        #expect(d.placeholder(index: 8, type: .timestamptz).render(d).sql == "$8::timestamptz")
        #expect(d.placeholder(index: 9, type: .boolean).render(d).sql == "$9::boolean")
        #expect(d.placeholder(index: 10, type: .bytea).render(d).sql == "$10::bytea")
        #expect(d.castTypeName(.decimal(precision: 15, scale: 2)) == "numeric(15,2)")
        #expect(d.castTypeName(.double) == "double precision")
        #expect(d.castTypeName(.smallint) == "smallint")
        #expect(d.quoteIdentifier("we\"ird") == "\"we\"\"ird\"")
        #expect(d.supports(.decimalAggregates) && d.supports(.fullJoin) && d.supports(.ilike) && d.supports(.division))
        #expect(d.supportsFunction("lower", argumentTypes: [.text]))
        #expect(d.supportsFunction("coalesce", argumentTypes: [.integer, .integer]))
        #expect(!d.supportsFunction("my_udf", argumentTypes: []))
    }

    @Test func sqliteIsConservative() {
        let d = SQLiteDialect()
        #expect(d.name == "sqlite")
        #expect(d.placeholder(index: 1, type: .decimal(precision: 15, scale: 2)).render(d).sql == "?1")
        #expect(d.placeholder(index: 7, type: .date).render(d).sql == "?7")
        #expect(d.castTypeName(.integer) == "INTEGER")
        #expect(d.castTypeName(.bigint) == "INTEGER")
        #expect(d.castTypeName(.double) == "REAL")
        #expect(d.castTypeName(.text) == "TEXT")
        #expect(d.castTypeName(.decimal(precision: 10, scale: 2)) == nil)
        #expect(d.castTypeName(.date) == nil)
        for yes: PushdownFeature in [.limit, .orderBy, .innerJoin, .leftJoin, .aggregation,
                                     .like, .dateComparison, .stringConcat, .caseExpression, .distinct] {
            #expect(d.supports(yes), "\(yes)")
        }
        for no: PushdownFeature in [.decimalAggregates, .decimalArithmetic, .division, .integerAverage, .ilike,
                                    .dateArithmetic, .fullJoin] {
            #expect(!d.supports(no), "\(no)")
        }
        #expect(d.supportsFunction("lower", argumentTypes: [.text]))
        #expect(d.supportsFunction("abs", argumentTypes: [.bigint]))
        #expect(!d.supportsFunction("abs", argumentTypes: [.decimal(precision: 10, scale: 2)]))
        #expect(!d.supportsFunction("round", argumentTypes: [.double]))
        #expect(SQLiteConnector.dataType(declared: "DECIMAL(15, 2)") == .decimal(precision: 15, scale: 2))
        #expect(SQLiteConnector.dataType(declared: "UNSIGNED BIG INT") == .bigint)
        #expect(SQLiteConnector.dataType(declared: "VARCHAR2(30)") == .text)
        #expect(SQLiteConnector.dataType(declared: "") == .text)
    }

    /// What a dialect decides for itself, not the planner by its name: NULL-safe comparison,
    /// NULL placement, aggregate filters, boolean aggregates and the policy fence.
    @Test func eachDialectSpellsItsOwnConstructs() {
        let pg = PostgresDialect()
        #expect(pg.distinctFrom("a", "b", negated: false)?.render(pg).sql == "(a IS DISTINCT FROM b)")
        #expect(pg.orderItem("a", descending: true, nullsFirst: false)?.render(pg).sql == "a DESC NULLS LAST")
        #expect(pg.filteredAggregate("COUNT(*)", condition: "(x > 1)")?.render(pg).sql == "COUNT(*) FILTER (WHERE (x > 1))")
        #expect(pg.supports(.booleanAggregates))
        #expect(pg.policyFence?.limit == nil && pg.policyFence?.offset?.render(pg).sql == "0")

        let sqlite = SQLiteDialect(version: 3_040_001)
        #expect(sqlite.distinctFrom("a", "b", negated: false)?.render(sqlite).sql == "(a IS NOT b)")
        #expect(sqlite.distinctFrom("a", "b", negated: true)?.render(sqlite).sql == "(a IS b)")
        #expect(sqlite.orderItem("a", descending: false, nullsFirst: true)?.render(sqlite).sql == "a ASC NULLS FIRST")
        #expect(!sqlite.supports(.booleanAggregates))
        #expect(sqlite.policyFence != nil)
        // An SQLite before 3.30 has neither NULLS FIRST/LAST nor FILTER.
        let old = SQLiteDialect(version: 3_022_000)
        #expect(old.orderItem("a", descending: true, nullsFirst: true)?.render(old).sql == "(a IS NULL) DESC, a DESC")
        #expect(old.orderItem("a", descending: false, nullsFirst: false)?.render(old).sql == "(a IS NULL) ASC, a ASC")
        #expect(old.filteredAggregate("COUNT(*)", condition: "1") == nil)

        let maria = MariaDBDialect()
        #expect(maria.quoteIdentifier("we`ird") == "`we``ird`")
        #expect(maria.placeholder(index: 3, type: .date).render(maria).sql == "?")
        #expect(!maria.numbersParameters)
        #expect(maria.distinctFrom("a", "b", negated: false)?.render(maria).sql == "(NOT (a <=> b))")
        #expect(maria.orderItem("a", descending: false, nullsFirst: true)?.render(maria).sql == "a ASC")
        #expect(maria.orderItem("a", descending: false, nullsFirst: false)?.render(maria).sql == "(a IS NULL) ASC, a ASC")
        #expect(maria.filteredAggregate("COUNT(*)", condition: "1") == nil)
        #expect(maria.tableColumn("`t`", "n", type: .integer, nativeType: "int(10) unsigned").render(maria).sql == "`t`.`n`")
        #expect(maria.tableColumn("`t`", "b", type: .boolean, nativeType: "tinyint(1)").render(maria).sql == "(`t`.`b` <> 0)")
        #expect(maria.arithmetic("-", "a", "?", type: .bigint)?.render(maria).sql == "(CAST(a AS SIGNED) - CAST(? AS SIGNED))")
        #expect(!maria.canBind(.date(CivilTime.days(year: 10000, month: 1, day: 1)), type: .date))
        #expect(maria.canBind(.date(CivilTime.days(year: 9999, month: 12, day: 31)), type: .date))
        #expect(maria.maxTablesPerStatement == 60)
        #expect(maria.policyFence?.limit?.render(maria).sql == "18446744073709551615" && maria.policyFence?.offset == nil)
        for no: PushdownFeature in [.fullJoin, .division, .ilike, .booleanAggregates, .doubleOverflowErrors] {
            #expect(!maria.supports(no), "\(no)")
        }
        #expect(MariaDBConnector.dataType(columnType: "bigint(20) unsigned") == .decimal(precision: 20, scale: 0))
        #expect(MariaDBConnector.dataType(columnType: "tinyint(1)") == .boolean)
        #expect(MariaDBConnector.dataType(columnType: "decimal(65,30)") == .decimal(precision: 38, scale: 30))
    }

    /// The spellings mean meshql's semantics at the source itself.
    @Test func sqliteSpellingsMeanWhatMeshqlMeans() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(a INTEGER, b INTEGER); INSERT INTO t VALUES (1, 1), (1, NULL), (NULL, NULL), (2, 3)")
        func column(_ sql: String) throws -> [Int64?] {
            let st = try db.prepare(sql)
            var out: [Int64?] = []
            while try st.step() { out.append(st.isNull(0) ? nil : st.int64(0)) }
            return out
        }
        for d in [SQLiteDialect(), SQLiteDialect(version: 3_022_000)] {
            // IS DISTINCT FROM: NULL-safe, never NULL.
            func sql(_ t: SQLText?) -> String { t!.render(d).sql }
            #expect(try column("SELECT count(*) FROM t WHERE \(sql(d.distinctFrom("a", "b", negated: false)))") == [2])
            #expect(try column("SELECT count(*) FROM t WHERE \(sql(d.distinctFrom("a", "b", negated: true)))") == [2])
            // NULLs where asked, both directions.
            #expect(try column("SELECT b FROM t ORDER BY \(sql(d.orderItem("b", descending: true, nullsFirst: true)))") == [nil, nil, 3, 1])
            #expect(try column("SELECT b FROM t ORDER BY \(sql(d.orderItem("b", descending: false, nullsFirst: false)))") == [1, 3, nil, nil])
        }
    }
}
