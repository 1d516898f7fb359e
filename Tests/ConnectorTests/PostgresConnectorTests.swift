import ConnectorKit
import Foundation
import MeshCore
import MeshDialect
import MeshPlan
import MeshTestSupport
import PostgresConnector
import Testing

@Suite("PostgreSQL connector")
struct PostgresConnectorTests {
    private func connector(_ db: PGFixture.Database, poolSize: Int = 4,
                           applicationName: String? = nil) throws -> PostgresConnector {
        guard let applicationName else { return try PostgresConnector(dsn: db.conninfo, poolSize: poolSize) }
        return try PostgresConnector(dsn: PGFixture.conninfo(db.conninfo, applicationName: applicationName),
                                     poolSize: poolSize)
    }

    @Test func discoversTablesViewsAndTypes() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db)
        let tables = try await pg.discover(schema: nil)
        #expect(tables.map(\.name) == ["all_types", "all_types_view", "big", "nums"])
        let all = try #require(tables.first { $0.name == "all_types" })
        #expect(all.kind == .table)
        #expect(all.schema == "public")
        let types = Dictionary(uniqueKeysWithValues: all.columns.map { ($0.name, $0.type) })
        #expect(all.columns.map(\.name) == ["id", "b", "s", "i", "l", "r", "d", "n", "nn", "t", "v", "c", "dt",
                                            "ts", "tz", "by", "u", "j", "iv", "p"])
        #expect(types["b"] == .boolean)
        #expect(types["s"] == .smallint)
        #expect(types["i"] == .integer)
        #expect(types["l"] == .bigint)
        #expect(types["r"] == .double)
        #expect(types["d"] == .double)
        #expect(types["n"] == .decimal(precision: 15, scale: 2))
        #expect(types["nn"] == .decimal(precision: 38, scale: 6))
        #expect(types["t"] == .text)
        #expect(types["v"] == .text)
        #expect(types["c"] == .text)
        #expect(types["dt"] == .date)
        #expect(types["ts"] == .timestamp)
        #expect(types["tz"] == .timestamptz)
        #expect(types["by"] == .bytea)
        #expect(types["u"] == .text)
        #expect(types["j"] == .text)
        #expect(types["iv"] == .text)
        #expect(types["p"] == .integer)   // a domain reads as its base type
        #expect(all.columns[0].nullable == false)
        #expect(all.columns[1].nullable == true)
        #expect(all.columns.first { $0.name == "v" }?.nativeType == "character varying(20)")
        #expect(all.columns.first { $0.name == "n" }?.nativeType == "numeric(15,2)")
        let view = try #require(tables.first { $0.name == "all_types_view" })
        #expect(view.kind == .view)
        #expect(view.columns.map(\.type) == [.integer, .decimal(precision: 15, scale: 2), .text])

        #expect(try await pg.discover(schema: "no_such_schema").isEmpty)
    }

    @Test func readsEveryTypeIncludingNulls() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db)
        let table = try #require(try await pg.discover(schema: "public").first { $0.name == "all_types" })
        let result = try await rows(pg.execute(RemoteQuery(sql: "SELECT * FROM all_types ORDER BY id",
                                                           outputTypes: table.columns.map(\.type))))
        #expect(result.count == 3)
        let r1 = result[0]
        #expect(r1[0] == .int(1))
        #expect(r1[1] == .bool(true))
        #expect(r1[2] == .int(-12))
        #expect(r1[3] == .int(123456))
        #expect(r1[4] == .int(9_000_000_000))
        #expect(r1[5] == .double(1.5))
        #expect(r1[6] == .double(2.25))
        #expect(r1[7] == .decimal(1_234_567, scale: 2))
        #expect(r1[8] == .decimal(123_457, scale: 6))           // 0.1234567 rounded at scale 6
        #expect(r1[9] == .string("héllo"))
        #expect(r1[10] == .string("varchar"))
        #expect(r1[11] == .string("ab   "))                     // char(5) keeps its padding
        #expect(r1[12] == .date(CivilTime.days(year: 2024, month: 2, day: 29)))
        #expect(r1[13] == .timestamp(CivilTime.parseTimestamp("2024-02-29 13:45:06.123456")!))
        #expect(r1[14] == .timestamp(CivilTime.parseTimestamp("2024-02-29 11:45:06")!))   // UTC
        #expect(r1[15] == .bytes([0x00, 0xff, 0x10]))
        #expect(r1[16] == .string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        #expect(r1[17] == .string("{\"k\": [1, 2]}"))
        #expect(r1[18] == .string("1 day 02:00:00"))            // interval: cast to text on the server
        #expect(r1[19] == .int(7))

        let r2 = result[1]
        #expect(r2[0] == .int(2))
        #expect(r2.dropFirst().allSatisfy { $0 == .null })

        let r3 = result[2]
        #expect(r3[1] == .bool(false))
        #expect(r3[2] == .int(32767))
        #expect(r3[3] == .int(-2_147_483_648))
        #expect(r3[4] == .int(.min))
        #expect(r3[6] == .double(-1e300))
        #expect(r3[7] == .decimal(-1, scale: 2))
        #expect(r3[8] == .decimal(Decimal128.parse("-99999999999999999999.999999", scale: 6)!, scale: 6))
        #expect(r3[9] == .string(""))
        #expect(r3[12] == .date(0))
        #expect(r3[13] == .timestamp(CivilTime.parseTimestamp("1999-12-31 23:59:59.999999")!))
        #expect(r3[14] == .timestamp(CivilTime.parseTimestamp("2000-01-01 00:00:00")!))
        #expect(r3[15] == .bytes([]))
        #expect(r3[18] == .string("-3 mons"))
    }

    @Test func numericIsExact() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db)
        // Computed in PostgreSQL on numeric columns: exactly 0.3, not 0.30000000000000004.
        let sum = try await rows(pg.execute(RemoteQuery(
            sql: "SELECT a + b, a + b, a + b FROM nums ORDER BY a DESC",
            outputTypes: [.decimal(precision: 11, scale: 1), .decimal(precision: 38, scale: 4), .double])))
        #expect(sum[0] == [.decimal(3, scale: 1), .decimal(3000, scale: 4), .double(0.3)])
        #expect(sum[1] == [.decimal(-3, scale: 1), .decimal(-3000, scale: 4), .double(-0.3)])

        // Rounding to the output scale: half away from zero, as PostgreSQL rounds numeric.
        let rounded = try await rows(pg.execute(RemoteQuery(
            sql: """
                SELECT 2.345::numeric, -2.345::numeric, 0.00001::numeric, 99999.995::numeric,
                       123456789012345678901234567890.12::numeric, 10000::numeric, 0::numeric, 1.5::numeric
                """,
            outputTypes: [.decimal(precision: 10, scale: 2), .decimal(precision: 10, scale: 2),
                          .decimal(precision: 10, scale: 2), .decimal(precision: 10, scale: 2),
                          .decimal(precision: 38, scale: 2), .decimal(precision: 10, scale: 0),
                          .decimal(precision: 10, scale: 3), .bigint])))
        #expect(rounded[0] == [.decimal(235, scale: 2), .decimal(-235, scale: 2), .decimal(0, scale: 2),
                               .decimal(10_000_000, scale: 2),
                               .decimal(Decimal128.parse("123456789012345678901234567890.12", scale: 2)!, scale: 2),
                               .decimal(10000, scale: 0), .decimal(0, scale: 3), .int(2)])

        // Integer and float sources into decimal outputs, numeric into double.
        let mixed = try await rows(pg.execute(RemoteQuery(
            sql: "SELECT 42::int8, 7::int2, 0.1::float8, 1234.5678::numeric",
            outputTypes: [.decimal(precision: 20, scale: 2), .double, .decimal(precision: 10, scale: 3), .double])))
        #expect(mixed[0] == [.decimal(4200, scale: 2), .double(7), .decimal(100, scale: 3), .double(1234.5678)])

        // A float read as an integer is cast by the server (round half to even).
        let cast = try await rows(pg.execute(RemoteQuery(sql: "SELECT 2.5::float8, 3.5::float8",
                                                         outputTypes: [.bigint, .integer])))
        #expect(cast[0] == [.int(2), .int(4)])
    }

    @Test func bindsParameters() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db)
        let dialect = PostgresDialect()
        let text: SQLText = "SELECT id, x, label FROM big WHERE id <= \(dialect.placeholder(index: 1, type: .bigint))"
            + " AND x > \(dialect.placeholder(index: 2, type: .decimal(precision: 12, scale: 1)))"
            + " AND label LIKE \(dialect.placeholder(index: 3, type: .text)) ORDER BY id"
        let sql = text.render(dialect).sql
        let result = try await rows(pg.execute(RemoteQuery(
            sql: sql, parameters: [.int(10), .decimal(30, scale: 1), .string("row %")],
            outputTypes: [.bigint, .decimal(precision: 12, scale: 1), .text])))
        #expect(result.map { $0[0] } == (3...10).map { .int(Int64($0)) })
        #expect(result[0] == [.int(3), .decimal(45, scale: 1), .string("row 3")])

        // NULL, dates, timestamps, booleans and bytes as parameters.
        let typed = try await rows(pg.execute(RemoteQuery(
            sql: "SELECT $1::integer IS NULL, $2::date + 1, $3::timestamp, $4::boolean, $5::bytea, $6::timestamptz",
            parameters: [.null, .date(CivilTime.days(year: 2024, month: 2, day: 28)),
                         .timestamp(CivilTime.parseTimestamp("2024-01-02 03:04:05.5")!), .bool(true),
                         .bytes([1, 2, 255]), .timestamp(0)],
            outputTypes: [.boolean, .date, .timestamp, .boolean, .bytea, .timestamptz])))
        #expect(typed[0] == [.bool(true), .date(CivilTime.days(year: 2024, month: 2, day: 29)),
                             .timestamp(CivilTime.parseTimestamp("2024-01-02 03:04:05.5")!), .bool(true),
                             .bytes([1, 2, 255]), .timestamp(0)])
    }

    /// Small queries run as named prepared statements; a table changed under one is prepared
    /// again, not an error.
    @Test func preparedSmallQueriesSurviveATableChange() async throws {
        guard let fixture = try await PGFixture.get() else { return }
        // A database of its own: the fixture's tables are what other tests discover.
        let name = "meshql_prepared_\(getpid())"
        let db = PGFixture.Database(server: fixture.server, conninfo: try fixture.server.createDatabase(name), name: name)
        try db.server.execute("CREATE TABLE prepared_change (id integer, v integer);"
                              + " INSERT INTO prepared_change VALUES (1, 10), (2, 20)", database: db.name)
        let pg = try connector(db, poolSize: 1)
        defer { pg.shutdown() }
        func read(_ id: Int64, _ type: DataType) async throws -> [[Value]] {
            try await rows(pg.execute(RemoteQuery(sql: "SELECT v FROM prepared_change WHERE id = $1::bigint", parameters: [.int(id)],
                                                  outputTypes: [type], expectedRows: 1)))
        }
        for _ in 0..<3 { #expect(try await read(1, .integer) == [[.int(10)]]) }
        #expect(try await read(2, .integer) == [[.int(20)]])
        try db.server.execute("ALTER TABLE prepared_change ALTER COLUMN v TYPE text", database: db.name)
        #expect(try await read(2, .text) == [[.string("20")]])
        #expect(try await read(1, .text) == [[.string("10")]])
    }

    @Test func readsManyBatches() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db)
        // Through binary COPY (no parameters).
        let batches = try await pg.execute(RemoteQuery(
            sql: "SELECT id, x, label FROM big ORDER BY id",
            outputTypes: [.bigint, .decimal(precision: 12, scale: 1), .text])).collect()
        #expect(batches.map(\.rowCount) == [4096, 4096, 1808])
        var expected: Int64 = 1
        for batch in batches {
            guard case .int(let ids) = batch.columns[0].storage else { Issue.record("not ints"); return }
            for id in ids {
                #expect(id == expected)
                expected += 1
            }
        }
        #expect(batches[2].row(1807) == [.int(10000), .decimal(150_000, scale: 1), .string("row 10000")])

        // In physical row ranges (the bounds as settings, each range a COPY of its own): the
        // ranges together read every row once, and the last reaches past the counted pages.
        let pages = try #require(try await pg.estimatedPageCount(schema: "public", table: "big"))
        let dialect = pg.dialect
        let (lower, upper) = dialect.rowRangeSettings
        let sql = "SELECT \"t\".id FROM big AS \"t\" WHERE " + (try #require(dialect.rowRangeCondition("\"t\""))).render(dialect).sql
        for parts in [2, 3] {
            var ids: [Int64] = []
            for range in dialect.rowRanges(pages: max(parts, pages - 1), parts: parts) {
                let got = try await pg.execute(RemoteQuery(sql: sql, outputTypes: [.bigint],
                                                           settings: [(lower, range.lower), (upper, range.upper)])).collect()
                for b in got { if case .int(let a) = b.columns[0].storage { ids += a } }
            }
            #expect(ids.sorted() == Array(1...10_000), "\(parts) ranges")
        }
        // A bound value in a range's query is a setting too, read once as its type.
        let bound = try #require(dialect.settingPlaceholder("meshql.param_1", suffix: "::bigint")).render(dialect).sql
        var above: [Int64] = []
        for range in dialect.rowRanges(pages: max(2, pages - 1), parts: 2) {
            let got = try await pg.execute(RemoteQuery(sql: sql + " AND \"t\".id > \(bound)", outputTypes: [.bigint],
                                                       settings: [(lower, range.lower), (upper, range.upper),
                                                                  ("meshql.param_1", "9990")])).collect()
            for b in got { if case .int(let a) = b.columns[0].storage { above += a } }
        }
        #expect(above.sorted() == Array(9991...10_000))

        // Streamed (with parameters).
        let streamed = try await pg.execute(RemoteQuery(
            sql: "SELECT id FROM big WHERE id > $1::bigint ORDER BY id", parameters: [.int(10)],
            outputTypes: [.bigint])).collect()
        #expect(streamed.map(\.rowCount) == [4096, 4096, 1798])

        // generate_series, straight from the server, and an empty result.
        let series = try await rows(pg.execute(RemoteQuery(
            sql: "SELECT count(*), sum(g) FROM generate_series(1, 100000) g", outputTypes: [.bigint, .decimal(precision: 38, scale: 0)])))
        #expect(series == [[.int(100_000), .decimal(5_000_050_000, scale: 0)]])
        #expect(try await pg.execute(RemoteQuery(sql: "SELECT id FROM big WHERE false", outputTypes: [.bigint])).collect().isEmpty)
        #expect(try await pg.execute(RemoteQuery(sql: "SELECT id FROM big WHERE id < $1::int", parameters: [.int(0)],
                                                 outputTypes: [.bigint])).collect().isEmpty)
    }

    @Test(.timeLimit(.minutes(10))) func cancelStopsTheServerQuery() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db, applicationName: "meshql_cancel_test")
        for useParameters in [false, true] {
            let query = useParameters
                ? RemoteQuery(sql: "SELECT 1 FROM pg_sleep($1::float8)", parameters: [.double(180)], outputTypes: [.integer])
                : RemoteQuery(sql: "SELECT 1 FROM pg_sleep(180)", outputTypes: [.integer])
            let stream = pg.execute(query)
            let reader = Task { try await stream.collect() }
            // Cancelled once PostgreSQL runs it, not after a pause that may be too short.
            let running = try await activeQueries(pg, "meshql_cancel_test", until: { $0 > 0 })
            #expect(running > 0, "the query never ran")
            // Timed from the cancel. An idle machine hears back in well under a second; one CI
            // run beside the whole suite on two cores took 10.9 s to open the cancel connection
            // and hear back. The query would sleep three minutes.
            let clock = ContinuousClock()
            let start = clock.now
            reader.cancel()
            let outcome = await reader.result
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(60))
            if case .success = outcome { Issue.record("a cancelled query must not succeed") }
            #expect(try await activeQueries(pg, "meshql_cancel_test") == 0)
        }
        // The pool still works afterwards.
        #expect(try await rows(pg.execute(RemoteQuery(sql: "SELECT 1", outputTypes: [.integer]))) == [[.int(1)]])
    }

    @Test func cancellingMidStreamStopsReading() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db, poolSize: 1, applicationName: "meshql_mid_stream_test")
        // A big result (10^8 rows, streamed as produced): the producer blocks on the full
        // stream while we read one batch.
        let stream = pg.execute(RemoteQuery(sql: "SELECT a.id FROM big a, big b", outputTypes: [.bigint]))
        let first = try await stream.next()
        #expect(first?.rowCount == 4096)
        stream.cancel()
        // With pool_size 1 this only runs once the cancelled query gave its connection back.
        #expect(try await activeQueries(pg, "meshql_mid_stream_test") == 0)
    }

    /// Queries still running from this test's connector (by application name), other than the
    /// one asking, once `done` holds for their count or half a minute passed (PostgreSQL
    /// takes a moment to start a query, and to end one that was cancelled). Tests run in
    /// parallel, so other tests' queries must not count.
    private func activeQueries(_ pg: PostgresConnector, _ applicationName: String,
                               until done: (Int64) -> Bool = { $0 == 0 }) async throws -> Int64 {
        let clock = ContinuousClock(), deadline = clock.now + .seconds(30)
        var count: Int64 = -1
        while true {
            let r = try await rows(pg.execute(RemoteQuery(
                sql: """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name = $1::text AND state = 'active' AND pid <> pg_backend_pid()
                    """, parameters: [.string(applicationName)], outputTypes: [.bigint])))
            if case .int(let n) = r[0][0] { count = n }
            if done(count) || clock.now > deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return count
    }

    @Test func sourceErrorsCarryOnlyThePrimaryMessage() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try PostgresConnector(dsn: db.conninfo, password: "pw-should-never-show", poolSize: 2)
        let syntax = await failure(pg.execute(RemoteQuery(sql: "SELEC 1", outputTypes: [.integer])))
        let e1 = try #require(syntax as? SourceError)
        #expect(e1.kind == .other)
        // The primary message and PostgreSQL's code; never the detail or the query text.
        #expect(e1.meshError.message == "syntax error at or near \"SELEC\" (PostgreSQL SQLSTATE 42601)")
        #expect(e1.meshError.code == .source)

        // Typed by SQLSTATE: the executor reads the kind, not the text.
        let missing = await failure(pg.execute(RemoteQuery(sql: "SELECT * FROM nope", outputTypes: [.integer])))
        #expect((missing as? SourceError)?.kind == .missingTable)
        #expect((missing as? SourceError)?.meshError.message == "relation \"nope\" does not exist (PostgreSQL SQLSTATE 42P01)")
        let column = await failure(pg.execute(RemoteQuery(sql: "SELECT s0.gone FROM big AS s0", outputTypes: [.integer])))
        #expect((column as? SourceError)?.kind == .missingColumn("gone"))
        let quotedColumn = await failure(pg.execute(RemoteQuery(sql: "SELECT \"Gone\" FROM big", outputTypes: [.integer])))
        #expect((quotedColumn as? SourceError)?.kind == .missingColumn("Gone"))

        let zero = await failure(pg.execute(RemoteQuery(sql: "SELECT 1 / (id - id) FROM big", outputTypes: [.integer])))
        #expect((zero as? SourceError)?.kind == .data(.divisionByZero))
        #expect((zero as? SourceError)?.message == "division by zero")

        let withParam = await failure(pg.execute(RemoteQuery(sql: "SELECT 10 / $1::int", parameters: [.int(0)],
                                                             outputTypes: [.integer])))
        #expect((withParam as? SourceError)?.kind == .data(.divisionByZero))

        for e in [syntax, missing, column, quotedColumn, zero, withParam] {
            let text = String(describing: e!)
            #expect(!text.contains("pw-should-never-show"))
            #expect(!text.contains("host="))
        }
        // Errors discard their connection; the connector keeps working.
        #expect(try await rows(pg.execute(RemoteQuery(sql: "SELECT 2", outputTypes: [.integer]))) == [[.int(2)]])
    }

    @Test func connectionErrorsNeverShowThePassword() async throws {
        guard try await PGFixture.get() != nil else { return }
        let closedPort = "host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=2"
        let withOption = try PostgresConnector(dsn: closedPort, password: "s3cret-option-pw")
        let withURI = try PostgresConnector(dsn: "postgresql://postgres:s3cret-uri-pw@127.0.0.1:1/postgres?connect_timeout=2")
        for pg in [withOption, withURI] {
            do {
                _ = try await pg.check()
                Issue.record("connecting to a closed port must fail")
            } catch let e as MeshError {
                #expect(e.code == .connection)
                #expect(e.message.hasPrefix("cannot connect to PostgreSQL source: "))
                #expect(!e.message.contains("s3cret"))
            }
            let streamError = await failure(pg.execute(RemoteQuery(sql: "SELECT 1", outputTypes: [.integer])))
            #expect((streamError as? MeshError)?.code == .connection)
            #expect(!String(describing: streamError!).contains("s3cret"))
        }
        // A DSN libpq cannot parse is rejected without echoing it.
        do {
            _ = try PostgresConnector(dsn: "host=x password=s3cret-bad 'unterminated")
            Issue.record("a malformed DSN must be rejected")
        } catch let e as MeshError {
            #expect(e.code == .invalidParameter)
            #expect(!e.message.contains("s3cret"))
        }
    }

    @Test func checkStatisticsAndRegistry() async throws {
        guard let db = try await PGFixture.get() else { return }
        var registry = ConnectorRegistry()
        PostgresConnector.register(in: &registry)
        #expect(registry.types == ["postgres"])
        #expect(registry.secrets(for: "postgres") == ["password"])
        #expect(registry.options(for: "postgres") == ["dsn", "pool_size", "pool_timeout", "password"])
        let pg = try registry.make(type: "postgres", options: ["dsn": db.conninfo, "pool_size": "2"], baseDirectory: "/")
        #expect(pg.typeName == "postgres")
        #expect(pg.dialect.name == "postgres")
        let health = try await pg.check()
        #expect(health.version.hasPrefix("PostgreSQL "))
        #expect(health.latencyMilliseconds >= 0)
        #expect(try await pg.estimatedRowCount(schema: "public", table: "big") == 10000)
        #expect(try await pg.estimatedRowCount(schema: "public", table: "nope") == nil)

        #expect(throws: MeshError.self) { try registry.make(type: "postgres", options: [:], baseDirectory: "/") }
        #expect(throws: MeshError.self) {
            try registry.make(type: "postgres", options: ["dsn": db.conninfo, "pool_size": "many"], baseDirectory: "/")
        }
        #expect(throws: MeshError.self) {
            try registry.make(type: "postgres", options: ["dsn": db.conninfo, "colour": "red"], baseDirectory: "/")
        }
        // The wait for a free connection: seconds, from 1 to an hour.
        for bad in ["soon", "0", "-3", "nan", "7200"] {
            #expect(throws: MeshError.self) {
                try registry.make(type: "postgres", options: ["dsn": db.conninfo, "pool_timeout": bad], baseDirectory: "/")
            }
        }
        try registry.make(type: "postgres", options: ["dsn": db.conninfo, "pool_timeout": "2.5"], baseDirectory: "/").shutdown()
        pg.shutdown()
    }

    @Test func poolOfOneServesConcurrentQueries() async throws {
        guard let db = try await PGFixture.get() else { return }
        let pg = try connector(db, poolSize: 1)
        try await withThrowingTaskGroup(of: [[Value]].self) { group in
            for i in 0..<6 {
                group.addTask {
                    try await rows(pg.execute(RemoteQuery(sql: "SELECT \(i), pg_sleep(0.05)::text",
                                                          outputTypes: [.integer, .text])))
                }
            }
            var seen = 0
            for try await r in group {
                #expect(r.count == 1)
                seen += 1
            }
            #expect(seen == 6)
        }
    }
}
