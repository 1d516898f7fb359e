import MeshCore
import MeshPlan

/// One remote query read by several places of a plan: a CTE referenced twice (TPC-H q15's
/// `revenue`, once joined and once under `max`) is carved into two identical fragments, and
/// the source should run it once. The first reader to need a batch pulls it from the query;
/// the batches are kept (against the memory budget) until every reader has passed them.
final class SharedRemoteResult {
    let scan: RemoteScanOperator
    let budget: MemoryBudget
    private(set) var batches: [Batch] = []
    private(set) var finished = false
    let readers: Int
    /// Readers not yet closed; the query is closed after the last.
    private var openReaders: Int

    init(_ scan: RemoteScanOperator, readers: Int, budget: MemoryBudget) {
        self.scan = scan
        self.readers = readers
        self.openReaders = readers
        self.budget = budget
    }

    /// Batch `index`, pulling it from the query when no reader has yet; nil past the end.
    func batch(_ index: Int) async throws -> Batch? {
        while index >= batches.count {
            if finished { return nil }
            guard let b = try await scan.next() else {
                finished = true
                return nil
            }
            try budget.reserve(b.estimatedBytes, for: "a result read twice")
            batches.append(b)
        }
        return batches[index]
    }

    func readerClosed() {
        openReaders -= 1
        if openReaders <= 0 { scan.close() }
    }
}

/// One reader of a `SharedRemoteResult`. It takes no dynamic filter: the other readers need
/// every row.
final class SharedRemoteScanOperator: OperatorBase, PhysicalOperator {
    let shared: SharedRemoteResult
    let fields: [Field]
    private var position = 0
    private var closed = false

    init(_ shared: SharedRemoteResult, fields: [Field]) {
        self.shared = shared
        self.fields = fields
    }

    var children: [any PhysicalOperator] { [] }
    var analyzeNotes: [String] { ["read \(shared.readers) times, run once"] + shared.scan.analyzeNotes }

    func next() async throws -> Batch? {
        if closed { return nil }
        guard let b = try await shared.batch(position) else { return nil }
        position += 1
        return produced(b)
    }

    func close() {
        guard !closed else { return }
        closed = true
        shared.readerClosed()
    }

    func startEarly() {}
}

/// The remote fragments of a plan that occur more than once (same connector, SQL and
/// parameters), and their shared results once built.
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
    private var results: [Key: SharedRemoteResult] = [:]

    /// Counts the fragments of the plan being built (its root).
    func prepare(_ plan: LogicalPlan) {
        prepared = true
        plan.visit { node in
            if case .remote(let f) = node { counts[Key(f), default: 0] += 1 }
        }
    }

    func readers(of f: RemoteFragment) -> Int { counts[Key(f)] ?? 0 }

    /// The shared result for `f`, made with `make` by its first reader.
    func result(for f: RemoteFragment, make: () -> SharedRemoteResult) -> SharedRemoteResult {
        if let r = results[Key(f)] { return r }
        let r = make()
        results[Key(f)] = r
        return r
    }
}
