import Foundation
import MeshCore
import MeshEngine
import MeshSQL
import MeshTestSupport
import SQLiteDB
import Testing

/// Errors name the position in the statement, and print psql-style with a caret under it.
@Suite("Error positions")
struct ErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var sql: String
        var code: MeshError.Code
        var line: Int
        var column: Int
        var fragment: String
        var testDescription: String { what }
    }

    static let cases: [Case] = [
        Case(what: "syntax error", sql: "SELEC 1", code: .syntax, line: 1, column: 1, fragment: "syntax error"),
        Case(what: "unknown table", sql: "SELECT name\nFROM shop.nope", code: .undefinedTable, line: 2, column: 6,
             fragment: "relation \"shop.nope\" does not exist"),
        Case(what: "unknown column", sql: "SELECT name, nope FROM shop.products", code: .undefinedColumn, line: 1, column: 14,
             fragment: "column \"nope\" does not exist"),
        Case(what: "runtime error", sql: "SELECT order_id,\n  ordered_on + INTERVAL '2147483647 days'\nFROM shop.orders",
             code: .datetimeOverflow, line: 2, column: 3, fragment: "timestamp out of range"),
        Case(what: "type mismatch", sql: "SELECT name\nFROM shop.products\nWHERE name + 1 > 2", code: .typeMismatch, line: 3, column: 7,
             fragment: "operator does not exist: text + integer"),
    ]

    @Test(arguments: cases)
    func errorHasLocationAndCaret(_ c: Case) async throws {
        let engine = try #require(try await E2EFixture.engine(.init(shop: .sqlite, crm: .sqlite)))
        let session = engine.makeSession()
        let error = await #expect(throws: MeshError.self) {
            if case .rows(let r) = try await session.execute(c.sql) { _ = try await r.collectRows() }
        }
        let e = try #require(error)
        #expect(e.code == c.code)
        #expect(e.message.contains(c.fragment), "message: \(e.message)")
        let location = try #require(e.location, "no location in: \(e.message)")
        // The position of the offending token; columns of the operator or its left operand
        // both point at the right place for a type mismatch.
        #expect(location.line == c.line)
        if c.code == .typeMismatch {
            #expect((c.column...c.column + 5).contains(location.column), "column \(location.column)")
        } else {
            #expect(location.column == c.column)
        }

        let rendered = e.rendered(statement: c.sql)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= 3, "rendered:\n\(rendered)")
        #expect(lines[0].hasPrefix("ERROR:  ") && lines[0].hasSuffix(" at \(location.line):\(location.column)"))
        let sourceLine = c.sql.split(separator: "\n", omittingEmptySubsequences: false)[location.line - 1]
        #expect(lines[1] == "LINE \(location.line): \(sourceLine)")
        let caret = try #require(lines[2].firstIndex(of: "^"), "no caret in:\n\(rendered)")
        #expect(lines[2].trimmingCharacters(in: .whitespaces) == "^")
        #expect(lines[2].distance(from: lines[2].startIndex, to: caret) == "LINE \(location.line): ".count + location.column - 1)
    }

    static let binary = E2EFixture.packageRoot + "/.build/debug/meshql"

    /// `meshql query "SELEC 1"`: exit status 1, and on stderr one ERROR line, the statement and
    /// a caret under the error.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ErrorTests.binary),
                   "needs the built binary (.build/debug/meshql)"),
          .timeLimit(.minutes(1)))
    func cliPrintsErrorWithCaret() async throws {
        let catalog = tempDirectory() + "/catalog.db"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["query", "--create", "--catalog", catalog, "SELEC 1"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The output is a few lines, well below a pipe's buffer: read after the exit.
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = String(decoding: stderrData, as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(stdoutData.isEmpty, "stdout: \(String(decoding: stdoutData, as: UTF8.self))")
        let lines = stderr.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("ERROR:") }.count == 1, "stderr:\n\(stderr)")
        #expect(lines.first?.hasPrefix("ERROR:  syntax error") == true, "stderr:\n\(stderr)")
        #expect(lines.first?.hasSuffix(" at 1:1") == true, "stderr:\n\(stderr)")
        #expect(lines.contains("LINE 1: SELEC 1"), "stderr:\n\(stderr)")
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "^" }, "stderr:\n\(stderr)")
    }
}

