import ConnectorKit
import Foundation
import MeshCore
import MeshTestSupport
import SQLiteConnector
import SQLiteDB
import Testing

@Suite("SQLite connector")
struct SQLiteConnectorTests {
    /// A fresh SQLite file with the fixture tables; returns its path.
    private func makeFile(_ name: String = "source.db") throws -> String {
        let path = tempDirectory() + "/" + name
        let db = try SQLiteDatabase(path: path)
        try db.execute("""
            CREATE TABLE items (
                id INTEGER PRIMARY KEY, price DECIMAL(15,2) NOT NULL, shipped DATE, seen TIMESTAMP,
                at DATETIME, active BOOLEAN, qty INT, ratio REAL, weight DOUBLE, name TEXT, code VARCHAR(10),
                flag CHAR(1), data BLOB, anything, money MONEY, big NUMERIC
            );
            INSERT INTO items VALUES
                (1, 12345.67, '2024-02-29', '2024-02-29 13:45:06.123456', '2024-01-01T10:00:00', 1, 7, 0.5, 2.25,
                 'héllo', 'A-1', 'y', x'00ff10', 'free', 12, 0.1),
                (2, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                (3, 10, '1970-01-01', '1999-12-31 23:59:59', '2000-01-01 00:00:00', 0, -3, -1.5, 1e300,
                 '', 'B', 'n', x'', 42, 1.5, 3);
            CREATE VIEW cheap AS SELECT id, price, name, price * 2 AS doubled FROM items WHERE price < 100;
            CREATE TABLE bad (id INTEGER, amount DECIMAL(10,2), day DATE);
            INSERT INTO bad VALUES (1, 'abc', '2024-01-01'), (2, 5, 'not a date');
            """)
        return path
    }

