import ConnectorKit
import Foundation
import MariaDBConnector
import MeshCore
import MeshDialect
import MeshTestSupport
import Testing

/// The MariaDB database the connector tests read, created once per test process on the
/// shared test server (default, case-insensitive collation, as a MariaDB user has it).
enum MariaFixture {
    struct Database: Sendable {
        let server: TestMariaDB
        let dsn: String
    }

    static func get() async throws -> Database? { try await task.value }
    private static let task = Task { try await create() }

    private static func create() async throws -> Database? {
        guard let server = try await TestMariaDB.shared() else { return nil }
        let name = "meshql_connector_tests_\(getpid())"
        let dsn = try server.createDatabase(name)
        try server.execute("""
            CREATE TABLE all_types (
              id INT NOT NULL PRIMARY KEY, b BOOLEAN, ti TINYINT, s SMALLINT, su SMALLINT UNSIGNED, i INT,
              iu INT UNSIGNED, l BIGINT, lu BIGINT UNSIGNED, f DOUBLE, n DECIMAL(15,2), t TEXT, v VARCHAR(20),
              c CHAR(5), dt DATE, ts DATETIME(6), tz TIMESTAMP(6) NULL, `by` VARBINARY(10), e ENUM('x','y'), j JSON);
            INSERT INTO all_types VALUES
              (1, TRUE, -5, -12, 65535, 123456, 4000000000, 9000000000, 18446744073709551615, 2.25, 12345.67,
               'héllo', 'varchar', 'ab', '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5',
               X'00FF', 'y', '{"a": 1}'),
              (2, FALSE, 0, 0, 0, 0, 0, 0, 0, -0.5, -0.01, '', '', '', '1970-01-01', '1970-01-01 00:00:00', NULL,
               X'', 'x', '[]'),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL);
            CREATE VIEW all_types_view AS SELECT id, n, t FROM all_types;
            CREATE TABLE words (id INT NOT NULL PRIMARY KEY, w VARCHAR(10), k INT, KEY (k));
            INSERT INTO words VALUES (1, 'a', 1), (2, 'A', 1), (3, 'a ', 2), (4, 'b', 2), (5, NULL, NULL), (6, 'a\\b', 3);
            ANALYZE TABLE words PERSISTENT FOR ALL;
            CREATE TABLE odd (id INT NOT NULL PRIMARY KEY, u INT UNSIGNED, bits BIT(8), flag TINYINT(1), long_text VARCHAR(3000));
            INSERT INTO odd VALUES (1, 3, b'00000101', 2, CONCAT(REPEAT('x', 2000), 'b')),
                                   (2, 10, b'00000001', 0, CONCAT(REPEAT('x', 2000), 'c')),
                                   (3, 0, b'00000010', 1, CONCAT(REPEAT('x', 2000), 'a'));
            """, database: name)
        return Database(server: server, dsn: dsn)
    }
}

@Suite("MariaDB connector")
struct MariaDBConnectorTests {
    private func connector(_ db: MariaFixture.Database, poolSize: Int = 4) throws -> MariaDBConnector {
        try MariaDBConnector(dsn: db.dsn, poolSize: poolSize)
    }

