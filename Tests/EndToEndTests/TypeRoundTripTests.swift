import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// Values keep their types from the source to the result: exact decimals, dates, NULLs, and
/// a SQLite column declared DECIMAL(15,2) is a decimal, not text or a double.
@Suite("Type round trips")
struct TypeRoundTripTests {
    /// The same table in both kinds of source. 0.1 and 0.2 are not exact as doubles, so
    /// `a + b = 0.3` only holds with exact decimal arithmetic.
    static let tableSQL = """
        CREATE TABLE amounts (id INTEGER NOT NULL PRIMARY KEY, a DECIMAL(15,2), b DECIMAL(15,2),
                              on_day DATE, note TEXT);
        INSERT INTO amounts VALUES (1, 0.1, 0.2, '2024-02-29', NULL);
        INSERT INTO amounts VALUES (2, NULL, 0.2, NULL, 'x');
        INSERT INTO amounts VALUES (3, 1234567890123.45, 0.05, '1969-12-31', '');
        """

    enum Source: String, Sendable, CaseIterable { case sqlite, postgres }

    struct Case: Sendable, CustomTestStringConvertible {
        var source: Source
        var pushdown: Bool
        var testDescription: String { "\(source), pushdown \(pushdown ? "on" : "off")" }
    }

    static let cases = Source.allCases.flatMap { s in [Case(source: s, pushdown: true), Case(source: s, pushdown: false)] }

    /// An engine with mesh `rt` over the table in the given source, or nil (skipped).
    static func engine(_ source: Source) async throws -> Engine? {
        try await engines.get(source) {
            let dir = tempDirectory()
            var sql = "CREATE MESH rt;\n"
            switch source {
            case .sqlite:
                let path = dir + "/amounts.db"
                try SQLiteDatabase(path: path).execute(tableSQL)
                sql += "CREATE CONNECTOR rt_src FOR MESH rt TYPE sqlite OPTIONS (path \(E2EFixture.literal(path)));\n"
                sql += "IMPORT DATA PRODUCTS FROM CONNECTOR rt_src;"
            case .postgres:
                guard let pg = try await E2EFixture.postgres() else { return nil }
                try pg.server.execute("CREATE SCHEMA rt;\nSET search_path = rt;\n" + tableSQL
                                      + "\nCREATE TABLE plain (id int, a numeric, b numeric);"
                                      + "\nINSERT INTO plain VALUES (1, 0.1, 0.2);", database: pg.name)
                sql += "CREATE CONNECTOR rt_src FOR MESH rt TYPE postgres OPTIONS (dsn \(E2EFixture.literal(pg.conninfo)));\n"
                sql += "IMPORT DATA PRODUCTS FROM CONNECTOR rt_src SCHEMA rt;"
            }
            let engine = try Engine(catalogPath: dir + "/catalog.db")
            _ = try await engine.makeSession().execute(sql)
            return engine
        }
    }

    private static let engines = KeyedOnce<Source, Engine?>()

    static func run(_ session: Session, _ sql: String) async throws -> ([Field], [[Value]]) {
        guard case .rows(let r) = try await session.execute(sql) else {
            Issue.record("no rows from: \(sql)")
            return ([], [])
        }
        return (r.fields, try await r.collectRows())
    }

    static func session(_ c: Case) async throws -> Session? {
        guard let engine = try await engine(c.source) else {
            print("SKIP (no PostgreSQL): type round trips over \(c.source)")
            return nil
        }
        let s = engine.makeSession()
        s.pushdownEnabled = c.pushdown
        return s
    }

