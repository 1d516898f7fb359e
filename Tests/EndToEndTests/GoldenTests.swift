import Foundation
import MeshEngine
import MeshTestSupport
import Testing

/// One run of the golden files: where the data sets live, and whether pushdown is on.
struct GoldenConfiguration: Sendable, CustomTestStringConvertible {
    var placement: E2EFixture.Placement
    var pushdown: Bool

    var testDescription: String { "\(placement), pushdown \(pushdown ? "on" : "off")" }

    static let placements: [E2EFixture.Placement] = [
        .init(shop: .sqlite, crm: .sqlite), .init(shop: .postgres, crm: .postgres),
        .init(shop: .sqlite, crm: .postgres), .init(shop: .postgres, crm: .sqlite),
        .init(shop: .mariadb, crm: .mariadb), .init(shop: .mariadb, crm: .sqlite),
    ]

    static let all: [GoldenConfiguration] = placements.flatMap { p in
        [GoldenConfiguration(placement: p, pushdown: true), GoldenConfiguration(placement: p, pushdown: false)]
    }
}

/// Every record of sql/tests/*.slt, run against meshql in each configuration and compared
/// with the results PostgreSQL gave (see sql/tests/generate_expected.py).
@Suite("Golden tests (sql/tests/*.slt)")
struct GoldenTests {
    /// Records known to fail because of an engine bug too large to fix in passing. Each entry
    /// names the bug; remove it when the bug is fixed (the runner notes when one passes).
    /// Example: `KnownFailure(file: "joins.slt", sqlContains: "USING (customer_id)",
    /// when: { $0.pushdown }, bug: "…")`.
    static let knownFailures: [KnownFailure] = [
    ]

    /// The time limit only guards against a hang: the configurations run side by side, and
    /// beside the rest of the suite, on two cores.
    @Test(.timeLimit(.minutes(10)), arguments: GoldenConfiguration.all)
    func golden(_ config: GoldenConfiguration) async throws {
        let files = try GoldenFiles.load()
        guard let engine = try await E2EFixture.engine(config.placement) else {
            print("SKIP (no PostgreSQL): golden tests with \(config.testDescription)")
            return
        }
        let session = engine.makeSession()
        session.pushdownEnabled = config.pushdown
        let runner = SLTRunner(session: session, configuration: config.testDescription)
        var ran = 0
        for file in files {
            for record in file.records {
                let known = Self.knownFailures.first { $0.matches(record, config) }
                let failure = await runner.run(record)
                ran += 1
                switch (failure, known) {
                case (nil, nil): break
                case (let message?, nil):
                    Issue.record(Comment(rawValue: message), sourceLocation: file.location(of: record))
                case (nil, let k?):
                    print("NOTE: known failure now passes, remove it from GoldenTests.knownFailures: "
                          + "\(record.whereText) [\(config.testDescription)] (\(k.bug))")
                case (_?, _?): break
                }
            }
        }
        #expect(ran > 100, "too few golden records found in \(E2EFixture.goldenDirectory)")
    }
}

extension GoldenTests {
    /// The on/off configurations differ where it matters: with pushdown on the filter and
    /// the aggregate, or the ORDER BY and LIMIT, are in the SQL sent to the source; off, only
    /// scans go.
    @Test(arguments: GoldenConfiguration.placements)
    func pushdownSettingTakesEffect(_ placement: E2EFixture.Placement) async throws {
        guard let engine = try await E2EFixture.engine(placement) else { return }
        func remoteSQL(_ sql: String, _ pushdown: Bool) async throws -> String {
            let s = engine.makeSession()
            s.pushdownEnabled = pushdown
            guard case .rows(let r) = try await s.execute("EXPLAIN " + sql) else { return "" }
            let lines = try await r.collectRows().map { $0.first?.description ?? "" }.filter { $0.contains("SQL: ") }
            #expect(lines.count == 1, "one remote fragment expected in:\n\(lines.joined(separator: "\n"))")
            return lines.joined(separator: "\n")
        }
        let grouped = "SELECT category, COUNT(*) FROM shop.products WHERE in_stock GROUP BY category"
        let on = try await remoteSQL(grouped, true), off = try await remoteSQL(grouped, false)
        #expect(on.contains("WHERE") && on.contains("GROUP BY"), "\(on)")
        #expect(!off.contains("WHERE") && !off.contains("GROUP BY"), "\(off)")
        // Text keys stay local by design (collations differ between sources).
        let sorted = "SELECT name FROM shop.products WHERE in_stock ORDER BY price DESC, product_id LIMIT 3"
        let onSorted = try await remoteSQL(sorted, true), offSorted = try await remoteSQL(sorted, false)
        #expect(onSorted.contains("ORDER BY") && onSorted.contains("LIMIT"), "\(onSorted)")
        #expect(!offSorted.contains("ORDER BY") && !offSorted.contains("LIMIT"), "\(offSorted)")
    }
}

/// A golden record excluded in some configurations because of a known engine bug.
struct KnownFailure: Sendable {
    var file: String
    /// A piece of the record's SQL that identifies it (line numbers shift when files change).
    var sqlContains: String
    var when: @Sendable (GoldenConfiguration) -> Bool = { _ in true }
    var bug: String

    func matches(_ record: SLTRecord, _ config: GoldenConfiguration) -> Bool {
        record.file == file && record.sql.contains(sqlContains) && when(config)
    }
}

/// The parsed golden files, read once per process.
struct GoldenFiles: Sendable {
    var name: String
    var path: String
    var records: [SLTRecord]

    /// Lets Swift Testing point a failure at the .slt line itself.
    func location(of record: SLTRecord) -> SourceLocation {
        SourceLocation(fileID: "EndToEndTests/\(name)", filePath: path, line: record.line, column: 1)
    }

    static func load() throws -> [GoldenFiles] {
        try cached.get()
    }

    private static let cached = Result { () throws -> [GoldenFiles] in
        let dir = E2EFixture.goldenDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".slt") }.sorted()
        return try names.map { name in
            let path = dir + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return GoldenFiles(name: name, path: path, records: try SLTParser.parse(text, file: name))
        }
    }
}
