import MeshCore
import MeshPlan
import Synchronization

/// Hash join for inner, left, right and full joins, and for the semi, anti, null-aware anti
/// and mark joins that subqueries become, on equality keys, with any remaining condition
/// checked on candidate pairs. Without equality keys it degrades to a nested loop over the
/// build side (cross joins, theta joins), taken in windows of at most `nestedLoopPairs` pairs
/// so memory stays bounded however large the two sides are.
///
/// The right input is always the build side (the planner puts the smaller input there). A
/// LEFT join keeps unmatched probe rows as they pass; a RIGHT join emits its unmatched build
/// rows at the end, as a FULL join does both.
public final class HashJoinOperator: OperatorBase, PhysicalOperator {
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    let kind: PlanJoinKind
    public let fields: [Field]
    public var children: [any PhysicalOperator] { [left, right] }

    private let probeKeys: [CompiledExpression]
    private let buildKeys: [CompiledExpression]
    /// Build columns equal to a probe column on every matched pair (build column → probe
    /// column): see `keyTwins(probe:build:)`.
    private let keyTwins: [Int: Int]
    /// Over the joined row (left columns, then right).
    private let residual: (@Sendable (Batch) throws -> [Bool])?
    /// Emit probe rows without a match (left side of LEFT, right side of RIGHT, FULL).
    private let keepUnmatchedProbe: Bool
    private let keepUnmatchedBuild: Bool

    /// Set by `close()`, possibly from another thread (a cancelled query): the join stops
    /// between steps instead of working through the rest of its pairs, whose answer nobody
    /// will read.
    private let stopped = Atomic<Bool>(false)

    /// The most candidate pairs a nested loop materialises at once.
    static let nestedLoopPairs = 1 << 16
    /// The most pairs the hash path lists at once: a probe batch whose rows share a key with
    /// many build rows is joined in steps of this many (a batch of 4,096 rows against a key of
    /// a million rows is 4 billion pairs, 64 GB of row numbers listed at once).
    static let hashPairs = 1 << 16

    private var built = false
    /// Some build row's key is NULL (null-aware joins).
    private var buildHasNullKey = false
    /// The probe batch being joined, and how far: the hash path takes a batch in one step, the
    /// nested loop in windows.
    private var current: Batch?
    private var currentKeyNull: [Bool] = []
    private var currentMatched: [Bool] = []
    /// The hash path's lookup of the current probe batch, and how far its pairs are listed.
    private var currentMatches: ProbeMatches?
    private var pairCursor = ProbeMatches.Cursor()
    private var loopProbeStart = 0
    private var loopBuildStart = 0
    private var buildBatch = Batch(columns: [], rowCount: 0)
    private var table = JoinTable()
    private var encoders: [KeyEncoder] = []
    private var buildMatched: [Bool] = []
    private var emittedUnmatchedBuild = false
    /// Probe batches read before the build side (an anti join looking at its outer side's
    /// size, see `OuterBuiltAntiJoin`), joined first.
    private var pendingProbe: [Batch] = []
    /// The answer of an anti join run the other way round, handed out a batch at a time.
    private var outerBuiltAnswer: [Batch]?

    /// - Parameters:
    ///   - condition: the ON condition over the joined row (left columns, then right); its
    ///     equalities between the two sides become the hash keys.
    ///   - fields: the output, as `LogicalPlan.join(…).fields` gives it.
    private let budget: MemoryBudget?
    /// The probe keys as expressions over the probe's columns (to find plain columns for
    /// dynamic filters).
    private let probeKeyExprs: [BoundExpr]
    /// The type of the first build key, whose distinct values decide whether a filter is sent.
    private let buildKeyType: DataType

