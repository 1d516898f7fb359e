import ConnectorKit
import Foundation
import MeshCore
import MeshDialect
import MeshPlan

/// Runs one remote fragment on its connector. Normally the query starts when the operator is
/// built, so every source of a plan reads concurrently from the first moment. The probe side
/// of a hash join is built `deferred` instead: it starts on its first `next()`, after the
/// join has built its table and perhaps narrowed the query to the keys it found
/// (`restrict`), a dynamic filter.
final class RemoteScanOperator: OperatorBase, PhysicalOperator {
    let fragment: RemoteFragment
    let connector: any Connector
    /// The query's stream, or one per row range of a cut read (see `RemoteFragment.ranges`),
    /// read in turn; each is dropped when it ends.
    private var streams: [BatchStream] = []
    private var started = false
    private var turn = 0
    private var filters: [SQLText] = []
    private var filterParameters: [Value] = []
    private var closed = false
    var fields: [Field] { fragment.fields }
    var children: [any PhysicalOperator] { [] }
    private(set) var batches = 0
    /// What the source sent, as decoded column buffers, for EXPLAIN ANALYZE.
    private(set) var bytes = 0
    /// When the remote query started and when its last row came.
    private var startedAt: UInt64?, finishedAt: UInt64?
    /// The dynamic filters applied, for EXPLAIN ANALYZE.
    private(set) var dynamicFilterNotes: [String] = []
    var analyzeNotes: [String] {
        var notes = dynamicFilterNotes.map { "dynamic filter: " + $0 }
        if rangeCount > 0 { notes.append("read as \(rangeCount) row ranges at once") }
        notes.append("received \(Self.describe(bytes: bytes))")
        if let startedAt, let finishedAt {
            notes.append("remote query " + AnalyzedOperator.milliseconds(finishedAt &- startedAt))
        }
        return notes
    }

    static func describe(bytes: Int) -> String {
        if bytes < 10_000 { return "\(bytes) B" }
        if bytes < 10_000_000 { return String(format: "%.1f kB", Double(bytes) / 1e3) }
        return String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    /// The most keys a dynamic filter sends; above it the source reads unfiltered.
    static let maxFilterKeys = 50_000

    private let observer: (any SourceObserver)?

    init(_ fragment: RemoteFragment, connector: any Connector, deferred: Bool = false, observer: (any SourceObserver)? = nil) {
        self.fragment = fragment
        self.connector = connector
        self.observer = observer
        super.init()
        if !deferred { start() }
    }

    /// Whether `restrict` can still narrow the query (it has not started).
    var canRestrict: Bool { !started && !closed }

    /// Keeps only rows whose output column `column` is one of `keys` (integers or text),
    /// bound as one parameter in the dialect's form. Refused once the query has started, or
    /// when the dialect cannot express it.
    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        guard canRestrict, column < fragment.fields.count, keys.count <= Self.maxFilterKeys else { return false }
        let dialect = connector.dialect
        // Over a policy filter the keys' condition needs a fence, which a source may not have.
        guard fragment.policyIDs.isEmpty || dialect.policyFence != nil else { return false }
        let type = fragment.fields[column].type
        let index = fragment.parameters.count + filterParameters.count + 1
        let operand = SQLText("\(dialect.quoteIdentifier("dynamic")).\(dialect.quoteIdentifier("c\(column)"))")
        guard let sql = dialect.keySetFilter(operand, parameterIndex: index, type: type, keyCount: keys.count),
              let parameter = dialect.keySetParameter(keys) else { return false }
        filters.append(sql)
        filterParameters.append(parameter)
        dynamicFilterNotes.append("\(fragment.fields[column].name) IN (\(keys.count) keys)")
        return true
    }

    /// Asked to get ready, a deferred query starts: no filter comes after this.
    func prepare() async throws { startEarly() }

    func startEarly() {
        if !closed { start() }
    }

