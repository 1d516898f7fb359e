import Foundation
import MeshCore

/// Wraps an operator for EXPLAIN ANALYZE and measures the time spent in its `next`,
/// children included (as PostgreSQL's "actual time"). Everything else passes through, so the
/// tree keeps its shape and dynamic filters still find their sources.
final class AnalyzedOperator: PhysicalOperator {
    let inner: any PhysicalOperator
    private var nanos: UInt64 = 0

    init(_ inner: any PhysicalOperator) {
        self.inner = inner
    }

    var fields: [Field] { inner.fields }
    var rowsProduced: Int { inner.rowsProduced }
    var children: [any PhysicalOperator] { inner.children }
    var analyzeNotes: [String] { ["time=" + Self.milliseconds(nanos)] + inner.analyzeNotes }

    func next() async throws -> Batch? {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { nanos += DispatchTime.now().uptimeNanoseconds &- start }
        return try await inner.next()
    }

    func close() { inner.close() }
    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool { inner.pushDynamicFilter(column: column, keys: keys) }
    func startEarly() { inner.startEarly() }
    var sharesState: Bool { inner.sharesState }

    func prepare() async throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { nanos += DispatchTime.now().uptimeNanoseconds &- start }
        try await inner.prepare()
    }

    static func milliseconds(_ nanos: UInt64) -> String {
        String(format: "%.1f ms", Double(nanos) / 1e6)
    }
}
