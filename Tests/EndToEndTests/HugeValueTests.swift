import Foundation
import MeshCore
import MeshEngine
import MeshFormat
import MeshREPL
import MeshTestSupport
import Testing

/// Values of megabytes each (the tenancy issue, problem 5: `rpad('x', 5000000, 'y') … LIMIT
/// 100` grew the server by 2 GB): no batch holds more than a few of them, from a source or
/// from a function, and writers render them a slice at a time.
@Suite struct HugeValueTests {
    static let script = """
        CREATE TABLE t (i INTEGER, s TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO t SELECT i, 'v' || i FROM n;
        CREATE TABLE big (s TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) INSERT INTO big SELECT printf('%.*c', 3000000, 'z') FROM n;
        """

    static func batches(_ s: Session, _ sql: String) async throws -> [Batch] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        var out: [Batch] = []
        while let b = try await r.next() { out.append(b) }
        return out
    }

    @Test func hugeComputedAndStoredValuesComeInSmallBatches() async throws {
        let (engine, _) = try await engineOverSQLite(Self.script)
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for pushdown in ["on", "off"] {
            _ = try await s.execute("SET pushdown = \(pushdown)")
            // Computed per row (a projection of the function), and a constant too large to fold.
            for sql in ["SELECT rpad(CAST(i AS text), 3000000, 'y') AS p FROM m.t",
                        "SELECT rpad('x', 3000000, 'y') AS p, i FROM m.t",
                        "SELECT s FROM m.big"] {
                let got = try await Self.batches(s, sql)
                #expect(got.reduce(0) { $0 + $1.rowCount } == (sql.contains("big") ? 12 : 40), "\(sql)")
                #expect(got.allSatisfy { $0.estimatedBytes <= 16 << 20 }, "\(sql): \(got.map(\.estimatedBytes))")
                let lengths = got.flatMap { b in (0..<b.rowCount).map { b.columns[0].value(at: $0).description.utf8.count } }
                #expect(Set(lengths) == [3_000_000], "\(sql)")
            }
        }
        // Small values keep whole batches.
        #expect(try await Self.batches(s, "SELECT rpad(s, 10, '*') FROM m.t").count == 1)
        // A writer hands a batch of huge values over in slices, one row of them at a time here.
        let big = try await Self.batches(s, "SELECT s FROM m.big")
        let values: [String] = big.flatMap { b in (0..<b.rowCount).map { b.columns[0].value(at: $0).description } }
        let merged = Batch(columns: [Column(type: .text, storage: .string(values))], rowCount: values.count)
        var encoder = RowBytes(style: .json, columnPrefixes: [[UInt8(ascii: "[")]], rowSuffix: [UInt8(ascii: "]")], rowSeparator: [UInt8(ascii: ",")])
        var pieces: [Int] = []
        encoder.encode(merged) { pieces.append($0.count) }
        #expect(pieces.count > 1 && pieces.allSatisfy { $0 <= 3_000_010 }, "\(pieces)")
        let total = pieces.reduce(0, +)
        #expect(total == 12 * 3_000_004 + 11)
    }
}
