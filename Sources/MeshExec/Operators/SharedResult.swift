import MeshCore
import MeshPlan

/// One result read by several places of a plan: a shared CTE or view (`LogicalPlan.shared`),
/// or identical remote fragments marked `shared`, run once. The first reader to need a batch
/// pulls it from the source operator; a batch is kept (against the memory budget) until every
/// reader has passed it.
final class SharedResult {
    let scan: any PhysicalOperator
    let budget: MemoryBudget
    let readers: Int
    /// Batches from absolute index `base` on; the ones before every reader's position are gone.
    private var batches: [Batch] = []
    private var base = 0
    private var finished = false
    /// Each reader's next absolute index; `Int.max` once it closed.
    private var positions: [Int]

    init(_ scan: any PhysicalOperator, readers: Int, budget: MemoryBudget) {
        self.scan = scan
        self.readers = readers
        self.budget = budget
        positions = [Int](repeating: 0, count: readers)
    }

    /// A reader's number (0 ..< readers), in the order they are made.
    private var nextReader = 0
    func join() -> Int {
        defer { nextReader += 1 }
        return min(nextReader, readers - 1)
    }

    /// Reader `reader`'s next batch, pulled from the query when no reader has yet; nil at
    /// the end.
    func next(for reader: Int) async throws -> Batch? {
        let index = positions[reader]
        while index - base >= batches.count {
            if finished { return nil }
            guard let b = try await scan.next() else {
                finished = true
                return nil
            }
            try budget.reserve(b.estimatedBytes, for: "a result read twice")
            batches.append(b)
        }
        let b = batches[index - base]
        positions[reader] = index + 1
        dropPassed()
        return b
    }

    /// Drops the batches every open reader has passed.
    private func dropPassed() {
        let slowest = positions.min() ?? base
        guard slowest != Int.max else {
            batches = []
            return
        }
        let passed = min(batches.count, slowest - base)
        if passed > 0 {
            batches.removeFirst(passed)
            base += passed
        }
    }

    func readerClosed(_ reader: Int) {
        positions[reader] = Int.max
        dropPassed()
        if positions.allSatisfy({ $0 == Int.max }) { scan.close() }
    }
}

/// One reader of a `SharedResult`, with the result's columns it reads (`columns`: positions
/// in the result, nil for all of them as they are). It takes no dynamic filter: the other
/// readers need every row.
final class SharedReadOperator: OperatorBase, PhysicalOperator {
    let shared: SharedResult
    let fields: [Field]
    private let columns: [Int]?
    private let reader: Int
    private var closed = false

    init(_ shared: SharedResult, fields: [Field], columns: [Int]? = nil) {
        self.shared = shared
        self.fields = fields
        self.columns = columns
        reader = shared.join()
    }

    var children: [any PhysicalOperator] { [] }
    var analyzeNotes: [String] { ["read \(shared.readers) times, run once"] + shared.scan.analyzeNotes }

    func next() async throws -> Batch? {
        if closed { return nil }
        guard let b = try await shared.next(for: reader) else { return nil }
        guard let columns else { return produced(b) }
        return produced(Batch(columns: columns.map { b.columns[$0] }, rowCount: b.rowCount))
    }

    func close() {
        guard !closed else { return }
        closed = true
        shared.readerClosed(reader)
    }

    func startEarly() {}
    var sharesState: Bool { true }
}

/// The fragments of a plan marked `shared` that occur more than once (same connector, SQL
/// and parameters), and their shared results once built.
final class SharedRemoteScans {
    struct Key: Hashable {
        var connectorID: String
        var sql: String
        var parameters: [Value]
        init(_ f: RemoteFragment) {
            connectorID = f.connectorID
            sql = f.sql
            parameters = f.parameters
        }
    }

    private(set) var prepared = false
    private var counts: [Key: Int] = [:]
    private var results: [Key: SharedResult] = [:]

    /// Counts the shared fragments of the plan being built (its root).
    func prepare(_ plan: LogicalPlan) {
        prepared = true
        plan.visit { node in
            if case .remote(let f) = node, f.shared { counts[Key(f), default: 0] += 1 }
        }
    }

    func readers(of f: RemoteFragment) -> Int { counts[Key(f)] ?? 0 }

    /// The shared result for `f`, made with `make` by its first reader.
    func result(for f: RemoteFragment, make: () -> SharedResult) -> SharedResult {
        if let r = results[Key(f)] { return r }
        let r = make()
        results[Key(f)] = r
        return r
    }
}

/// The shared definitions of a plan (`LogicalPlan.shared`), each run once for its readers.
final class SharedSubplans {
    private var results: [Int: (result: SharedResult, columns: [ColumnID])] = [:]

    func add(_ id: Int, _ result: SharedResult, columns: [ColumnID]) { results[id] = (result, columns) }

    /// A reader of reference `s`: the definition's columns it names, by position.
    func reader(_ s: SharedReference) throws -> SharedReadOperator {
        guard let (result, columns) = results[s.id] else { throw MeshError(.internalError, "shared plan #\(s.id) was not built") }
        let positions = try s.sourceIDs.map { id in
            guard let i = columns.firstIndex(of: id) else { throw MeshError(.internalError, "shared plan #\(s.id) lacks a column") }
            return i
        }
        return SharedReadOperator(result, fields: s.columns.fields, columns: positions == Array(columns.indices) ? nil : positions)
    }
}

/// The root of a plan with shared definitions: the query's rows. The definitions' operators
/// are its children too (EXPLAIN ANALYZE finds them where the plan has them), run by their
/// readers.
final class SharedPlansOperator: OperatorBase, PhysicalOperator {
    let body: any PhysicalOperator
    let definitions: [any PhysicalOperator]

    init(body: any PhysicalOperator, definitions: [any PhysicalOperator]) {
        self.body = body
        self.definitions = definitions
    }

    var fields: [Field] { body.fields }
    var children: [any PhysicalOperator] { definitions + [body] }

    func next() async throws -> Batch? { produced(try await body.next()) }

    func close() {
        body.close()
        definitions.forEach { $0.close() }
    }
}