    @Test func discoversDeclaredTypes() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile())
        let tables = try await sqlite.discover(schema: nil)
        #expect(tables.map(\.name) == ["bad", "cheap", "items"])
        let items = try #require(tables.first { $0.name == "items" })
        #expect(items.kind == .table)
        #expect(items.schema == "main")
        let types = Dictionary(uniqueKeysWithValues: items.columns.map { ($0.name, $0.type) })
        // As PostgreSQL reads the same DDL: INTEGER and INT are 32-bit integers.
        #expect(types["id"] == .integer)
        #expect(types["price"] == .decimal(precision: 15, scale: 2))
        #expect(types["shipped"] == .date)
        #expect(types["seen"] == .timestamp)
        #expect(types["at"] == .timestamp)
        #expect(types["active"] == .boolean)
        #expect(types["qty"] == .integer)
        #expect(types["ratio"] == .double)
        #expect(types["weight"] == .double)
        #expect(types["name"] == .text)
        #expect(types["code"] == .text)
        #expect(types["flag"] == .text)
        #expect(types["data"] == .bytea)
        #expect(types["anything"] == .text)
        #expect(types["money"] == .text)
        #expect(types["big"] == .decimal(precision: 38, scale: 6))
        #expect(items.columns.first { $0.name == "price" }?.nativeType == "DECIMAL(15,2)")
        #expect(items.columns.first { $0.name == "price" }?.nullable == false)
        #expect(items.columns.first { $0.name == "name" }?.nullable == true)

        let view = try #require(tables.first { $0.name == "cheap" })
        #expect(view.kind == .view)
        #expect(view.columns.map(\.type) == [.integer, .decimal(precision: 15, scale: 2), .text, .text])

        await #expect(throws: MeshError.self) { try await sqlite.discover(schema: "nope") }
    }

    @Test func readsEveryTypeIncludingNulls() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile())
        let items = try #require(try await sqlite.discover(schema: nil).first { $0.name == "items" })
        let types = items.columns.map(\.type)
        let result = try await rows(sqlite.execute(RemoteQuery(sql: "SELECT * FROM items ORDER BY id", outputTypes: types)))
        #expect(result.count == 3)
        #expect(result[0] == [
            .int(1), .decimal(1_234_567, scale: 2), .date(CivilTime.days(year: 2024, month: 2, day: 29)),
            .timestamp(CivilTime.parseTimestamp("2024-02-29 13:45:06.123456")!),
            .timestamp(CivilTime.parseTimestamp("2024-01-01 10:00:00")!), .bool(true), .int(7), .double(0.5),
            .double(2.25), .string("héllo"), .string("A-1"), .string("y"), .bytes([0, 255, 16]), .string("free"),
            .string("12"), .decimal(100_000, scale: 6),
        ])
        // 0.1 is stored as a REAL; it reads back as exactly 0.10.
        #expect(result[1][1] == .decimal(10, scale: 2))
        #expect(result[1].dropFirst(2).allSatisfy { $0 == .null })
        #expect(result[2] == [
            .int(3), .decimal(1000, scale: 2), .date(0), .timestamp(CivilTime.parseTimestamp("1999-12-31 23:59:59")!),
            .timestamp(CivilTime.parseTimestamp("2000-01-01 00:00:00")!), .bool(false), .int(-3), .double(-1.5),
            .double(1e300), .string(""), .string("B"), .string("n"), .bytes([]), .string("42"), .string("1.5"),
            .decimal(3_000_000, scale: 6),
        ])

        // Conversions on request: integers to decimals and doubles, REAL to text as PostgreSQL prints it.
        let converted = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT qty, qty, ratio, weight, id FROM items WHERE id = 1",
            outputTypes: [.decimal(precision: 10, scale: 3), .double, .text, .text, .text])))
        #expect(converted == [[.decimal(7000, scale: 3), .double(7), .string("0.5"), .string("2.25"), .string("1")]])
    }

    @Test func parsesTextAndRealSpellings() async throws {
        let path = tempDirectory() + "/spellings.db"
        let db = try SQLiteDatabase(path: path)
        try db.execute("""
            CREATE TABLE t (n INTEGER, s TEXT, r REAL);
            INSERT INTO t VALUES
                (1, '1.005', 1.005), (2, '-2.345', -2.345), (3, '1e3', 0.125), (4, ' 7 ', -0.125),
                (5, '12', 12.34), (6, '.5', 0.1), (7, '123456789012345678901234567890.125', 1e10);
            CREATE TABLE ts (n INTEGER, s TEXT);
            INSERT INTO ts VALUES (1, '2024-01-02 03:04:05.5'), (2, '2024-01-02T03:04:05'), (3, '2024-01-02 03:04'),
                (4, '2024-01-02 03:04:05.1234567'), (5, '2024-01-02 03:04:05Z'), (6, '2024-01-02'),
                (7, '2024-01-02 03:04:05.000001');
            """)
        let sqlite = try SQLiteConnector(path: path)
        let decimals = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT s, r FROM t ORDER BY n",
            outputTypes: [.decimal(precision: 38, scale: 2), .decimal(precision: 15, scale: 2)])))
        let expected: [(String, String)] = [
            ("1.01", "1.01"), ("-2.35", "-2.35"), ("1000.00", "0.13"), ("7.00", "-0.13"), ("12.00", "12.34"),
            ("0.50", "0.10"), ("123456789012345678901234567890.13", "10000000000.00"),
        ]
        #expect(decimals.map { $0.map(\.description) } == expected.map { [$0.0, $0.1] })

        let stamps = try await rows(sqlite.execute(RemoteQuery(sql: "SELECT s FROM ts ORDER BY n",
                                                               outputTypes: [.timestamp])))
        #expect(stamps.map { $0[0].description } == [
            "2024-01-02 03:04:05.5", "2024-01-02 03:04:05", "2024-01-02 03:04:00", "2024-01-02 03:04:05.123456",
            "2024-01-02 03:04:05", "2024-01-02 00:00:00", "2024-01-02 03:04:05.000001",
        ])
        let dates = try await rows(sqlite.execute(RemoteQuery(sql: "SELECT s FROM ts WHERE n IN (1, 6) ORDER BY n",
                                                              outputTypes: [.date])))
        #expect(dates == [[.date(CivilTime.days(year: 2024, month: 1, day: 2))],
                          [.date(CivilTime.days(year: 2024, month: 1, day: 2))]])
    }

    @Test func rejectsValuesThatDoNotFitTheDeclaredType() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile())
        let amount = await failure(sqlite.execute(RemoteQuery(sql: "SELECT amount AS c0 FROM bad WHERE id = 1",
                                                              outputTypes: [.decimal(precision: 10, scale: 2)],
                                                              outputNames: ["amount"])))
        let e = try #require(amount as? MeshError)
        #expect(e.code == .invalidText)
        // The user's name of the column, never the query's alias.
        #expect(e.message == "invalid value in column \"amount\" from SQLite for type numeric(10,2)")
        #expect(!e.message.contains("abc"))

        let day = await failure(sqlite.execute(RemoteQuery(sql: "SELECT day FROM bad", outputTypes: [.date])))
        #expect((day as? MeshError)?.code == .invalidText)
        #expect((day as? MeshError)?.message.contains("not a date") == false)
    }

    @Test func bindsParameters() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile())
        let result = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT id FROM items WHERE price > ? AND (shipped >= ? OR shipped IS NULL) AND id <> ? ORDER BY id",
            parameters: [.decimal(5, scale: 2), .date(CivilTime.days(year: 2000, month: 1, day: 1)), .int(99)],
            outputTypes: [.bigint])))
        #expect(result == [[.int(1)], [.int(2)]])

        let typed = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT ? IS NULL, ?, ?, ?, ?",
            parameters: [.null, .bool(true), .timestamp(CivilTime.parseTimestamp("2024-01-02 03:04:05.5")!),
                         .string("txt"), .bytes([9])],
            outputTypes: [.boolean, .boolean, .text, .text, .bytea])))
        #expect(typed == [[.bool(true), .bool(true), .string("2024-01-02 03:04:05.500000"), .string("txt"), .bytes([9])]])

        // LIKE is case-sensitive, as in PostgreSQL.
        let like = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT count(*) FROM items WHERE name LIKE ?", parameters: [.string("HÉ%")], outputTypes: [.bigint])))
        #expect(like == [[.int(0)]])
        let likeExact = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT count(*) FROM items WHERE code LIKE ?", parameters: [.string("A%")], outputTypes: [.bigint])))
        #expect(likeExact == [[.int(1)]])
        let likeLower = try await rows(sqlite.execute(RemoteQuery(
            sql: "SELECT count(*) FROM items WHERE code LIKE ?", parameters: [.string("a%")], outputTypes: [.bigint])))
        #expect(likeLower == [[.int(0)]])
    }

    @Test func readsManyBatches() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile())
        let batches = try await sqlite.execute(RemoteQuery(
            sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT i, 'row ' || i FROM n",
            outputTypes: [.bigint, .text])).collect()
        #expect(batches.map(\.rowCount) == [4096, 4096, 1808])
        #expect(batches[2].row(1807) == [.int(10000), .string("row 10000")])
    }

    /// The statement never ends on its own, so any bound proves the cancel stopped it; the
    /// bound is a minute (normally milliseconds) because beside two CPU-bound processes on two
    /// cores the cancelling task and the source thread wait for a core (11 s once, issue 19).
    @Test(.timeLimit(.minutes(5))) func cancelInterruptsTheStatement() async throws {
        let sqlite = try SQLiteConnector(path: try makeFile(), poolSize: 1)
        let stream = sqlite.execute(RemoteQuery(
            sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
            outputTypes: [.bigint]))
        let reader = Task { try await stream.collect() }
        try await Task.sleep(for: .milliseconds(300))
        // Timed from the cancel. The query after this proves the statement stopped: the pool
        // has one connection.
        let clock = ContinuousClock()
        let start = clock.now
        reader.cancel()
        let outcome = await reader.result
        #expect(clock.now - start < .seconds(60))
        if case .success = outcome { Issue.record("a cancelled query must not succeed") }
        // The single pooled connection is free and usable again.
        #expect(try await rows(sqlite.execute(RemoteQuery(sql: "SELECT 1", outputTypes: [.integer]))) == [[.int(1)]])
    }

    @Test func opensReadOnlyAndReportsMissingFiles() async throws {
        let dir = tempDirectory()
        let missing = try SQLiteConnector(path: "nope.db", baseDirectory: dir)
        do {
            _ = try await missing.check()
            Issue.record("a missing file must fail")
        } catch let e as MeshError {
            #expect(e.code == .connection)
            #expect(e.message == "SQLite file not found: \(dir)/nope.db")
        }
        let streamError = await failure(missing.execute(RemoteQuery(sql: "SELECT 1", outputTypes: [.integer])))
        #expect((streamError as? MeshError)?.message == "SQLite file not found: \(dir)/nope.db")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nope.db"))

        let sqlite = try SQLiteConnector(path: try makeFile())
        let write = await failure(sqlite.execute(RemoteQuery(sql: "DELETE FROM items", outputTypes: [])))
        #expect((write as? SourceError)?.kind == .other)
        #expect((write as? SourceError)?.meshError.code == .source)
        // Typed by result code (and SQLite's wording of a changed schema).
        let table = await failure(sqlite.execute(RemoteQuery(sql: "SELECT 1 FROM gone", outputTypes: [.integer])))
        #expect((table as? SourceError)?.kind == .missingTable)
        let column = await failure(sqlite.execute(RemoteQuery(sql: "SELECT s0.gone FROM items AS s0", outputTypes: [.integer])))
        #expect((column as? SourceError)?.kind == .missingColumn("gone"))
        #expect(try await rows(sqlite.execute(RemoteQuery(sql: "SELECT count(*) FROM items", outputTypes: [.bigint])))
                == [[.int(3)]])

        let notADatabase = dir + "/text.db"
        try "just text, long enough to not be an empty database file".write(toFile: notADatabase, atomically: true, encoding: .utf8)
        await #expect(throws: MeshError.self) { try await SQLiteConnector(path: notADatabase).check() }
    }

    /// Distinct counts: a column nearly unique among the first rows is estimated from them,
    /// every other one counted exactly; NULL is no value.
    @Test func distinctCountsOfABigTable() async throws {
        let path = tempDirectory() + "/counts.db"
        try SQLiteDatabase(path: path).execute("""
            CREATE TABLE t (id INTEGER, note TEXT, seven INTEGER, pairs INTEGER, late INTEGER);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50000)
            INSERT INTO t SELECT n, 'note ' || n, n % 7, n / 2, CASE WHEN n > 30000 THEN n % 10 END FROM g;
            """)
        let sqlite = try SQLiteConnector(path: path)
        defer { sqlite.shutdown() }
        let counts = try await sqlite.distinctCounts(schema: "main", table: "t", columns: ["id", "note", "seven", "pairs", "late"])
        #expect(counts["id"] == 50_000)
        #expect(counts["note"] == 50_000)
        #expect(counts["seven"] == 7)
        #expect(counts["pairs"] == 25_001)
        // NULL in every one of the first rows: counted in full.
        #expect(counts["late"] == 10)
        #expect(try await sqlite.distinctCounts(schema: "main", table: "t", columns: []).isEmpty)
    }

    /// The sample estimate: many values drawn with repeats are not taken for a unique column.
    @Test func distinctCountsFromASample() {
        // 200,000 values drawn 20,000 times show about 19,033 different ones.
        let d = DistinctEstimate.fromSample(distinct: 19_033, of: 20_000, rows: 2_000_000)
        #expect(abs(d - 200_000) < 2_000)
        #expect(DistinctEstimate.fromSample(distinct: 20_000, of: 20_000, rows: 2_000_000) == 2_000_000)
        #expect(DistinctEstimate.fromSample(distinct: 19_999, of: 20_000, rows: 50_000) == 50_000)
    }

    @Test func registryResolvesRelativePaths() async throws {
        let path = try makeFile("relative.db")
        let dir = (path as NSString).deletingLastPathComponent
        var registry = ConnectorRegistry()
        SQLiteConnector.register(in: &registry)
        #expect(registry.options(for: "sqlite") == ["path", "pool_size", "pool_timeout"])
        let connector = try registry.make(type: "sqlite", options: ["path": "relative.db", "pool_size": "2", "pool_timeout": "5"],
                                          baseDirectory: dir)
        #expect(connector.typeName == "sqlite")
        let health = try await connector.check()
        #expect(health.version.hasPrefix("SQLite 3."))
        #expect(try await connector.estimatedRowCount(schema: "main", table: "items") == 3)
        #expect(throws: MeshError.self) { try registry.make(type: "sqlite", options: [:], baseDirectory: dir) }
        connector.shutdown()
    }
}