    @Test func discoversTablesViewsAndTypes() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        let tables = try await maria.discover(schema: nil)
        #expect(tables.map(\.name) == ["all_types", "all_types_view", "odd", "words"])
        let all = try #require(tables.first { $0.name == "all_types" })
        #expect(all.kind == .table)
        #expect(all.schema == "meshql_connector_tests_\(getpid())")
        #expect(all.columns.map(\.type) == [
            .integer, .boolean, .smallint, .smallint, .integer, .integer, .bigint, .bigint, .decimal(precision: 20, scale: 0),
            .double, .decimal(precision: 15, scale: 2), .text, .text, .text, .date, .timestamp, .timestamptz, .bytea,
            .text, .text,
        ])
        #expect(all.columns[0].nullable == false && all.columns[1].nullable == true)
        #expect(all.columns.first { $0.name == "n" }?.nativeType == "decimal(15,2)")
        let view = try #require(tables.first { $0.name == "all_types_view" })
        #expect(view.kind == .view)
        #expect(view.columns.map(\.type) == [.integer, .decimal(precision: 15, scale: 2), .text])
        await #expect(throws: MeshError.self) { try await maria.discover(schema: "no_such_schema") }
    }

    @Test func readsEveryTypeExactly() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        let table = try #require(try await maria.discover(schema: nil).first { $0.name == "all_types" })
        let result = try await rows(maria.execute(RemoteQuery(sql: "SELECT * FROM all_types ORDER BY id",
                                                              outputTypes: table.columns.map(\.type))))
        #expect(result.count == 3)
        let day = CivilTime.days(year: 2024, month: 2, day: 29)
        let micros = Int64(day) * CivilTime.microsPerDay + (13 * 3600 + 14 * 60 + 15) * 1_000_000
        #expect(result[0] == [
            .int(1), .bool(true), .int(-5), .int(-12), .int(65535), .int(123456), .int(4_000_000_000), .int(9_000_000_000),
            .decimal(18_446_744_073_709_551_615, scale: 0), .double(2.25), .decimal(1_234_567, scale: 2), .string("héllo"),
            .string("varchar"), .string("ab"), .date(day), .timestamp(micros + 123_456), .timestamp(micros + 500_000),
            .bytes([0, 255]), .string("y"), .string("{\"a\": 1}"),
        ])
        #expect(result[1][9] == .double(-0.5) && result[1][10] == .decimal(-1, scale: 2) && result[1][11] == .string(""))
        #expect(result[1][14] == .date(0) && result[1][17] == .bytes([]))
        #expect(result[2].dropFirst().allSatisfy { $0.isNull })
    }

    @Test func bindsEveryTypeOfValue() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        let day = CivilTime.days(year: 1999, month: 12, day: 31)
        let values: [(Value, DataType)] = [
            (.int(-9_000_000_000), .bigint), (.double(0.1), .double), (.decimal(-123_456_789, scale: 4), .decimal(precision: 20, scale: 4)),
            (.string("it's \\ \"quoted\" é"), .text), (.date(day), .date),
            (.timestamp(Int64(day) * CivilTime.microsPerDay + 1), .timestamp), (.bool(true), .boolean), (.null, .integer),
            (.bytes([1, 0, 2]), .bytea),
        ]
        let sql = "SELECT " + values.map { _ in "?" }.joined(separator: ", ")
        let result = try await rows(maria.execute(RemoteQuery(sql: sql, parameters: values.map(\.0), outputTypes: values.map(\.1))))
        #expect(result == [values.map(\.0)])
        // A text value compared with a column: bound, never spliced.
        let hits = try await rows(maria.execute(RemoteQuery(sql: "SELECT id FROM all_types WHERE v = ? OR v = ?",
                                                            parameters: [.string("varchar"), .string("' OR 1=1 -- ")],
                                                            outputTypes: [.integer])))
        #expect(hits == [[.int(1)]])
    }

    /// The dialect's spellings give meshql's answers at the source, over a table in the
    /// server's case-insensitive, space-padding collation.
    @Test func dialectSpellingsMeanWhatMeshqlMeans() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        let d = MariaDBDialect()
        let w = d.tableColumn("`s0`", "w", type: .text, nativeType: "varchar(10)").render(d).sql
        func ids(_ condition: String, _ parameters: [Value] = [], order: String = "`s0`.`id`") async throws -> [Value] {
            try await rows(maria.execute(RemoteQuery(sql: "SELECT `s0`.`id` FROM `words` AS `s0` WHERE \(condition) ORDER BY \(order)",
                                                     parameters: parameters, outputTypes: [.integer]))).map { $0[0] }
        }
        // Without the dialect's column, 'a' = 'A' = 'a ' here.
        #expect(try await ids("`s0`.`w` = ?", [.string("a")]) == [.int(1), .int(2), .int(3)])
        #expect(try await ids("\(w) = ?", [.string("a")]) == [.int(1)])
        #expect(try await ids("\(w) < ?", [.string("a")]) == [.int(2)])
        #expect(try await ids("\(w) LIKE ?", [.string("a%")]) == [.int(1), .int(3), .int(6)])
        // The escape character is a bound value; there is no LIKE without one.
        #expect(try await ids("\(w) LIKE ? ESCAPE ?", [.string("a\\\\b"), .string("\\")]) == [.int(6)])
        #expect(d.noLikeEscape == nil)
        // Byte order, NULLs where asked.
        let order = d.orderItem(SQLText(w), descending: false, nullsFirst: false)!.render(d).sql
        let ordered = try await rows(maria.execute(RemoteQuery(
            sql: "SELECT `s0`.`w` FROM `words` AS `s0` ORDER BY \(order)", outputTypes: [.text]))).map { $0[0] }
        #expect(ordered == [.string("A"), .string("a"), .string("a "), .string("a\\b"), .string("b"), .null])
        let descending = d.orderItem(SQLText(w), descending: true, nullsFirst: true)!.render(d).sql
        let down = try await rows(maria.execute(RemoteQuery(
            sql: "SELECT `s0`.`w` FROM `words` AS `s0` ORDER BY \(descending)", outputTypes: [.text]))).map { $0[0] }
        #expect(down == ordered.reversed())
        // Grouping and DISTINCT in byte order.
        let groups = try await rows(maria.execute(RemoteQuery(
            sql: "SELECT COUNT(DISTINCT \(w)) FROM `words` AS `s0`", outputTypes: [.bigint])))
        #expect(groups == [[.int(5)]])
        // NULL-safe comparison, concatenation, AVG to meshql's 16 places.
        let same = d.distinctFrom("`s0`.`k`", "?", negated: true)!.render(d).sql
        #expect(try await ids(same, [.null]) == [.int(5)])
        let concat = try await rows(maria.execute(RemoteQuery(sql: "SELECT ? || ?", parameters: [.string("a"), .string("b")],
                                                              outputTypes: [.text])))
        #expect(concat == [[.string("ab")]])
        let avg = d.aggregateCall("AVG", argument: "`s0`.`k`", argumentType: .integer, distinct: false)!.render(d).sql
        let mean = try await rows(maria.execute(RemoteQuery(sql: "SELECT \(avg) FROM `words` AS `s0` WHERE `s0`.`k` < 3",
                                                            outputTypes: [.decimal(precision: 38, scale: 16)])))
        #expect(mean == [[.decimal(15_000_000_000_000_000, scale: 16)]])
        let third = try await rows(maria.execute(RemoteQuery(
            sql: "SELECT \(d.aggregateCall("AVG", argument: "`s0`.`k`", argumentType: .integer, distinct: true)!.render(d).sql) FROM `words` AS `s0`",
            outputTypes: [.decimal(precision: 38, scale: 16)])))
        #expect(third == [[.decimal(20_000_000_000_000_000, scale: 16)]])
        // A key set as one JSON parameter; an OFFSET without LIMIT.
        let keys = d.keySetFilter("`s0`.`id`", parameterIndex: 1, type: .integer, keyCount: 2)!.render(d).sql
        #expect(try await ids(keys, [d.keySetParameter([.int(2), .int(4)])!]) == [.int(2), .int(4)])
        let skip = d.limitClause(limit: nil, offset: "4").render(d).sql
        #expect(try await ids("TRUE", order: "`s0`.`id` " + skip) == [.int(5), .int(6)])
    }

    /// What MariaDB does otherwise than PostgreSQL, each read or spelled so that it does not
    /// show: unsigned arithmetic, BIT comparison, TINYINT(1) holding 2, text sorted past its
    /// first 1024 bytes, dates past year 9999.
    @Test func mariadbQuirksDoNotShow() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        let d = MariaDBDialect()
        let table = try #require(try await maria.discover(schema: nil).first { $0.name == "odd" })
        func column(_ name: String) -> String {
            let c = table.columns.first { $0.name == name }!
            return d.tableColumn("`s0`", name, type: c.type, nativeType: c.nativeType).render(d).sql
        }
        func read(_ sql: String, _ parameters: [Value] = [], _ type: DataType) async throws -> [Value] {
            try await rows(maria.execute(RemoteQuery(sql: sql, parameters: parameters, outputTypes: [type]))).map { $0[0] }
        }
        let minus = d.arithmetic("-", SQLText(column("u")), "?", type: .bigint)!.render(d).sql
        #expect(try await read("SELECT \(minus) FROM `odd` AS `s0` ORDER BY `s0`.`id`", [.int(5)], .bigint)
                == [.int(-2), .int(5), .int(-5)])
        #expect(try await read("SELECT `s0`.`id` FROM `odd` AS `s0` WHERE \(column("bits")) = ?", [.bytes([5])], .integer) == [.int(1)])
        #expect(try await read("SELECT COUNT(DISTINCT \(column("flag"))) FROM `odd` AS `s0`", [], .bigint) == [.int(2)])
        #expect(try await read("SELECT `s0`.`id` FROM `odd` AS `s0` WHERE \(column("flag")) = ? ORDER BY 1", [.bool(true)], .integer)
                == [.int(1), .int(3)])
        let order = d.orderItem(SQLText(column("long_text")), descending: false, nullsFirst: false)!.render(d).sql
        #expect(try await read("SELECT `s0`.`id` FROM `odd` AS `s0` ORDER BY \(order)", [], .integer) == [.int(3), .int(1), .int(2)])
        let farFuture = Value.date(CivilTime.days(year: 10000, month: 1, day: 1))
        #expect(!d.canBind(farFuture, type: .date))
        let refused = await failure(maria.execute(RemoteQuery(sql: "SELECT ? IS NULL", parameters: [farFuture], outputTypes: [.boolean])))
        #expect((refused as? MeshError)?.code == .datetimeOverflow)
    }

    @Test(.timeLimit(.minutes(10))) func cancelStopsTheServerQuery() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        for useParameters in [false, true] {
            let query = useParameters
                ? RemoteQuery(sql: "SELECT SLEEP(?)", parameters: [.int(180)], outputTypes: [.integer])
                : RemoteQuery(sql: "SELECT SLEEP(180)", outputTypes: [.integer])
            let reader = Task { try await maria.execute(query).collect() }
            #expect(try await sleepingQueries(maria, until: { $0 > 0 }) > 0, "the query never ran")
            let clock = ContinuousClock()
            let start = clock.now
            reader.cancel()
            let outcome = await reader.result
            #expect(clock.now - start < .seconds(60))
            if case .success = outcome { Issue.record("a cancelled query must not succeed") }
            #expect(try await sleepingQueries(maria) == 0)
        }
        #expect(try await rows(maria.execute(RemoteQuery(sql: "SELECT 1", outputTypes: [.integer]))) == [[.int(1)]])
    }

    @Test func stoppingMidStreamFreesTheConnection() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db, poolSize: 1)
        // 10^8 rows from the Sequence engine, streamed as produced.
        let stream = maria.execute(RemoteQuery(sql: "SELECT a.seq FROM seq_1_to_10000 a, seq_1_to_10000 b", outputTypes: [.bigint]))
        let first = try await stream.next()
        #expect(first?.rowCount == Batch.preferredSize)
        stream.cancel()
        // With one connection this runs only once the cancelled query gave it back.
        #expect(try await rows(maria.execute(RemoteQuery(sql: "SELECT 2", outputTypes: [.integer]))) == [[.int(2)]])
        // A value that does not decode ends the query without reading the other 10^8 rows.
        let clock = ContinuousClock(), start = clock.now
        let bad = await failure(maria.execute(RemoteQuery(
            sql: "SELECT IF(a.seq = 1, 4000000000, a.seq) FROM seq_1_to_10000 a, seq_1_to_10000 b", outputTypes: [.integer])))
        print("MariaDB: a decode error after 1 of 10^8 rows ended the query in \(clock.now - start)")
        #expect((bad as? MeshError)?.code == .numericOverflow)
        #expect(try await rows(maria.execute(RemoteQuery(sql: "SELECT 3", outputTypes: [.integer]))) == [[.int(3)]])
    }

    /// `SELECT SLEEP(…)` statements running on the server, once `done` holds or 30 s passed.
    private func sleepingQueries(_ maria: MariaDBConnector, until done: (Int64) -> Bool = { $0 == 0 }) async throws -> Int64 {
        let clock = ContinuousClock(), deadline = clock.now + .seconds(30)
        while true {
            let r = try await rows(maria.execute(RemoteQuery(
                sql: "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Query', 'Execute') AND INFO LIKE 'SELECT SLEEP(%'",
                outputTypes: [.bigint])))
            var count: Int64 = -1
            if case .int(let n)? = r.first?.first { count = n }
            if done(count) || clock.now > deadline { return count }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func sourceErrorsAreTyped() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        func error(_ sql: String) async -> SourceError? {
            await failure(maria.execute(RemoteQuery(sql: sql, outputTypes: [.integer]))) as? SourceError
        }
        #expect(await error("SELECT 1 FROM no_such_table")?.kind == .missingTable)
        #expect(await error("SELECT `s0`.`nope` FROM words AS `s0`")?.kind == .missingColumn("nope"))
        let syntax = await error("SELEC 1")
        #expect(syntax?.kind == .other && syntax?.sourceCode == "MariaDB error 1064")
        // Values that do not fit meshql's type fail with the column's name, never the value.
        let wide = await failure(maria.execute(RemoteQuery(sql: "SELECT 4000000000", outputTypes: [.integer])))
        #expect((wide as? MeshError)?.code == .numericOverflow)
    }

    @Test func connectionErrorsNeverShowThePassword() async throws {
        let port = try LoopbackPort.free()
        let maria = try MariaDBConnector(dsn: "mariadb://meshql:s3cr3t-in-dsn@127.0.0.1:\(port)/db", password: "s3cr3t-option")
        do {
            _ = try await maria.check()
            Issue.record("connected to a closed port")
        } catch let e as MeshError {
            #expect(e.code == .connection)
            #expect(!e.message.contains("s3cr3t"))
        }
        for bad in ["postgres://x@h/db", "mariadb://host", "mariadb://h:99999/db", "not a url"] {
            #expect(throws: MeshError.self, "\(bad)") { try MariaDBConnector(dsn: bad) }
        }
    }

    @Test func checkStatisticsLineageAndRegistry() async throws {
        guard let db = try await MariaFixture.get() else { return }
        let maria = try connector(db)
        #expect(try await maria.check().version.hasPrefix("MariaDB "))
        let schema = "meshql_connector_tests_\(getpid())"
        #expect(try await maria.estimatedRowCount(schema: schema, table: "words") != nil)
        let distinct = try await maria.distinctCounts(schema: schema, table: "words", columns: ["id", "k", "w"])
        #expect(distinct["id"] == 6)
        #expect((distinct["k"] ?? 0) > 0)
        #expect(maria.lineageName(schema: schema, table: "words")?.name == "\(schema).words")
        var registry = ConnectorRegistry()
        MariaDBConnector.register(in: &registry)
        #expect(registry.types == ["mariadb", "mysql"])
        #expect(registry.secrets(for: "mysql") == ["password"])
        let alias = try registry.make(type: "mysql", options: ["dsn": db.dsn, "pool_size": "2"], baseDirectory: "/")
        #expect(alias.typeName == "mariadb")
        #expect(registry.locate(type: "mariadb", options: ["dsn": "mariadb://u@db.example:3307/sales"], baseDirectory: "/")
                == .servers([SourceEndpoint(host: "db.example", port: 3307)], database: "sales"))
        #expect(registry.locate(type: "mariadb", options: ["dsn": "nonsense"], baseDirectory: "/") == .unclear)
    }
}