    public init(left: any PhysicalOperator, right: any PhysicalOperator, kind: PlanJoinKind, condition: BoundExpr?,
                fields: [Field], budget: MemoryBudget? = nil) throws {
        self.budget = budget
        self.left = left
        self.right = right
        self.kind = kind
        self.fields = fields
        let leftCount = left.fields.count
        var lkeys: [BoundExpr] = [], rkeys: [BoundExpr] = [], rest: [BoundExpr] = []
        for c in condition?.conjuncts ?? [] {
            // The planner's rule (`equalitySides`), over the slots of the two inputs.
            if let (l, r) = c.equalitySides(\.referencedSlots, left: { $0.allSatisfy { $0 < leftCount } },
                                            right: { $0.allSatisfy { $0 >= leftCount } }) {
                lkeys.append(l); rkeys.append(r.shiftingSlots(by: -leftCount)); continue
            }
            rest.append(c)
        }
        probeKeyExprs = lkeys
        buildKeyType = rkeys.first?.type ?? .unknown
        let l = try lkeys.map(ExpressionCompiler.compile)
        let r = try rkeys.map(ExpressionCompiler.compile)
        probeKeys = l
        buildKeys = r
        keyTwins = Self.keyTwins(probe: lkeys, build: rkeys)
        residual = try BoundExpr.conjunction(rest).map(ExpressionCompiler.compilePredicate)
        keepUnmatchedProbe = kind == .left || kind == .full
        if case .nullAwareAnti = kind, !rest.isEmpty || lkeys.isEmpty {
            throw MeshError(.internalError, "a null-aware anti join takes key equalities only")
        }
        if case .mark(_, true) = kind, lkeys.isEmpty {
            throw MeshError(.internalError, "a null-aware mark join needs equality keys")
        }
        keepUnmatchedBuild = kind == .full || kind == .right
    }

    /// Key columns `p.x = b.y` of one integer-like type hold the same value on every matched
    /// pair (their codes are the values themselves), so the build column of a match need not be
    /// gathered from the build side, a random read per row: the probe column has the values in
    /// probe order already. Not for doubles (-0.0 = 0.0), decimals or strings (equal values,
    /// other representations).
    private static func keyTwins(probe: [BoundExpr], build: [BoundExpr]) -> [Int: Int] {
        var twins: [Int: Int] = [:]
        for (p, b) in zip(probe, build) {
            guard case .slot(let pj) = p.kind, case .slot(let bj) = b.kind, p.type == b.type else { continue }
            switch p.type.physical {
            case .int, .date, .timestamp, .bool:
                if twins[bj] == nil { twins[bj] = pj }
            default:
                continue
            }
        }
        return twins
    }

    private var probe: any PhysicalOperator { left }
    private var buildSide: any PhysicalOperator { right }

    private func build() async throws {
        buildBatch = try await drainBuildSide()
        let n = buildBatch.rowCount
        // The hash table: a slot of the key width plus bookkeeping per row, at most half full.
        try budget?.reserve(n * (8 * (buildKeys.count + 1) + 16) * 2, for: "hash join table")
        buildMatched = keepUnmatchedBuild ? [Bool](repeating: false, count: n) : []
        guard !buildKeys.isEmpty else { built = true; return }
        encoders = buildKeys.map { _ in KeyEncoder() }
        let keyCols = try buildKeys.map { try $0(buildBatch) }
        buildHasNullKey = keyCols.contains { $0.validity.hasNulls && (0..<n).contains(where: $0.validity.isNull) }
        applyDynamicFilters(keyCols)
        let rows = KeyRows.forJoin(columns: keyCols, encoders: encoders, insert: true, rowCount: n)
        table = JoinTable.build(rows, keyColumns: buildKeys.count)
        built = true
    }

    /// Rows of the probe side that match no build row are dropped (inner and semi joins): the
    /// probe's source query, if it has not started, is narrowed to the build side's keys.
    private var probeDropsUnmatched: Bool {
        switch kind {
        case .inner, .cross, .semi, .right: true
        default: false
        }
    }

