import MeshCore
import MeshPlan

/// A pull-based operator over columnar batches. Operators are owned by one query task and
/// never shared across tasks.
public protocol PhysicalOperator: AnyObject {
    var fields: [Field] { get }
    /// The next batch, or nil at the end. Batches may be empty.
    func next() async throws -> Batch?
    /// Stops sources early (LIMIT reached, query cancelled, error). Idempotent.
    func close()
    /// Rows produced so far, for EXPLAIN ANALYZE.
    var rowsProduced: Int { get }
    var children: [any PhysicalOperator] { get }
    /// What EXPLAIN ANALYZE should say beyond row counts (a dynamic filter applied).
    var analyzeNotes: [String] { get }
    /// A dynamic filter from a join above: only rows whose output column `column` holds one
    /// of `keys` (never NULL) matter to it. An operator that has not started passes it down
    /// towards a source query that can apply it; returns whether one did. Dropping fewer
    /// rows than asked is always allowed, so an operator that cannot pass it says false.
    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool
    /// The join above that deferred this input's source queries will send no dynamic filter
    /// after all: start them now. Operators that pass filters down pass this down too.
    func startEarly()
    /// Does the work that comes before the first batch and needs nothing from above (a join's
    /// build side, an aggregate's input), so that a join above can have it done while it
    /// reads its own build side: see `HashJoinOperator`. No filter comes from above after
    /// this. Operators that wait for nothing do nothing.
    func prepare() async throws
    /// Whether this operator reads state another part of the plan reads too (a shared
    /// remote result), so its subtree must not run beside that part.
    var sharesState: Bool { get }
}

extension PhysicalOperator {
    public var analyzeNotes: [String] { [] }
    public func pushDynamicFilter(column: Int, keys: [Value]) -> Bool { false }
    public func startEarly() {}
    public func prepare() async throws {}
    public var sharesState: Bool { false }

    /// Whether this subtree shares no state with the rest of the plan, so it can run beside it.
    var runsApart: Bool { !sharesState && children.allSatisfy { $0.runsApart } }
}

/// Hands a subtree to a child task that alone touches it until the parent awaits the task
/// (operators are not `Sendable`: each belongs to one task at a time).
struct SubtreeTransfer: @unchecked Sendable {
    let op: any PhysicalOperator
}

/// The input slot each expression merely reads (`.slot(i)`), nil for computed ones: how a
/// dynamic filter on an output column maps to the input.
func passThroughSlots(_ exprs: [BoundExpr]) -> [Int?] {
    exprs.map { if case .slot(let i) = $0.kind { return i } else { return nil } }
}

/// Counts rows as batches pass; the common part of every operator.
open class OperatorBase {
    public internal(set) var rowsProduced = 0
    /// Time spent inside this operator's `next` including its children, in nanoseconds.
    public internal(set) var elapsedNanos: UInt64 = 0

    init() {}

    @inline(__always)
    func produced(_ b: Batch?) -> Batch? {
        if let b { rowsProduced += b.rowCount }
        return b
    }
}

/// The next stretch of a finished result (sorts, top-N, windows): at most
/// `Batch.preferredSize` rows from `position` on, or nil at the end.
func nextSlice(of result: Batch, from position: inout Int) -> Batch? {
    guard position < result.rowCount else { return nil }
    let end = min(result.rowCount, position + Batch.preferredSize)
    let out = position == 0 && end == result.rowCount ? result : result.slice(position..<end)
    position = end
    return out
}

/// Reads all batches of an operator into one (build sides, sorts), counting what it keeps
/// against the query's memory budget as it goes (twice: the parts, then their concatenation).
func drain(_ op: any PhysicalOperator, budget: MemoryBudget? = nil, for what: String = "") async throws -> Batch {
    var parts: [Batch] = []
    var checkpoint = Checkpoint()
    while let b = try await op.next() {
        try await checkpoint.pass()
        if b.rowCount > 0 {
            try budget?.reserve(2 * b.estimatedBytes, for: what)
            parts.append(b)
        }
    }
    return concatBatches(parts, fields: op.fields)
}

func concatBatches(_ parts: [Batch], fields: [Field]) -> Batch {
    if parts.count == 1 { return parts[0] }
    let rows = parts.reduce(0) { $0 + $1.rowCount }
    if fields.isEmpty { return Batch(columns: [], rowCount: rows) }
    let columns = fields.indices.map { j in Column.concat(parts.map { $0.columns[j] }, type: fields[j].type) }
    return Batch(columns: columns, rowCount: rows)
}
