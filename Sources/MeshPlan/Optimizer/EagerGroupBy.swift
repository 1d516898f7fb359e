import MeshCore

/// Eager group-by on one side of a keyed join (Yan and Larson's "eager group-by", as
/// DuckDB and Trino push partial aggregation through joins): when every aggregate reads only
/// one side, that side is grouped first by the columns of it the join condition and the
/// GROUP BY read, and the join pairs the other side's rows with those groups.
///
/// Federated, this moves the grouping into the source: TPC-H q13 counts 1.5 M orders per
/// customer over a join with the customers of another source; grouped first, PostgreSQL
/// sends 100 k counts instead of 1.5 M rows, and the join and the final count shrink alike.
///
/// The rewrite is exact for:
/// - inner joins (either side grouped), and outer joins whose null-supplying side is the
///   grouped one (its partials are NULL for unmatched rows, as the columns were);
/// - a condition made only of equalities between a column of each side;
/// - count(x), sum over integers and decimals (float sums would round differently), min, max
///   and, for inner joins, count(*), without DISTINCT, FILTER or ORDER BY.
/// It fires only where the source counted the distinct values of the grouping columns and
/// grouping keeps at most half the rows of a large side: a guess would make it a gamble.
public struct EagerGroupBy: OptimizerRule {
    public let name = "eager_group_by"
    let estimator: CardinalityEstimator
    /// Rows below which grouping first cannot save enough to matter.
    public static let minimumRows: Double = 20_000
    /// The most groups, as a share of the side's rows, for which grouping first pays.
    public static let maximumGroupShare: Double = 0.5

    public init(estimator: CardinalityEstimator) {
        self.estimator = estimator
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { $0.transformUp { rewrite($0) ?? $0 } }
    }

    func rewrite(_ node: LogicalPlan) -> LogicalPlan? {
        guard case .aggregate(.join(let l, let r, let kind, let cond?), let groups, let aggs, let outputs) = node,
              !aggs.isEmpty else { return nil }
        // The side that may be grouped: either for an inner join, the null-supplying one for
        // an outer join.
        let candidates: [Bool] = switch kind {
        case .inner: [true, false]
        case .left: [false]
        case .right: [true]
        default: []
        }
        for groupLeft in candidates {
            if let p = rewrite(l, r, groupLeft: groupLeft, kind, cond, groups, aggs, outputs) { return p }
        }
        return nil
    }

    func rewrite(_ l: LogicalPlan, _ r: LogicalPlan, groupLeft: Bool, _ kind: PlanJoinKind, _ cond: BoundExpr,
                 _ groups: [BoundExpr], _ aggs: [AggregateCall], _ outputs: [PlanColumn]) -> LogicalPlan? {
        var side = EagerAggregation.Side(groupLeft ? l : r)
        let otherIDs = (groupLeft ? r : l).columns.idSet
        // Only column = column equalities across the two sides.
        for c in cond.conjuncts {
            guard let (x, y) = c.columnEquality,
                  (side.ids.contains(x) && otherIDs.contains(y)) || (side.ids.contains(y) && otherIDs.contains(x)) else { return nil }
        }
        // Grouped by the side's columns the condition and the GROUP BY read.
        var read = cond.referencedColumns
        for g in groups { read.formUnion(g.referencedColumns) }
        var rename: [ColumnID: ColumnID] = [:]
        for c in side.plan.columns where read.contains(c.id) {
            let id = ColumnID.fresh()
            side.keys.append((c, id))
            rename[c.id] = id
        }
        guard !side.keys.isEmpty, worthGrouping(side) else { return nil }

        var finals = EagerAggregation.Finals()
        for (call, output) in zip(aggs, outputs.suffix(aggs.count)) {
            guard call.filter == nil, !call.distinct, call.ordering.isEmpty else { return nil }
            let reads = call.arguments.reduce(into: Set<ColumnID>()) { $0.formUnion($1.referencedColumns) }
            let counts = DataType.decimal(precision: 38, scale: 0)
            let final: AggregateCall
            switch call.function {
            case .countStar:
                // Unmatched rows of an outer join count too, and have no group to count them.
                guard kind == .inner else { return nil }
                final = AggregateCall(function: .sum, arguments: [side.count.ref], resultType: counts)
            case .count, .sum, .min, .max:
                guard !reads.isEmpty, reads.isSubset(of: side.ids) else { return nil }
                if call.function == .sum, !(call.resultType.isInteger || call.resultType.physical == .decimal) { return nil }
                let partial = side.partial(call, output.name)
                final = AggregateCall(function: call.function == .count ? .sum : call.function, arguments: [partial],
                                      resultType: call.function == .count ? counts : call.resultType)
            default:
                return nil
            }
            // (A group's count of only unmatched rows is 0 too.)
            finals.add(final, for: call, named: output.name)
        }

        let grouped = side.preAggregate
        let join = LogicalPlan.join(groupLeft ? grouped : l, groupLeft ? r : grouped, kind, cond.renamingColumns(rename))
        return finals.plan(over: join, groups: groups, rename: rename, outputs: outputs)
    }

    /// Whether grouping the side first is expected to shrink it enough: a large side, read
    /// from one source (where the grouping goes down), whose grouping columns' distinct
    /// counts are known and multiply to at most `maximumGroupShare` of its rows.
    func worthGrouping(_ side: EagerAggregation.Side) -> Bool {
        let rows = estimator.estimate(side.plan)
        guard rows >= Self.minimumRows, side.plan.onlySource != nil,
              let groups = estimator.knownGroups(side.keys.map { $0.0.ref }, of: side.plan) else { return false }
        return groups <= rows * Self.maximumGroupShare
    }
}