    private func applyDynamicFilters(_ keyCols: [Column]) {
        guard probeDropsUnmatched else { return }
        for (k, e) in probeKeyExprs.enumerated() {
            guard case .slot(let j) = e.kind, let keys = Self.distinctKeys(keyCols[k], max: RemoteScanOperator.maxFilterKeys)
            else { continue }
            _ = probe.pushDynamicFilter(column: j, keys: keys)
        }
    }

    /// A filter from above on an output column: the probe (left) input's columns take it
    /// before this join starts; a NULL-padded row of an outer join fails the filter anyway,
    /// so this holds for every kind. The build side has started by then and is left alone.
    public func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        guard !built, column < left.fields.count else { return false }
        return left.pushDynamicFilter(column: column, keys: keys)
    }

    /// Reads the build side. While the probe waits for a dynamic filter, the distinct keys
    /// read so far are counted at 50k, 100k, 200k and 400k rows: once there are more than a
    /// filter carries, none will be sent, so the probe's source queries start at once and run
    /// beside the rest of the build instead of after it.
    private func drainBuildSide() async throws -> Batch {
        var parts: [Batch] = []
        var rows = 0
        let limit = RemoteScanOperator.maxFilterKeys
        var nextCheck = probeDropsUnmatched && !buildKeys.isEmpty ? limit : Int.max
        var checkpoint = Checkpoint()
        while let b = try await buildSide.next() {
            try await checkpoint.pass()
            guard b.rowCount > 0 else { continue }
            try budget?.reserve(2 * b.estimatedBytes, for: "hash join build side")
            parts.append(b)
            rows += b.rowCount
            guard rows > nextCheck else { continue }
            let keys = Column.concat(try parts.map { try buildKeys[0]($0) }, type: buildKeyType)
            if Self.distinctKeys(keys, max: limit) == nil {
                probe.startEarly()
                nextCheck = Int.max
            } else {
                nextCheck = nextCheck >= 8 * limit ? Int.max : nextCheck * 2
            }
        }
        return concatBatches(parts, fields: buildSide.fields)
    }

    /// A probe that waits for this join's own build side (whose keys may yet filter it) goes
    /// on waiting; one that only waited for the join above starts.
    public func startEarly() {
        if !probeDropsUnmatched { probe.startEarly() }
    }

    /// The distinct non-NULL values of an integer or text key column, or nil past `max`.
    static func distinctKeys(_ c: Column, max: Int) -> [Value]? {
        switch c.storage {
        case .int(let a):
            var seen = Set<Int64>()
            for i in a.indices where c.validity.isValid(i) {
                seen.insert(a[i])
                if seen.count > max { return nil }
            }
            return seen.sorted().map { .int($0) }
        case .string(let a):
            var seen = Set<ByteOrderedString>()
            for i in a.indices where c.validity.isValid(i) {
                seen.insert(ByteOrderedString(a[i]))
                if seen.count > max { return nil }
            }
            return seen.sorted().map { .string($0.s) }
        default:
            return nil
        }
    }

    public func next() async throws -> Batch? {
        if outerBuiltAnswer == nil, !built, let answer = try await antiJoinBuiltOnOuterSide() {
            outerBuiltAnswer = answer
        }
        if outerBuiltAnswer != nil {
            guard !outerBuiltAnswer!.isEmpty else { return nil }
            return produced(outerBuiltAnswer!.removeFirst())
        }
        if !built { try await buildBesideProbe() }
        // Nothing can match an empty build side: the probe need not run at all.
        if probeDropsUnmatched, buildBatch.rowCount == 0 {
            probe.close()
            return nil
        }
        var checkpoint = Checkpoint()
        while true {
            if stopped.load(ordering: .relaxed) { return nil }
            if current != nil {
                if let out = try step(), out.rowCount > 0 { return produced(out) }
                // A nested loop may go through many windows that produce nothing: a cancel
                // must still stop it.
                try await checkpoint.pass()
                continue
            }
            guard let p = pendingProbe.isEmpty ? try await probe.next() : pendingProbe.removeFirst() else { break }
            try await checkpoint.pass()
            if p.rowCount == 0 { continue }
            try start(p)
        }
        if keepUnmatchedBuild, !emittedUnmatchedBuild {
            emittedUnmatchedBuild = true
            let rows = buildMatched.indices.filter { !buildMatched[$0] }
            if !rows.isEmpty {
                return produced(assemble(probeBatch: nil, probeRows: [Int](repeating: -1, count: rows.count), buildRows: rows))
            }
        }
        return nil
    }

    /// Builds the table. When this join sends its probe no filter (a nested loop, or a join
    /// that keeps unmatched probe rows), the probe's own first work (its joins' build sides,
    /// an aggregate's input) is done meanwhile in a child task, which alone touches the probe
    /// until it is awaited: TPC-H q11 compares each part's value with a total, and its two
    /// sides read partsupp one after the other (0.15 s each) otherwise. Not beside a subtree
    /// that reads a shared remote result.
    private func buildBesideProbe() async throws {
        let noFilter = buildKeys.isEmpty || !probeDropsUnmatched
        guard noFilter, pendingProbe.isEmpty, probe.runsApart, buildSide.runsApart else {
            try await build()
            return
        }
        let transfer = SubtreeTransfer(op: probe)
        async let probeReady: Void = transfer.op.prepare()
        try await build()
        try await probeReady
    }

    /// Builds the table (and readies the probe), unless the join reads its outer side first.
    public func prepare() async throws {
        guard !built, outerBuiltAnswer == nil, pendingProbe.isEmpty, !readsOuterSideFirst else { return }
        try await buildBesideProbe()
        // This join's filters went to the probe, and none comes from above any more.
        if probeDropsUnmatched, buildBatch.rowCount == 0 { return }
        try await probe.prepare()
    }

    /// Whether this is an anti join on equality keys alone (see `antiJoinBuiltOnOuterSide`).
    private var readsOuterSideFirst: Bool {
        guard case .anti = kind else { return false }
        return residual == nil && !buildKeys.isEmpty
    }

    /// An anti join on equality keys alone reads its outer (probe) side first, which has
    /// started already (only joins that drop unmatched probe rows defer it): if it ends within
    /// `OuterBuiltAntiJoin.maxOuterRows` rows, the join runs the other way round and this is
    /// its answer in batches; otherwise the rows read wait in `pendingProbe` and the join goes
    /// on as usual.
    private func antiJoinBuiltOnOuterSide() async throws -> [Batch]? {
        guard readsOuterSideFirst, pendingProbe.isEmpty else { return nil }
        var rows = 0
        var parts: [Batch] = []
        var checkpoint = Checkpoint()
        while rows <= OuterBuiltAntiJoin.maxOuterRows {
            guard let b = try await probe.next() else {
                built = true
                let outer = concatBatches(parts, fields: probe.fields)
                let answer = try await OuterBuiltAntiJoin(outerKeys: probeKeys, innerKeys: buildKeys, budget: budget)
                    .run(outer: outer, inner: buildSide)
                analyzeNote = "built on the outer side (\(outer.rowCount) rows)"
                return stride(from: 0, to: answer.rowCount, by: Batch.preferredSize).map {
                    answer.slice($0..<min(answer.rowCount, $0 + Batch.preferredSize))
                }
            }
            try await checkpoint.pass()
            guard b.rowCount > 0 else { continue }
            try budget?.reserve(2 * b.estimatedBytes, for: "hash join probe side")
            parts.append(b)
            rows += b.rowCount
        }
        pendingProbe = parts
        return nil
    }

    /// For EXPLAIN ANALYZE: how the join ran, where it took another way.
    private var analyzeNote: String?
    public var analyzeNotes: [String] { analyzeNote.map { [$0] } ?? [] }

    /// Takes up a new probe batch.
    private func start(_ p: Batch) throws {
        current = p
        currentMatched = [Bool](repeating: false, count: p.rowCount)
        loopProbeStart = 0
        loopBuildStart = 0
        currentKeyNull = []
    }

    /// Joins the next part of the current probe batch: at most `hashPairs` pairs on the hash
    /// path, one window of `nestedLoopPairs` pairs in a nested loop. Returns nil (and drops the batch) once it is done;
    /// an empty batch when a window produced nothing.
    private func step() throws -> Batch? {
        guard let p = current else { return nil }
        var probeRows: [Int] = []
        var buildRows: [Int] = []
        var finished: Bool
        if buildKeys.isEmpty {
            let n = buildBatch.rowCount
            if n == 0 || p.rowCount == 0 {
                finished = true
            } else {
                // A window of at most `nestedLoopPairs` pairs: several probe rows against the
                // whole build side, or one probe row against a stretch of it.
                let limit = Self.nestedLoopPairs
                if n <= limit {
                    let rowsNow = min(p.rowCount - loopProbeStart, max(1, limit / n))
                    probeRows.reserveCapacity(rowsNow * n)
                    buildRows.reserveCapacity(rowsNow * n)
                    for i in loopProbeStart..<(loopProbeStart + rowsNow) {
                        for j in 0..<n { probeRows.append(i); buildRows.append(j) }
                    }
                    loopProbeStart += rowsNow
                } else {
                    let end = min(n, loopBuildStart + limit)
                    probeRows = [Int](repeating: loopProbeStart, count: end - loopBuildStart)
                    buildRows = Array(loopBuildStart..<end)
                    loopBuildStart = end
                    if loopBuildStart == n { loopBuildStart = 0; loopProbeStart += 1 }
                }
                finished = loopProbeStart >= p.rowCount
            }
        } else {
            if currentMatches == nil {
                let keyCols = try probeKeys.map { try $0(p) }
                if needsKeyNulls {
                    currentKeyNull = (0..<p.rowCount).map { i in keyCols.contains { $0.validity.isNull(i) } }
                }
                let rows = KeyRows.forJoin(columns: keyCols, encoders: encoders, insert: false, rowCount: p.rowCount)
                currentMatches = table.lookup(rows)
                pairCursor = ProbeMatches.Cursor()
            }
            let matches = currentMatches!
            if residual == nil, !kind.outputsRight {
                // Semi, anti and mark joins: whether a row matched is all that counts.
                currentMatched = matches.matched
                finished = true
            } else {
                matches.expand(from: &pairCursor, maxPairs: Self.hashPairs, probeRows: &probeRows, buildRows: &buildRows)
                finished = matches.isDone(pairCursor)
            }
        }
        let pairs = try matchingPairs(p, &probeRows, &buildRows)
        currentMatched.withUnsafeMutableBufferPointer { m in for i in probeRows { m[i] = true } }
        if keepUnmatchedBuild {
            buildMatched.withUnsafeMutableBufferPointer { m in for j in buildRows { m[j] = true } }
        }
        var out: Batch
        if kind.outputsRight {
            out = pairs ?? assemble(probeBatch: p, probeRows: probeRows, buildRows: buildRows, matched: true)
        } else {
            out = Batch(columns: [], rowCount: 0)
        }
        guard finished else { return out }
        current = nil
        currentMatches = nil
        let parts = [out, try unmatchedOrSelected(p)].filter { $0.rowCount > 0 }
        return parts.isEmpty ? Batch(columns: [], rowCount: 0) : concatBatches(parts, fields: fields)
    }

    private var needsKeyNulls: Bool {
        switch kind {
        case .nullAwareAnti: true
        case .mark(_, let nullAware): nullAware
        default: false
        }
    }

    /// Keeps the candidate pairs that satisfy the residual condition; returns them assembled
    /// when the output needs them anyway (nil when there is nothing to check).
    private func matchingPairs(_ p: Batch, _ probeRows: inout [Int], _ buildRows: inout [Int]) throws -> Batch? {
        guard let residual, !probeRows.isEmpty else { return nil }
        let candidates = assemble(probeBatch: p, probeRows: probeRows, buildRows: buildRows, matched: true)
        let mask = try residual(candidates)
        guard mask.contains(false) else { return candidates }
        var keptProbe: [Int] = [], keptBuild: [Int] = []
        for k in mask.indices where mask[k] { keptProbe.append(probeRows[k]); keptBuild.append(buildRows[k]) }
        probeRows = keptProbe
        buildRows = keptBuild
        return candidates.filter(mask)
    }

    /// What a probe batch adds once all its matches are known: its unmatched rows padded with
    /// NULLs (outer joins), or its rows chosen by match (semi, anti), or all of them with the
    /// mark column.
    private func unmatchedOrSelected(_ p: Batch) throws -> Batch {
        let matched = currentMatched
        let buildEmpty = buildBatch.rowCount == 0
        switch kind {
        case .inner, .cross, .right:
            // (A RIGHT join's unmatched rows are build rows: they come at the very end.)
            return Batch(columns: [], rowCount: 0)
        case .left, .full:
            let unmatched = matched.indices.filter { !matched[$0] }
            if unmatched.isEmpty { return Batch(columns: [], rowCount: 0) }
            return assemble(probeBatch: p, probeRows: unmatched, buildRows: [Int](repeating: -1, count: unmatched.count))
        case .semi:
            return p.filter(matched)
        case .anti:
            return p.filter(matched.map { !$0 })
        case .nullAwareAnti:
            if buildEmpty { return p }
            if buildHasNullKey { return p.filter([Bool](repeating: false, count: p.rowCount)) }
            let keyNull = currentKeyNull
            return p.filter(matched.indices.map { !matched[$0] && !keyNull[$0] })
        case .mark(_, let nullAware):
            let keyNull = currentKeyNull
            let unknown: (Int) -> Bool = { i in
                nullAware && !buildEmpty && !matched[i] && (self.buildHasNullKey || keyNull[i])
            }
            let mark = Column(type: .boolean, storage: .bool(matched),
                              validity: Validity(count: p.rowCount) { !unknown($0) })
            return Batch(columns: p.columns + [mark], rowCount: p.rowCount)
        }
    }

    /// Joined rows in output order (left columns, then right); -1 picks NULLs.
    /// `matched`: the rows are matching pairs (no -1 on either side).
    private func assemble(probeBatch: Batch?, probeRows: [Int], buildRows: [Int], matched: Bool = false) -> Batch {
        let probeFields = probe.fields
        let probeCols: [Column]
        if let probeBatch, Self.isIdentity(probeRows, count: probeBatch.rowCount) {
            // Every probe row matched once, in order (a foreign-key join): no copy needed.
            probeCols = probeBatch.columns
        } else if let probeBatch {
            probeCols = probeBatch.columns.map { $0.gather(probeRows) }
        } else {
            probeCols = probeFields.map { Column(repeating: .null, type: $0.type, count: probeRows.count) }
        }
        let buildCols: [Column]
        if buildBatch.rowCount == 0 {
            buildCols = buildSide.fields.map { Column(repeating: .null, type: $0.type, count: buildRows.count) }
        } else {
            buildCols = buildBatch.columns.enumerated().map { j, column in
                if matched, probeBatch != nil, let twin = keyTwins[j] {
                    var c = probeCols[twin]
                    c.type = column.type
                    return c
                }
                return column.gather(buildRows)
            }
        }
        let cols = probeCols + buildCols
        return Batch(columns: cols, rowCount: probeRows.count)
    }

    private static func isIdentity(_ rows: [Int], count: Int) -> Bool {
        guard rows.count == count else { return false }
        return rows.withUnsafeBufferPointer { r in
            for i in 0..<count where r[i] != i { return false }
            return true
        }
    }

    public func close() {
        stopped.store(true, ordering: .relaxed)
        left.close()
        right.close()
    }
}