    @Test(arguments: cases)
    func columnTypes(_ c: Case) async throws {
        guard let s = try await Self.session(c) else { return }
        let (fields, rows) = try await Self.run(s, "SELECT id, a, b, on_day, note FROM rt.amounts ORDER BY id")
        // SQLite's INTEGER is 64-bit, so its ids may come back as bigint.
        #expect(fields.first?.type.isInteger == true)
        #expect(fields.dropFirst().map(\.type) == [.decimal(precision: 15, scale: 2), .decimal(precision: 15, scale: 2), .date, .text])
        #expect(rows == [
            [.int(1), .decimal(10, scale: 2), .decimal(20, scale: 2), .date(19782), .null],
            [.int(2), .null, .decimal(20, scale: 2), .null, .string("x")],
            [.int(3), .decimal(123456789012345, scale: 2), .decimal(5, scale: 2), .date(-1), .string("")],
        ])
        #expect(rows.map { $0.map(SLTFormat.cell) } == [
            ["1", "0.10", "0.20", "2024-02-29", "NULL"],
            ["2", "NULL", "0.20", "NULL", "x"],
            ["3", "1234567890123.45", "0.05", "1969-12-31", "(empty)"],
        ])
    }

    @Test(arguments: cases)
    func decimalArithmeticIsExact(_ c: Case) async throws {
        guard let s = try await Self.session(c) else { return }
        let (fields, rows) = try await Self.run(s, """
            SELECT id, a + b, a + b = 0.3, a + b = CAST(0.3 AS DOUBLE PRECISION) FROM rt.amounts ORDER BY id
            """)
        #expect(fields.count == 4)
        #expect(fields[1].type.physical == .decimal, "a + b is \(fields[1].type)")
        #expect(rows.map { $0.map(SLTFormat.cell) } == [
            ["1", "0.30", "t", "t"],
            ["2", "NULL", "NULL", "NULL"],
            ["3", "1234567890123.50", "f", "f"],
        ])
        // The filter and the aggregate, wherever they run, are exact too.
        let (_, filtered) = try await Self.run(s, "SELECT id FROM rt.amounts WHERE a + b = 0.3")
        #expect(filtered == [[.int(1)]])
        let (sumFields, sums) = try await Self.run(s, "SELECT SUM(a), SUM(b), SUM(a) + SUM(b) FROM rt.amounts")
        #expect(sumFields.allSatisfy { $0.type.physical == .decimal }, "\(sumFields.map(\.type))")
        #expect(sums.map { $0.map(SLTFormat.cell) } == [["1234567890123.55", "0.45", "1234567890124.00"]])
    }

    @Test(arguments: cases)
    func datesAndNullsKeepTheirTypes(_ c: Case) async throws {
        guard let s = try await Self.session(c) else { return }
        let (fields, rows) = try await Self.run(s, """
            SELECT on_day, on_day + 1, note IS NULL, a IS NULL, COALESCE(note, 'none')
            FROM rt.amounts WHERE on_day >= DATE '2024-01-01' OR on_day IS NULL ORDER BY id
            """)
        #expect(fields.map(\.type) == [.date, .date, .boolean, .boolean, .text])
        #expect(rows == [
            [.date(19782), .date(19783), .bool(true), .bool(false), .string("none")],
            [.null, .null, .bool(false), .bool(true), .string("x")],
        ])
        let (_, min) = try await Self.run(s, "SELECT MIN(on_day), MAX(on_day), COUNT(on_day), COUNT(*) FROM rt.amounts")
        #expect(min == [[.date(-1), .date(19782), .int(2), .int(3)]])
    }

    /// PostgreSQL `numeric` without precision: the sum is still exactly 0.3.
    @Test(arguments: [true, false])
    func unconstrainedNumericFromPostgres(_ pushdown: Bool) async throws {
        guard let s = try await Self.session(Case(source: .postgres, pushdown: pushdown)) else { return }
        let (fields, rows) = try await Self.run(s, "SELECT a + b, a + b = 0.3 FROM rt.plain")
        #expect(fields[0].type.physical == .decimal)
        #expect(rows.count == 1)
        if case .decimal(let v, let scale)? = rows.first?.first {
            #expect(Decimal128.format(v, scale: scale).hasPrefix("0.3"))
            #expect(Decimal128.rescale(v, from: scale, to: 1) == 3)
        } else {
            Issue.record("a + b is \(String(describing: rows.first?.first))")
        }
        #expect(rows.first?.last == .bool(true))
    }

    /// Decimals of both sources in one expression.
    @Test(arguments: [true, false])
    func decimalsAcrossSources(_ pushdown: Bool) async throws {
        guard let pgEngine = try await Self.engine(.postgres) else {
            print("SKIP (no PostgreSQL): decimals across sources")
            return
        }
        let s = pgEngine.makeSession()
        s.pushdownEnabled = pushdown
        try await Self.registerSQLiteMirror(s)
        let (fields, rows) = try await Self.run(s, """
            SELECT p.id, p.a + l.b FROM rt.amounts p JOIN rtl.amounts l ON l.id = p.id ORDER BY p.id
            """)
        #expect(fields[1].type.physical == .decimal)
        #expect(rows.map { $0.map(SLTFormat.cell) } == [["1", "0.30"], ["2", "NULL"], ["3", "1234567890123.50"]])
    }

    private static let mirror = Once<Void>()

    /// Mesh `rtl` over the SQLite copy, registered once in the PostgreSQL engine's catalog.
    static func registerSQLiteMirror(_ s: Session) async throws {
        try await mirror.get {
            let dir = tempDirectory()
            let path = dir + "/amounts.db"
            try SQLiteDatabase(path: path).execute(tableSQL)
            _ = try await s.execute("""
                CREATE MESH rtl;
                CREATE CONNECTOR rtl_src FOR MESH rtl TYPE sqlite OPTIONS (path \(E2EFixture.literal(path)));
                IMPORT DATA PRODUCTS FROM CONNECTOR rtl_src;
                """)
        }
    }
}