extension ErrorTests {
    /// A mistyped `--catalog` is an error, and creates nothing; `--create` makes a new one.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ErrorTests.binary), "needs the built binary"))
    func missingCatalogIsAnErrorUnlessCreated() throws {
        let folder = tempDirectory()
        let catalog = folder + "/typo/catalog.db"
        func run(_ args: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = args
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let (status, stderr) = try run(["query", "--catalog", catalog, "SELECT 1"])
        #expect(status == 2)
        #expect(stderr.contains("no catalog at \(catalog)"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/typo"))
        let (created, _) = try run(["query", "--create", "--catalog", catalog, "SELECT 1"])
        #expect(created == 0)
        #expect(FileManager.default.fileExists(atPath: catalog))
        // SQL starting with a comment is SQL, not an option, wherever the options are.
        let (commented, err) = try run(["query", "-- the answer\nSELECT 41 + 1", "--catalog", catalog, "--format", "csv"])
        #expect(commented == 0, "\(err)")
        // A file that is not UTF-8 says so, and where.
        let bad = folder + "/bad.sql"
        try Data("SELECT 1;\nSELECT ".utf8 + [0xFF, 0xFE] + Data(" 2;".utf8)).write(to: URL(fileURLWithPath: bad))
        let (badStatus, badErr) = try run(["query", "--catalog", catalog, "-f", bad])
        #expect(badStatus == 2)
        #expect(badErr.contains("is not UTF-8 text (invalid byte at offset 17)"), "\(badErr)")
    }
}

@Suite struct CredentialTests {
    @Test func showConnectorsNeverPrintsAPassword() async throws {
        let engine = try Engine(catalogPath: tempDirectory() + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        _ = try await s.execute("CREATE MESH m")
        _ = try await s.execute("CREATE CONNECTOR a FOR MESH m TYPE postgres OPTIONS (dsn 'host=h dbname=d password=hunter2') NO CHECK")
        _ = try await s.execute("CREATE CONNECTOR b FOR MESH m TYPE postgres OPTIONS (dsn 'postgresql://u:hunter2@h/d') NO CHECK")
        _ = try await s.execute("CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn 'host=h', password 'hunter2') NO CHECK")
        guard case .rows(let r) = try await s.execute("SHOW CONNECTORS") else {
            Issue.record("SHOW CONNECTORS gave no rows")
            return
        }
        let text = try await r.collectRows().flatMap { $0.map(\.description) }.joined(separator: " ")
        #expect(!text.contains("hunter2"))
        #expect(text.contains("password=********"))
    }
}

@Suite struct SchemaDriftTests {
    /// A source file replaced by one with another schema: the error names the product and the
    /// column in the user's words, not SQLite's "no such column: s0.customer_id".
    @Test func droppedColumnAndTableAreReportedByProduct() async throws {
        let folder = tempDirectory()
        let source = folder + "/a.db"
        func make(_ sql: String) throws {
            try? FileManager.default.removeItem(atPath: source)
            try SQLiteDatabase(path: source).execute(sql)
        }
        try make("CREATE TABLE customers (customer_id INTEGER, name TEXT)")
        let setup = try Engine(catalogPath: folder + "/c.db")
        let s0 = setup.makeSession()
        _ = try await s0.execute("CREATE MESH m")
        _ = try await s0.execute("CREATE CONNECTOR l FOR MESH m TYPE sqlite OPTIONS (path '\(source)')")
        _ = try await s0.execute("IMPORT DATA PRODUCTS FROM CONNECTOR l")
        setup.shutdown()

        try make("CREATE TABLE customers (id INTEGER, name TEXT)")
        let engine = try Engine(catalogPath: folder + "/c.db")
        defer { engine.shutdown() }
        let session = engine.makeSession()
        let column = await #expect(throws: MeshError.self) {
            if case .rows(let r) = try await session.execute("SELECT customer_id, name FROM m.customers") { _ = try await r.collectRows() }
        }
        #expect(column?.code == .undefinedColumn)
        #expect(column?.message == "column \"customer_id\" of m.customers no longer exists at its source")
        #expect(column?.hint?.contains("REFRESH DATA PRODUCT m.customers") == true)
    }
}

@Suite struct DependentViewTests {
    /// A view of another mesh over a product: dropping the product is refused by name; DROP
    /// MESH … CASCADE takes the view along instead of leaving it reading nothing.
    @Test func dropsNeverLeaveAViewReadingNothing() async throws {
        let folder = tempDirectory()
        let source = folder + "/a.db"
        try SQLiteDatabase(path: source).execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
        let engine = try Engine(catalogPath: folder + "/c.db")
        defer { engine.shutdown() }
        let session = engine.makeSession()
        for sql in ["CREATE MESH a", "CREATE MESH b", "CREATE CONNECTOR l FOR MESH a TYPE sqlite OPTIONS (path '\(source)')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR l", "CREATE DATA PRODUCT b.v AS SELECT x + 1 AS y FROM a.t",
                    "CREATE DATA PRODUCT b.w AS SELECT y FROM b.v"] {
            _ = try await session.execute(sql)
        }
        let refused = await #expect(throws: MeshError.self) { _ = try await session.execute("DROP DATA PRODUCT a.t") }
        #expect(refused?.code == .dependentObjects)
        #expect(refused?.message == "data product \"a.t\" is read by data products b.v, b.w")
        guard case .message(let m) = try await session.execute("DROP MESH a CASCADE") else { return }
        #expect(m == "DROP MESH (with 3 data products and 1 connectors)")
        let gone = await #expect(throws: MeshError.self) { _ = try await session.execute("SELECT * FROM b.w") }
        #expect(gone?.code == .undefinedTable)
    }
}
