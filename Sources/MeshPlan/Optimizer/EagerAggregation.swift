import MeshCore

/// Eager aggregation (Yan and Larson, "Eager Aggregation and Lazy Aggregation", VLDB 1995):
/// an aggregate over a join with no equality keys is computed in two steps. Each side is
/// first grouped by the columns of it the join condition and the GROUP BY read, counting its
/// rows; the join then pairs groups instead of rows, and the final aggregate weighs each pair
/// by the other side's count (`count(*)` becomes `sum(count_l * count_r)`).
///
/// Without equality keys the join is a nested loop whose work is the product of its inputs
/// (`SELECT count(*) FROM lineitem, part WHERE l_quantity * p_size = -1` pairs 1.2e12 rows).
/// Grouped by the few values the condition reads, the sides shrink to as many groups (50 × 50
/// here), and the grouping itself usually runs in the sources. So the rule fires only for a
/// keyless inner or cross join whose estimated pairs reach `minimumPairs`; with keys the hash
/// join is already linear, and whether grouping first pays off there is a costing question.
///
/// Only aggregates that split exactly are rewritten: count(*), count(x), sum(x) over integers
/// or decimals (float sums would round differently), min, max, bool_and and bool_or, each
/// reading one side, without DISTINCT, FILTER or ORDER BY. Anything else leaves the plan as
/// it was.
public struct EagerAggregation: OptimizerRule {
    public let name = "eager_aggregation"
    let estimator: CardinalityEstimator
    /// Pairs a nested loop would visit below which grouping first is not worth a hash table.
    public static let minimumPairs: Double = 1_000_000

    public init(estimator: CardinalityEstimator) {
        self.estimator = estimator
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { $0.transformUp { rewrite($0) ?? $0 } }
    }

    /// One side of the join and what its pre-aggregate computes.
    struct Side {
        var plan: LogicalPlan
        var ids: Set<ColumnID>
        /// The side's columns the join condition or the GROUP BY read, with their new ids.
        var keys: [(PlanColumn, ColumnID)] = []
        var partials: [AggregateCall] = []
        var partialColumns: [PlanColumn] = []
        let count = PlanColumn.fresh("count", .bigint, nullable: false)

        init(_ plan: LogicalPlan) {
            self.plan = plan
            ids = plan.columns.idSet
        }

        /// Adds a partial aggregate and returns a reference to its output.
        mutating func partial(_ call: AggregateCall, _ name: String) -> BoundExpr {
            let column = PlanColumn.fresh(name, call.resultType)
            partials.append(call)
            partialColumns.append(column)
            return column.ref
        }

        var preAggregate: LogicalPlan {
            let groupColumns = keys.map { PlanColumn(id: $0.1, name: $0.0.name, type: $0.0.type, nullable: $0.0.nullable) }
            let countStar = AggregateCall(function: .countStar, arguments: [], resultType: .bigint)
            let grouped = LogicalPlan.aggregate(plan, groups: keys.map { $0.0.ref }, aggregates: [countStar] + partials,
                                                groupColumns + [count] + partialColumns)
            guard keys.isEmpty else { return grouped }
            // Without keys the pre-aggregate is one row even over no rows (count 0), which the
            // join would pair with the other side's groups: an empty side must stay empty.
            let nonEmpty = BoundExpr(.comparison(.greater, count.ref, .literal(.int(0), .bigint)), type: .boolean)
            return .filter(grouped, nonEmpty)
        }
    }

