import MeshCore
import MeshPlan

/// Hash join for inner, left, right and full joins on equality keys, with any remaining
/// condition checked on candidate pairs. Without equality keys it degrades to a nested loop
/// over the build side (cross joins, theta joins).
///
/// The right input is the build side, except for RIGHT joins, where the left input is built
/// and the join runs as a left join with the sides' columns put back in order.
public final class HashJoinOperator: OperatorBase, PhysicalOperator {
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    let kind: PlanJoinKind
    public let fields: [Field]
    public var children: [any PhysicalOperator] { [left, right] }

    private let buildIsLeft: Bool
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

    private var built = false
    private var buildBatch = Batch(columns: [], rowCount: 0)
    private var table = JoinTable()
    private var encoders: [KeyEncoder] = []
    private var buildMatched: [Bool] = []
    private var emittedUnmatchedBuild = false

    /// - Parameters:
    ///   - condition: the ON condition over the joined row (left columns, then right); its
    ///     equalities between the two sides become the hash keys.
    ///   - fields: the output, as `LogicalPlan.join(…).fields` gives it.
    public init(left: any PhysicalOperator, right: any PhysicalOperator, kind: PlanJoinKind, condition: BoundExpr?,
                fields: [Field]) throws {
        self.left = left
        self.right = right
        self.kind = kind
        self.fields = fields
        self.buildIsLeft = kind == .right
        let leftCount = left.fields.count
        var lkeys: [BoundExpr] = [], rkeys: [BoundExpr] = [], rest: [BoundExpr] = []
        for c in condition?.conjuncts ?? [] {
            if case .comparison(.equal, let a, let b) = c.kind {
                let ac = a.referencedSlots, bc = b.referencedSlots
                if !ac.isEmpty, !bc.isEmpty, ac.allSatisfy({ $0 < leftCount }), bc.allSatisfy({ $0 >= leftCount }) {
                    lkeys.append(a); rkeys.append(b.shiftingSlots(by: -leftCount)); continue
                }
                if !ac.isEmpty, !bc.isEmpty, bc.allSatisfy({ $0 < leftCount }), ac.allSatisfy({ $0 >= leftCount }) {
                    lkeys.append(b); rkeys.append(a.shiftingSlots(by: -leftCount)); continue
                }
            }
            rest.append(c)
        }
        let l = try lkeys.map(ExpressionCompiler.compile)
        let r = try rkeys.map(ExpressionCompiler.compile)
        probeKeys = buildIsLeft ? r : l
        buildKeys = buildIsLeft ? l : r
        keyTwins = Self.keyTwins(probe: buildIsLeft ? rkeys : lkeys, build: buildIsLeft ? lkeys : rkeys)
        residual = try BoundExpr.conjunction(rest).map(ExpressionCompiler.compilePredicate)
        keepUnmatchedProbe = kind == .left || kind == .right || kind == .full
        keepUnmatchedBuild = kind == .full
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

    private var probe: any PhysicalOperator { buildIsLeft ? right : left }
    private var buildSide: any PhysicalOperator { buildIsLeft ? left : right }

    private func build() async throws {
        buildBatch = try await drain(buildSide)
        let n = buildBatch.rowCount
        buildMatched = keepUnmatchedBuild ? [Bool](repeating: false, count: n) : []
        guard !buildKeys.isEmpty else { built = true; return }
        encoders = buildKeys.map { _ in KeyEncoder() }
        let keyCols = try buildKeys.map { try $0(buildBatch) }
        let rows = KeyRows.forJoin(columns: keyCols, encoders: encoders, insert: true, rowCount: n)
        table = JoinTable.build(rows, keyColumns: buildKeys.count)
        built = true
    }

    public func next() async throws -> Batch? {
        if !built { try await build() }
        while let p = try await probe.next() {
            try Task.checkCancellation()
            if p.rowCount == 0 { continue }
            let out = try joinBatch(p)
            if out.rowCount > 0 { return produced(out) }
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

    private func joinBatch(_ p: Batch) throws -> Batch {
        var probeRows: [Int] = []
        var buildRows: [Int] = []
        probeRows.reserveCapacity(p.rowCount)
        buildRows.reserveCapacity(p.rowCount)
        if buildKeys.isEmpty {
            // Nested loop: every pair is a candidate.
            for i in 0..<p.rowCount {
                for j in 0..<buildBatch.rowCount { probeRows.append(i); buildRows.append(j) }
            }
        } else {
            let keyCols = try probeKeys.map { try $0(p) }
            let rows = KeyRows.forJoin(columns: keyCols, encoders: encoders, insert: false, rowCount: p.rowCount)
            table.probe(rows, probeRows: &probeRows, buildRows: &buildRows)
        }
        var candidates = assemble(probeBatch: p, probeRows: probeRows, buildRows: buildRows, matched: true)
        if let residual, candidates.rowCount > 0 {
            let mask = try residual(candidates)
            if mask.contains(false) {
                var keptProbe: [Int] = [], keptBuild: [Int] = []
                for k in mask.indices where mask[k] { keptProbe.append(probeRows[k]); keptBuild.append(buildRows[k]) }
                probeRows = keptProbe
                buildRows = keptBuild
                candidates = candidates.filter(mask)
            }
        }
        if keepUnmatchedBuild {
            buildMatched.withUnsafeMutableBufferPointer { m in for j in buildRows { m[j] = true } }
        }
        guard keepUnmatchedProbe else { return candidates }
        var matched = [Bool](repeating: false, count: p.rowCount)
        matched.withUnsafeMutableBufferPointer { m in for i in probeRows { m[i] = true } }
        let unmatched = matched.indices.filter { !matched[$0] }
        if unmatched.isEmpty { return candidates }
        let extra = assemble(probeBatch: p, probeRows: unmatched, buildRows: [Int](repeating: -1, count: unmatched.count))
        return concatBatches([candidates, extra], fields: fields)
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
        let cols = buildIsLeft ? buildCols + probeCols : probeCols + buildCols
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
        left.close()
        right.close()
    }
}