    private func start() {
        guard !started else { return }
        started = true
        startedAt = DispatchTime.now().uptimeNanoseconds
        // Cut into row ranges only as planned, and not with a dynamic filter: its keys are a
        // parameter, and a range's query takes none (its values are in session settings).
        if let rangeSQL = fragment.rangeSQL, !fragment.ranges.isEmpty, filters.isEmpty {
            let rows = fragment.estimatedRows.map { $0 / Double(fragment.ranges.count) }
            for range in fragment.ranges {
                streams.append(connector.execute(RemoteQuery(sql: rangeSQL, parameters: [],
                                                             outputTypes: fragment.fields.map(\.type), expectedRows: rows,
                                                             outputNames: fragment.fields.map(\.name),
                                                             settings: range.settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })))
            }
            rangeCount = fragment.ranges.count
            return
        }
        // The fragment's SQL, wrapped in the dynamic filters, rendered by the connector's
        // dialect now: its placeholders, its quoting.
        let dialect = connector.dialect
        var text = fragment.text
        if !filters.isEmpty {
            if !fragment.policyIDs.isEmpty {
                // The filtered column may be computed by an expression that can fail; behind
                // a fence the source cannot merge it with the policy filter inside. Without
                // one, the filter was refused (`pushDynamicFilter`).
                let fence = dialect.policyFence!
                text = "SELECT * FROM (\(text)) AS \(dialect.quoteIdentifier("fenced")) \(dialect.limitClause(limit: fence.limit, offset: fence.offset))"
            }
            text = "SELECT * FROM (\(text)) AS \(dialect.quoteIdentifier("dynamic")) WHERE \(filters.joined(separator: " AND "))"
        }
        let (sql, order) = text.render(dialect)
        let values = SQLText.boundValues(fragment.parameters + filterParameters, order: order, dialect)
        streams.append(connector.execute(RemoteQuery(sql: sql, parameters: values,
                                                     outputTypes: fragment.fields.map(\.type),
                                                     expectedRows: fragment.estimatedRows, outputNames: fragment.fields.map(\.name))))
    }

    /// How many row ranges the read was cut into (0: one query), for EXPLAIN ANALYZE.
    private var rangeCount = 0

    /// The next batch of any stream, taking them in turn; nil once all have ended.
    private func nextOfAnyStream() async throws -> Batch? {
        while !streams.isEmpty {
            turn %= streams.count
            if let b = try await streams[turn].next() {
                turn += 1
                return b
            }
            streams.remove(at: turn)
        }
        return nil
    }

    func next() async throws -> Batch? {
        if closed { return nil }
        start()
        let next: Batch?
        do {
            next = try await nextOfAnyStream()
        } catch let e as SourceError {
            // The connector says what failed; the user is told in meshql's words.
            let error = e.meshError(connector: fragment.connectorName, products: fragment.products)
            // A cancel is the query's ending, not the source's failure.
            if e.kind != .cancelled { observer?.remoteQueryEnded(fragment, error: error) }
            throw error
        } catch let e as MeshError where e.code != .cancelled {
            // meshql's own failures on the way (a pool's time-out, a value that does not
            // decode): which connector, and nothing after a quote.
            let error = MeshError(e.code, "connector \(fragment.connectorName): " + SourceError.withoutQuotedParts(e.message), hint: e.hint)
            observer?.remoteQueryEnded(fragment, error: error)
            throw error
        }
        guard var b = next else {
            if finishedAt == nil { finishedAt = DispatchTime.now().uptimeNanoseconds }
            observer?.remoteQueryEnded(fragment, error: nil)
            return nil
        }
        batches += 1
        bytes += b.estimatedBytes
        // Connectors decode into the promised physical types; keep the SQL types exact.
        for j in b.columns.indices where j < fragment.fields.count && b.columns[j].type != fragment.fields[j].type {
            b.columns[j].type = fragment.fields[j].type
        }
        return produced(b)
    }

    func close() {
        closed = true
        for s in streams { s.cancel() }
    }

    deinit { for s in streams { s.cancel() } }
}
