import ArgumentParser
import Foundation
import MeshEngine
import MeshTestSupport

/// `meshql-fuzz`: the suite's fuzz test (`FuzzTests`) for as long as you like, against any
/// catalog. Each statement is appended to the log before it runs, so when the process dies
/// the log's last line is the statement that killed it.
@main
struct MeshQLFuzz: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshql-fuzz",
        abstract: "Run mutated and generated SQL against a catalog until the time is up.",
        discussion: """
        Statements come from the corpus (.slt records and .sql statements, mutated token by \
        token) and from generated expressions over the edge values of every type. Each must \
        return rows or a SQL error within --timeout seconds; an internal error, a message \
        showing an internal name, or a hang is reported with its SQL. Exit status 1 if any was \
        found. Build with `swift build -c release` for long runs.

        Example (the TPC-H benchmark catalog, half an hour):
          meshql-fuzz --catalog /tmp/tpch-sf01/meshql.db --seconds 1800 --corpus sql/tests --corpus sql/bench/tpch
        """
    )

    @Option(help: ArgumentHelp("The catalog to query (it must exist).", valueName: "path"))
    var catalog: String

    @Option(help: ArgumentHelp("How long to run.", valueName: "seconds"))
    var seconds = 60

    @Option(help: ArgumentHelp("Seed of the statement generator (default: from the clock, printed).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("A folder of .slt / .sql files to mutate (repeatable).", valueName: "dir"))
    var corpus: [String] = ["sql/tests", "sql/bench/tpch"]

    @Option(help: ArgumentHelp("Data products generated expressions read, comma-separated (default: all).", valueName: "list"))
    var tables: String?

    @Option(help: ArgumentHelp("Seconds a statement may take before it counts as a hang.", valueName: "seconds"))
    var timeout = 10

    @Option(help: ArgumentHelp("File each statement is appended to before it runs.", valueName: "path"))
    var log = "meshql-fuzz.log"

    func validate() throws {
        guard FileManager.default.fileExists(atPath: catalog) else { throw ValidationError("no catalog at \(catalog)") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be at least 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1") }
    }

    func run() async throws {
        let engine = try Engine(catalogPath: catalog)
        defer { engine.shutdown() }
        let statements = SQLFuzzer.loadCorpus(corpus)
        var products = tables.map { $0.split(separator: ",").map(String.init) } ?? []
        if products.isEmpty { products = try await Self.products(engine) }
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("meshql-fuzz  seed=\(seed)  corpus=\(statements.count) statements  products=\(products.count)  seconds=\(seconds)")
        guard FileManager.default.createFile(atPath: log, contents: nil), let logFile = FileHandle(forWritingAtPath: log) else {
            throw ValidationError("cannot write \(log)")
        }
        var fuzzer = SQLFuzzer(seed: seed, corpus: statements, tables: products)
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        var counts: [String: Int] = [:]
        var failures = 0
        var n = 0
        while Date() < deadline {
            let sql = fuzzer.nextStatement()
            n += 1
            logFile.write(Data("\(n)\t\(sql.replacingOccurrences(of: "\n", with: " "))\n".utf8))
            try? logFile.synchronize()
            let verdict = await FuzzVerdict.run(sql, on: engine, memoryLimit: 512 << 20, timeout: .seconds(timeout))
            let key: String
            switch verdict {
            case .rows: key = "rows"
            case .sqlError: key = "sql errors"
            case .slow: key = "slow (cancelled at the time limit)"
            case .failure: key = "failures"
            case .hang: key = "hangs"
            }
            counts[key, default: 0] += 1
            if verdict.isFailure {
                failures += 1
                print("\(verdict)\n  SQL: \(sql)")
            }
            if n % 1000 == 0 { print("\(n) statements: \(Self.summary(counts))") }
        }
        print("done: \(n) statements in \(seconds) s: \(Self.summary(counts))")
        if failures > 0 { throw ExitCode(1) }
    }

    static func summary(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// Every data product of the catalog, as `mesh.product`.
    static func products(_ engine: Engine) async throws -> [String] {
        guard case .rows(let r) = try await engine.makeSession().execute("SHOW DATA PRODUCTS") else { return [] }
        let fields = r.fields.map(\.name)
        guard let mesh = fields.firstIndex(of: "mesh"), let product = fields.firstIndex(of: "product")
        else { return [] }
        return try await r.collectRows().map { "\($0[mesh].description).\($0[product].description)" }
    }
}
