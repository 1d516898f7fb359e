import MeshCore
import MeshPlan
import PostgresConnector
import SQLiteConnector
import Testing

@Suite("Source dialects")
struct DialectTests {
    @Test func postgresPlaceholdersAndCasts() {
        let d = PostgresDialect()
        #expect(d.name == "postgres")
        #expect(d.placeholder(index: 1, type: .decimal(precision: 15, scale: 2)) == "$1::numeric")
        #expect(d.placeholder(index: 2, type: .bigint) == "$2::bigint")
        #expect(d.placeholder(index: 3, type: .integer) == "$3::integer")
        #expect(d.placeholder(index: 4, type: .double) == "$4::double precision")
        #expect(d.placeholder(index: 5, type: .text) == "$5::text")
        #expect(d.placeholder(index: 6, type: .date) == "$6::date")
        #expect(d.placeholder(index: 7, type: .timestamp) == "$7::timestamp")
        #expect(d.placeholder(index: 8, type: .timestamptz) == "$8::timestamptz")
        #expect(d.placeholder(index: 9, type: .boolean) == "$9::boolean")
        #expect(d.placeholder(index: 10, type: .bytea) == "$10::bytea")
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
        #expect(d.placeholder(index: 1, type: .decimal(precision: 15, scale: 2)) == "?1")
        #expect(d.placeholder(index: 7, type: .date) == "?7")
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
}

@Suite("Dynamic filter key sets")
struct KeySetEncodingTests {
    @Test func keysAreOneEscapedParameter() {
        let text: [Value] = [.string("a"), .string("say \"hi\""), .string("back\\slash"), .string("tab\there")]
        #expect(KeySetEncoding.jsonArray([.int(1), .int(-2)]) == "[1,-2]")
        #expect(KeySetEncoding.jsonArray(text) == #"["a","say \"hi\"","back\\slash","tab\there"]"#)
        #expect(KeySetEncoding.postgresArray([.int(1), .int(-2)]) == "{1,-2}")
        #expect(KeySetEncoding.postgresArray(text) == "{\"a\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"tab\there\"}")
        #expect(KeySetEncoding.jsonArray([.double(1)]) == nil)
        #expect(SQLiteDialect().keySetFilter("x", parameterIndex: 3, type: .bigint, keyCount: 10)
                == "(x IN (SELECT value FROM json_each(?3)) OR typeof(x) <> 'integer')")
        #expect(PostgresDialect().keySetFilter("x", parameterIndex: 3, type: .integer, keyCount: 10) == "x = ANY($3::int8[])")
        #expect(PostgresDialect().keySetFilter("x", parameterIndex: 3, type: .integer, keyCount: 20_000) == "x IN (SELECT unnest($3::int8[]))")
        #expect(PostgresDialect().keySetFilter("x", parameterIndex: 3, type: .text, keyCount: 20_000)
                == "(x IN (SELECT unnest($3::text[])) OR pg_typeof(x) = 'character'::regtype)")
        #expect(PostgresDialect().keySetFilter("x", parameterIndex: 3, type: .date, keyCount: 1) == nil)
    }
}