    func rewrite(_ node: LogicalPlan) -> LogicalPlan? {
        guard case .aggregate(.join(let l, let r, let kind, let cond), let groups, let aggs, let outputs) = node,
              kind == .inner || kind == .cross else { return nil }
        var left = Side(l), right = Side(r)
        if cond?.hasEqualityKey(between: left.ids, and: right.ids) == true { return nil }
        let lRows = estimator.estimate(l), rRows = estimator.estimate(r)
        guard lRows > 1, rRows > 1, lRows * rRows >= Self.minimumPairs else { return nil }

        // Each side is grouped by the columns of it that the condition and the GROUP BY read.
        var read = cond?.referencedColumns ?? []
        for g in groups { read.formUnion(g.referencedColumns) }
        var rename: [ColumnID: ColumnID] = [:]
        func addKeys(_ side: inout Side) {
            for c in side.plan.columns where read.contains(c.id) {
                let id = ColumnID.fresh()
                side.keys.append((c, id))
                rename[c.id] = id
            }
        }
        addKeys(&left)
        addKeys(&right)

        // Each aggregate becomes a partial on its side and a final over the joined groups.
        var finals = Finals()
        for (call, output) in zip(aggs, outputs.suffix(aggs.count)) {
            guard call.filter == nil, !call.distinct, call.ordering.isEmpty else { return nil }
            let reads = call.arguments.reduce(into: Set<ColumnID>()) { $0.formUnion($1.referencedColumns) }
            let onLeft = !reads.isEmpty && reads.isSubset(of: left.ids)
            let onRight = !reads.isEmpty && reads.isSubset(of: right.ids)
            func weighted(_ value: BoundExpr, by count: PlanColumn, scale: Int) -> AggregateCall {
                let type = DataType.decimal(precision: 38, scale: scale)
                let product = BoundExpr(.arithmetic(.multiply, BoundExpr(.cast(value), type: type),
                                                    BoundExpr(.cast(count.ref), type: .decimal(precision: 38, scale: 0))),
                                        type: type)
                return AggregateCall(function: .sum, arguments: [product], resultType: type)
            }
            let final: AggregateCall
            switch call.function {
            case .countStar:
                let pairs = BoundExpr(.arithmetic(.multiply, left.count.ref, right.count.ref), type: .bigint)
                final = AggregateCall(function: .sum, arguments: [pairs], resultType: .decimal(precision: 38, scale: 0))
            case .count, .sum:
                guard onLeft || onRight else { return nil }
                if call.function == .sum, !call.resultType.isNumeric || call.resultType == .double { return nil }
                let partial = onLeft ? left.partial(call, output.name) : right.partial(call, output.name)
                final = weighted(partial, by: onLeft ? right.count : left.count, scale: call.resultType.decimalScale)
            case .min, .max, .boolAnd, .boolOr:
                guard onLeft || onRight else { return nil }
                let partial = onLeft ? left.partial(call, output.name) : right.partial(call, output.name)
                final = AggregateCall(function: call.function, arguments: [partial], resultType: call.resultType)
            case .avg, .single, .stringAgg:
                return nil
            }
            finals.add(final, for: call, named: output.name)
        }

        let join = LogicalPlan.join(left.preAggregate, right.preAggregate, kind, cond?.renamingColumns(rename))
        return finals.plan(over: join, groups: groups, rename: rename, outputs: outputs)
    }

    /// The aggregates over the joined groups, and the expressions that turn them back into the
    /// original aggregate's outputs (shared with `EagerGroupBy`).
    struct Finals {
        var calls: [AggregateCall] = []
        var columns: [PlanColumn] = []
        var results: [BoundExpr] = []

        /// Adds `final`, which replaces `call`: its result cast back to the call's type, and a
        /// count over no rows 0, where the sum of counts is NULL.
        mutating func add(_ final: AggregateCall, for call: AggregateCall, named name: String) {
            let column = PlanColumn.fresh(name, final.resultType)
            calls.append(final)
            columns.append(column)
            var result = column.ref
            if final.resultType != call.resultType { result = BoundExpr(.cast(result), type: call.resultType) }
            if call.function == .count || call.function == .countStar {
                result = BoundExpr(.function("coalesce", [result, .literal(.int(0), .bigint)]), type: .bigint)
            }
            results.append(result)
        }

        /// The final aggregate over `join`, grouped as the original (columns renamed by
        /// `rename`), projected to the original `outputs`.
        func plan(over join: LogicalPlan, groups: [BoundExpr], rename: [ColumnID: ColumnID], outputs: [PlanColumn]) -> LogicalPlan {
            let groupColumns = outputs.prefix(groups.count).map { PlanColumn.fresh($0.name, $0.type, nullable: $0.nullable) }
            let aggregate = LogicalPlan.aggregate(join, groups: groups.map { $0.renamingColumns(rename) }, aggregates: calls,
                                                  groupColumns + columns)
            return .project(aggregate, groupColumns.map(\.ref) + results, outputs)
        }
    }
}
