import MeshCore
import MeshDialect

/// Carves the plan into the largest subtrees that each run in one source and prints them as
/// SQL in that source's dialect. What a dialect can't evaluate exactly stays local, so a
/// query never fails because a piece could not be pushed.
public struct RemotePushdown: OptimizerRule {
    public let name = "remote_pushdown"
    /// Dialect of each connector id in the plan.
    let dialects: [String: any SQLDialect]
    /// Off: only scans (with their columns) go to the sources; everything else runs locally.
    /// The golden tests run both ways and must agree.
    let enabled: Bool

    /// Estimates each fragment's rows, which tells a source how to run it.
    let estimator: CardinalityEstimator?

    public init(dialects: [String: any SQLDialect], enabled: Bool = true, estimator: CardinalityEstimator? = nil) {
        self.dialects = dialects
        self.enabled = enabled
        self.estimator = estimator
    }

    struct Remote {
        var connectorID: String
        var connectorName: String
        var block: SQLBlock
        var params: SQLParameters
        /// The block's output, in the order of `block.outputs`.
        var columns: [PlanColumn]
        var products: [String]
        /// The subtree this block stands for, estimated once the block is final.
        var subtree: LogicalPlan? = nil
        /// Policy statements applied inside, for EXPLAIN.
        var policyIDs: [String] = []
        /// Outputs computed by a mask that can fail: a condition over them needs a fence.
        var unsafeColumns: Set<ColumnID> = []
        /// Pages of the table a block made from a scan reads, where known (see `rowRanges`).
        var tablePages: Double? = nil
        /// The columns whose SQL is a constant (see `SQLBlock.constantOutputs`).
        var constantColumns: Set<ColumnID> { Set(block.constantOutputs.map { columns[$0].id }) }

        /// Whether `e`, printed over this block, is a constant.
        func isConstant(_ e: BoundExpr) -> Bool {
            e.isDeterministic && e.referencedColumns.isSubset(of: constantColumns)
        }

        /// The positions of `exprs` that are constants over this block.
        func constantPositions(_ exprs: [BoundExpr]) -> Set<Int> {
            Set(exprs.indices.filter { isConstant(exprs[$0]) })
        }

        /// Whether a condition may join this block's WHERE or ON without a fence first.
        func admits(_ conditions: [BoundExpr]) -> Bool {
            guard block.guarded else { return true }
            return conditions.allSatisfy { $0.isLeakproof && $0.referencedColumns.isDisjoint(with: unsafeColumns) }
        }

        /// Outputs of a guarded block computed by an expression that can fail (or that read
        /// such an output): printed into a condition, their SQL would sit beside the policy
        /// filter, so conditions over them need a fence too.
        mutating func markUnsafeOutputs(_ exprs: [BoundExpr], _ outputs: [PlanColumn]) {
            guard block.guarded else { return }
            let before = unsafeColumns
            unsafeColumns = []
            for (e, c) in zip(exprs, outputs) where !e.isLeakproof || !e.referencedColumns.isDisjoint(with: before) {
                unsafeColumns.insert(c.id)
            }
        }

        /// The block behind a fence (see `SQLBlock.fenced`), when `conditions` need one; false
        /// when they need one and the source has none (they then stay in meshql).
        mutating func fence(for conditions: [BoundExpr], _ aliases: Aliases, _ d: any SQLDialect) -> Bool {
            guard !admits(conditions) else { return true }
            guard let fenced = block.fenced(aliases.make(), d) else { return false }
            block = fenced
            unsafeColumns = []
            return true
        }

        /// The SQL of each output column, for printing expressions over this block.
        var inputs: [ColumnID: SQLText] { Dictionary(uniqueKeysWithValues: zip(columns.ids, block.outputs)) }
    }

    enum Carved {
        case remote(Remote)
        case local(LogicalPlan)
    }

    final class Aliases {
        var next = 0
        func make() -> String { defer { next += 1 }; return "s\(next)" }
        /// Aggregates that occur more than once in the plan (see `repeatedAggregates`).
        var repeated: Set<LogicalPlan> = []
        /// Each scanned column's plain reference, by its `tableColumn` SQL where they differ.
        var plainColumns: [SQLText: SQLText] = [:]
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        let aliases = Aliases()
        if enabled { aliases.repeated = repeatedAggregates(plan) }
        let all = plan.columns.idSet
        return (finalize(carve(plan, aliases, all), all), true)
    }

    /// Aggregates over one source that the plan holds more than once, up to column ids: a CTE
    /// referenced twice (TPC-H q15's `revenue`, joined with its own maximum). Each copy
    /// becomes a fragment of its own, printed alike, which the executor runs once for both;
    /// folded into a larger query, the source would compute it twice.
    func repeatedAggregates(_ plan: LogicalPlan) -> Set<LogicalPlan> {
        var counts: [LogicalPlan: Int] = [:]
        plan.visit { node in
            guard case .aggregate = node else { return }
            guard let source = node.onlySource, dialects[source] != nil else { return }
            counts[node.canonicalColumnIDs(), default: 0] += 1
        }
        return Set(counts.filter { $0.value > 1 }.keys)
    }

    /// The plan for a carved subtree. A remote one becomes its fragment, selecting only the
    /// `required` columns: a column that only a pushed-down filter or join reads stays at the
    /// source. (Not under DISTINCT, where every selected column counts.)
    /// - Parameter inParallel: the fragment feeds a join or an aggregate, which needs its rows
    ///   in no order, so a big read of one table may be cut into row ranges read at once.
    func finalize(_ c: Carved, _ required: Set<ColumnID>, inParallel: Bool = false) -> LogicalPlan {
        switch c {
        case .local(let p): return p
        case .remote(var r):
            let dialect = dialects[r.connectorID]!
            if !r.block.distinct {
                var keep = r.columns.indices.filter { required.contains(r.columns[$0].id) }
                if keep.isEmpty { keep = [0] }
                if keep.count < r.columns.count {
                    r.block.outputs = keep.map { r.block.outputs[$0] }
                    r.block.constantOutputs = Set(keep.indices.filter { r.block.constantOutputs.contains(keep[$0]) })
                    r.columns = keep.map { r.columns[$0] }
                }
            }
            r.dropUnusedParameters(dialect)
            let rows = r.subtree.flatMap { s in estimator?.estimate(s) }
            var fragment = RemoteFragment(connectorID: r.connectorID, connectorName: r.connectorName,
                                          dialectName: dialect.name, text: r.block.render(dialect), dialect: dialect,
                                          parameters: r.params.values, columns: r.columns, products: r.products,
                                          estimatedRows: rows, policyIDs: r.policyIDs)
            if inParallel, let ranged = rangedRead(r, rows: rows) {
                fragment.rangeSQL = ranged.sql
                fragment.ranges = ranged.ranges
            }
            return .remote(fragment)
        }
    }

    /// - Parameter required: the columns of this node's output that its parent reads.
    func carve(_ plan: LogicalPlan, _ aliases: Aliases, _ required: Set<ColumnID>) -> Carved {
        if !aliases.repeated.isEmpty, case .aggregate = plan, aliases.repeated.contains(plan.canonicalColumnIDs()) {
            // Printed with aliases of its own and every column, so each copy's SQL is the
            // same; local, so nothing above folds it into a larger query. Shared only when the
            // grouping went down: then the rows are its groups, few enough to keep for the
            // other readers (a table under a local aggregate is read once per copy).
            let all = plan.columns.idSet
            let carved = carve(plan, Aliases(), all)
            guard case .remote(var fragment) = finalize(carved, all) else { return .local(finalize(carved, all)) }
            fragment.shared = true
            return .local(.remote(fragment))
        }
        let carved = carveNode(plan, aliases, required)
        guard estimator != nil, case .remote(var r) = carved else { return carved }
        r.subtree = plan
        return .remote(r)
    }

    func carveNode(_ plan: LogicalPlan, _ aliases: Aliases, _ required: Set<ColumnID>) -> Carved {
        switch plan {
        case .scan(let s):
            guard let dialect = dialects[s.connectorID] else { return .local(plan) }
            let alias = aliases.make()
            let table = (s.remoteSchema.map { dialect.quoteIdentifier($0) + "." } ?? "") + dialect.quoteIdentifier(s.remoteTable)
            let q = dialect.quoteIdentifier(alias)
            let outputs = s.fields.indices.map { i in
                dialect.tableColumn(q, s.remoteColumns[i], type: s.fields[i].type, nativeType: s.nativeTypes.isEmpty ? nil : s.nativeTypes[i])
            }
            var block = SQLBlock(from: "\(table) AS \(q)", outputs: outputs)
            for (column, output) in zip(s.remoteColumns, block.outputs) {
                let plain = SQLText(q + "." + dialect.quoteIdentifier(column))
                if output != plain { aliases.plainColumns[output] = plain }
            }
            block.tableAlias = q
            return .remote(Remote(connectorID: s.connectorID, connectorName: s.connectorName, block: block,
                                  params: SQLParameters(), columns: s.columns, products: [s.productName],
                                  tablePages: estimator?.tablePages[s.statisticsKey]))

        case .singleRow, .values, .remote, .sharedScan:
            return .local(plan)

        case .shared(let defs, let body):
            // Each definition goes to its sources on its own, with every column (its readers
            // may read any); the query reads it here.
            let planned = defs.map { d -> SharedDefinition in
                var d = d
                let all = d.plan.columns.idSet
                d.plan = finalize(carve(d.plan, aliases, all), all)
                return d
            }
            return .local(.shared(planned, finalize(carve(body, aliases, required), required)))

        case .guarded(let child, let guardInfo):
            let c = carve(child, aliases, required)
            guard enabled, case .remote(var r) = c else { return .local(.guarded(finalize(c, required), guardInfo)) }
            r.block.guarded = true
            r.policyIDs += guardInfo.policyIDs
            r.unsafeColumns.formUnion(guardInfo.unsafeColumns)
            return .remote(r)

        case .unionAll(let children, let columns):
            return .local(.unionAll(children.map { c in
                let all = c.columns.idSet
                return finalize(carve(c, aliases, all), all)
            }, columns))

        case .join(let l, let r, let kind, let cond):
            let needed = required.union(cond?.referencedColumns ?? [])
            let lc = carve(l, aliases, needed), rc = carve(r, aliases, needed)
            if enabled, case .remote(let a) = lc, case .remote(let b) = rc, a.connectorID == b.connectorID {
                if let merged = join(a, b, kind, cond, aliases) { return .remote(merged) }
                // An inner join whose condition the source can partly evaluate goes down on
                // that part; the rest filters its rows here.
                if kind == .inner, let cond {
                    let inputs = a.inputs.merging(b.inputs) { x, _ in x }
                    let (pushable, residual) = splitPrintable(cond.conjuncts, dialects[a.connectorID]!, inputs, a.params)
                    if !pushable.isEmpty, !residual.isEmpty, let rest = BoundExpr.conjunction(residual),
                       var merged = join(a, b, kind, BoundExpr.conjunction(pushable), aliases) {
                        if estimator != nil { merged.subtree = .join(l, r, kind, BoundExpr.conjunction(pushable)) }
                        let restNeeds = required.union(rest.referencedColumns)
                        return .local(.filter(finalize(.remote(merged), restNeeds), rest))
                    }
                }
            }
            return .local(.join(finalize(lc, needed, inParallel: true), finalize(rc, needed, inParallel: true), kind, cond))

        case .filter(let child, let pred):
            let needs = required.union(pred.referencedColumns)
            let c = carve(child, aliases, needs)
            guard enabled, case .remote(let r) = c else { return .local(.filter(finalize(c, needs), pred)) }
            // Each conjunct the source can evaluate goes down; the rest (the residual) runs
            // here over the fragment's rows, so one expression a dialect lacks does not keep
            // the whole filter, and every join and aggregate above it, local.
            let (pushable, residual) = splitPrintable(pred.conjuncts, r)
            guard !pushable.isEmpty, var folded = pushFilter(pushable, into: r, child, aliases) else {
                return .local(.filter(finalize(c, needs), pred))
            }
            guard let rest = BoundExpr.conjunction(residual) else { return .remote(folded) }
            if estimator != nil, let down = BoundExpr.conjunction(pushable) { folded.subtree = .filter(child, down) }
            let restNeeds = required.union(rest.referencedColumns)
            return .local(.filter(finalize(.remote(folded), restNeeds), rest))

        case .project(let child, let exprs, let columns):
            let needs = exprs.reduce(into: Set<ColumnID>()) { $0.formUnion($1.referencedColumns) }
            return unary(child, aliases, needs: needs, rebuild: { .project($0, exprs, columns) }) { r in
                var r = r
                let d = dialects[r.connectorID]!
                if r.block.distinct { r.block = r.block.wrapped(aliases.make(), d) }
                var params = r.params
                var outs: [SQLText] = []
                let inputs = r.inputs
                for e in exprs {
                    guard let s = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns).print(e, inputs, &params) else { return nil }
                    outs.append(s)
                }
                r.block.constantOutputs = r.constantPositions(exprs)
                r.block.outputs = outs
                r.block.outputsAreColumns = r.block.outputsAreColumns && exprs.allSatisfy(\.isColumnReference)
                r.params = params
                r.columns = columns
                r.markUnsafeOutputs(exprs, columns)
                return r
            }

        case .aggregate(let child, let groups, let aggs, let columns):
            var needs = groups.reduce(into: Set<ColumnID>()) { $0.formUnion($1.referencedColumns) }
            for a in aggs {
                for x in a.arguments { needs.formUnion(x.referencedColumns) }
                if let f = a.filter { needs.formUnion(f.referencedColumns) }
            }
            return unary(child, aliases, needs: needs, inParallel: true,
                         rebuild: { .aggregate($0, groups: groups, aggregates: aggs, columns) }) { r in
                var r = r
                let d = dialects[r.connectorID]!
                let inRanges = rangedRead(r, rows: r.subtree.flatMap { estimator?.estimate($0) }) != nil
                guard d.supports(.aggregation), !groupsBetterHere(plan, child, inputInRanges: inRanges) else { return nil }
                if !r.block.isPlain && !(r.block.groupBy == nil && r.block.limit == nil && r.block.offset == nil
                                         && !r.block.distinct && r.block.orderBy.isEmpty) {
                    r.block = r.block.wrapped(aliases.make(), d)
                }
                var params = r.params
                let printer = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns)
                let distinct = estimator?.distinctValues(child) ?? [:]
                let inputs = r.inputs
                var outs: [SQLText] = [], gs: [SQLText] = []
                for g in groups {
                    guard let s = printer.print(g, inputs, &params) else { return nil }
                    outs.append(s)
                    // A constant key does not split groups, and printed it could read as a
                    // position or be refused as a constant: it is left out.
                    if !r.isConstant(g) { gs.append(s) }
                }
                // Keys that are all constant still group: no input rows, no group (where no
                // keys at all make one row). A bound value groups as they do; a text one, since
                // MariaDB reads a bound integer there as a column position.
                if gs.isEmpty, !groups.isEmpty { gs = [params.bind(.string("k"), .text, d)] }
                for a in aggs {
                    guard let s = printer.print(a, inputs, &params) else { return nil }
                    outs.append(s)
                }
                r.block.constantOutputs = r.constantPositions(groups)
                r.block.groupBy = gs
                r.block.outputs = outs
                r.block.outputsAreColumns = false
                r.params = params
                r.columns = columns
                // A source may push a condition on a group key down into the WHERE.
                r.markUnsafeOutputs(groups, Array(columns.prefix(groups.count)))
                return r
            }

        case .sort(let child, let keys):
            let needs = keys.reduce(into: required) { $0.formUnion($1.expr.referencedColumns) }
            return unary(child, aliases, needs: needs, rebuild: { .sort($0, keys) }) { r in
                var r = r
                let d = dialects[r.connectorID]!
                guard d.supports(.orderBy) else { return nil }
                // Over DISTINCT, ORDER BY may use only selected expressions, and a byte-order
                // key (`x COLLATE "C"`) is not one: order the DISTINCT block from outside.
                if r.block.limit != nil || r.block.offset != nil || r.block.distinct { r.block = r.block.wrapped(aliases.make(), d) }
                var params = r.params
                var items: [SQLText] = []
                let inputs = r.inputs
                // A constant orders nothing, and printed it could read as a column position.
                for k in keys where !r.isConstant(k.expr) {
                    guard var s = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns).print(k.expr, inputs, &params) else { return nil }
                    // Text sorts in byte order here; sources sort by their collation unless told.
                    if k.expr.type.physical == .string {
                        guard let ordered = d.byteOrderedText(s) else { return nil }
                        s = ordered
                    }
                    guard let item = d.orderItem(s, descending: k.descending, nullsFirst: k.nullsFirst) else { return nil }
                    items.append(item)
                }
                r.block.orderBy = items
                r.params = params
                return r
            }

        case .limit(let child, let limit, let offset):
            return unary(child, aliases, needs: required, rebuild: { .limit($0, limit: limit, offset: offset) }) { r in
                var r = r
                let d = dialects[r.connectorID]!
                guard d.supports(.limit) else { return nil }
                // A LIMIT without an ORDER BY that went down would pick arbitrary rows twice over
                // if the sort stayed local; only push when the block's order is the query's.
                if r.block.limit != nil || r.block.offset != nil { r.block = r.block.wrapped(aliases.make(), d) }
                r.block.limit = limit.map { r.params.bind(.int(Int64($0)), .bigint, d) }
                r.block.offset = offset > 0 ? r.params.bind(.int(Int64(offset)), .bigint, d) : nil
                return r
            }

        case .window(let child, let calls, let columns):
            // Window functions run here.
            let needs = calls.reduce(into: required.intersection(child.columns.idSet)) { acc, c in
                for e in c.expressions { acc.formUnion(e.referencedColumns) }
            }
            return .local(.window(finalize(carve(child, aliases, needs), needs), calls, columns))

        case .distinct(let child):
            return unary(child, aliases, needs: child.columns.idSet, rebuild: { .distinct($0) }) { r in
                var r = r
                let d = dialects[r.connectorID]!
                guard d.supports(.distinct) else { return nil }
                if !r.block.orderBy.isEmpty || r.block.limit != nil || r.block.offset != nil || r.block.distinct {
                    r.block = r.block.wrapped(aliases.make(), d)
                }
                r.block.distinct = true
                return r
            }
        }
    }

    /// Splits conjuncts into those the block's dialect can print over its outputs and the rest.
    func splitPrintable(_ conjuncts: [BoundExpr], _ r: Remote) -> (pushable: [BoundExpr], residual: [BoundExpr]) {
        splitPrintable(conjuncts, dialects[r.connectorID]!, r.inputs, r.params)
    }

    func splitPrintable(_ conjuncts: [BoundExpr], _ d: any SQLDialect, _ inputs: [ColumnID: SQLText],
                        _ params: SQLParameters) -> (pushable: [BoundExpr], residual: [BoundExpr]) {
        // (Plain columns change what is printed, never whether it can be.)
        let printer = ExpressionSQL(dialect: d)
        var pushable: [BoundExpr] = [], residual: [BoundExpr] = []
        for c in conjuncts {
            var scratch = params
            if printer.print(c, inputs, &scratch) != nil { pushable.append(c) } else { residual.append(c) }
        }
        return (pushable, residual)
    }

    /// `r` with `conjuncts` added to its WHERE (or HAVING over a grouped block).
    func pushFilter(_ conjuncts: [BoundExpr], into r: Remote, _ child: LogicalPlan, _ aliases: Aliases) -> Remote? {
        var r = r
        let d = dialects[r.connectorID]!
        let printer = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns)
        // HAVING without GROUP BY (an aggregate of the whole input) is refused by SQLite before
        // 3.39: over such a block, the condition goes to the WHERE of a wrapping block.
        if let groups = r.block.groupBy, !groups.isEmpty, r.block.limit == nil, r.block.offset == nil, !r.block.distinct {
            var params = r.params
            for c in conjuncts {
                guard let s = printer.print(c, r.inputs, &params) else { return nil }
                r.block.having.append(s)
            }
            r.params = params
            return r
        }
        if r.block.limit != nil || r.block.offset != nil || r.block.distinct || r.block.groupBy != nil {
            r.block = r.block.wrapped(aliases.make(), d)
        }
        guard r.fence(for: conjuncts, aliases, d) else { return nil }
        var params = r.params
        let distinct = estimator?.distinctValues(child) ?? [:]
        let inputs = r.inputs
        // Each conjunct goes with the share of rows it is expected to keep, where the
        // source's planner would otherwise guess (see `SQLDialect.selectivityHint`).
        for c in conjuncts {
            guard let s = printer.print(c, inputs, &params) else { return nil }
            r.block.wheres.append(estimator.flatMap { d.selectivityHint(s, keeps: $0.selectivity(c, distinct: distinct)) } ?? s)
        }
        r.params = params
        return r
    }

    /// Whether an aggregate with many groups, each of few rows, runs better here than in its
    /// source: grouping hardly shrinks what crosses the wire, and a source's hash table of
    /// hundreds of thousands of groups spills (TPC-H q18's `GROUP BY l_orderkey HAVING …` over
    /// 6 M lineitems takes PostgreSQL 4.2 s; read and grouped here, 1.6 s). Fewer groups are
    /// enough when the input is read in row ranges at once (`inputInRanges`): PostgreSQL takes
    /// 0.73–0.81 s to group q13's 1.48 M order keys into 100 k counts, and 0.33–0.51 s to send
    /// the keys in two ranges. Decided from the source's distinct counts only: without them
    /// the aggregate goes down as always.
    func groupsBetterHere(_ aggregate: LogicalPlan, _ input: LogicalPlan, inputInRanges: Bool) -> Bool {
        guard let estimator, case .aggregate(_, let groups, _, _) = aggregate, !groups.isEmpty,
              let known = estimator.knownGroups(groups, of: input) else { return false }
        let rows = estimator.estimate(input), groupCount = max(1, min(rows, known))
        return (groupCount >= Self.manyGroups || inputInRanges) && rows < groupCount * Self.fewRowsPerGroup
    }

    /// Groups from which a source's grouping is judged by how much it shrinks the rows.
    static let manyGroups: Double = 250_000
    /// Rows per group below which grouping at the source does not pay for itself.
    static let fewRowsPerGroup: Double = 20

    /// Carves the child; if it is remote and `fold` can absorb this node, the result stays remote.
    /// - Parameter needs: the child's columns this node reads when it runs locally.
    /// - Parameter inParallel: the node reads its child's rows in no order (see `finalize`).
    func unary(_ child: LogicalPlan, _ aliases: Aliases, needs: Set<ColumnID>, inParallel: Bool = false,
               rebuild: (LogicalPlan) -> LogicalPlan, fold: (Remote) -> Remote?) -> Carved {
        let c = carve(child, aliases, needs)
        if enabled, case .remote(let r) = c, let folded = fold(r) { return .remote(folded) }
        return .local(rebuild(finalize(c, needs, inParallel: inParallel)))
    }

    func join(_ a: Remote, _ b: Remote, _ kind: PlanJoinKind, _ cond: BoundExpr?, _ aliases: Aliases) -> Remote? {
        let d = dialects[a.connectorID]!
        let feature: PushdownFeature? = switch kind {
        case .inner, .cross: .innerJoin
        // Printed as a LEFT JOIN, its sides swapped.
        case .left, .right: .leftJoin
        case .full: .fullJoin
        case .semi, .anti, .nullAwareAnti: .innerJoin
        case .mark: nil
        }
        guard feature != nil, a.products.count + b.products.count <= d.maxTablesPerStatement else { return nil }
        // A condition that could leak meets each side's rows only after its policy filter.
        var a = a, b = b
        let conditions = cond?.conjuncts ?? []
        guard a.fence(for: conditions, aliases, d), b.fence(for: conditions, aliases, d) else { return nil }
        if !kind.outputsRight { return subqueryFilter(a, b, kind, cond, aliases) }
        if let feature, !d.supports(feature) { return nil }
        // A side the join extends with NULLs keeps its computed outputs inside a subquery.
        let leftNulls = kind == .right || kind == .full, rightNulls = kind == .left || kind == .full
        // Where the source would merge such a subquery anyway, it is fenced.
        func side(_ block: SQLBlock, _ nullExtended: Bool) -> SQLBlock? {
            if block.joinsDirectly(nullExtended: nullExtended) { return block }
            guard nullExtended, !block.outputsAreColumns, d.fencesComputedOuterJoinSides else { return block.wrapped(aliases.make(), d) }
            return block.fenced(aliases.make(), d)
        }
        guard let left = side(a.block, leftNulls), let right = side(b.block, rightNulls) else { return nil }
        var params = a.params
        // The right side was printed with its own parameter numbers; shift them past the left's.
        var rightOutputs = right.outputs
        var rightFrom = right.from
        if !b.params.values.isEmpty {
            let shift = params.values.count
            rightFrom = rightFrom.shiftingParameters(by: shift)
            rightOutputs = rightOutputs.map { $0.shiftingParameters(by: shift) }
            params.append(contentsOf: b.params)
        }
        let columns = LogicalPlan.joinColumns(a.columns, b.columns, kind)
        let outputs = left.outputs + rightOutputs
        let inputs = Dictionary(uniqueKeysWithValues: zip(columns.ids, outputs))
        // A right side that is itself a join is parenthesised: `a JOIN b JOIN c ON x ON y`
        // is PostgreSQL's nesting, which SQLite does not parse.
        if right.fromIsJoin { rightFrom = "(\(rightFrom))" }
        let leftFrom = left.fromIsJoin ? "(\(left.from))" : left.from
        var joinSQL: SQLText
        if let cond {
            guard let c = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns).print(cond, inputs, &params) else { return nil }
            // The outputs name their columns, so the order of the FROM is free: a RIGHT JOIN
            // goes as a LEFT JOIN, which every source runs well (SQLite runs a RIGHT JOIN onto
            // a subquery by scanning the subquery once per row: 86 s at TPC-H SF 0.1).
            switch kind {
            case .inner, .cross: joinSQL = "\(left.from) JOIN \(rightFrom) ON \(c)"
            case .left: joinSQL = "\(left.from) LEFT JOIN \(rightFrom) ON \(c)"
            case .right: joinSQL = "\(rightFrom) LEFT JOIN \(leftFrom) ON \(c)"
            case .full: joinSQL = "\(left.from) FULL JOIN \(rightFrom) ON \(c)"
            case .semi, .anti, .nullAwareAnti, .mark: return nil
            }
        } else {
            guard kind == .cross || kind == .inner else { return nil }
            joinSQL = "\(left.from) CROSS JOIN \(rightFrom)"
        }
        var block = SQLBlock(from: joinSQL, outputs: outputs, fromIsJoin: true, guarded: left.guarded || right.guarded)
        block.outputsAreColumns = left.outputsAreColumns && right.outputsAreColumns
        // (A NULL-extended side has no constant outputs: it selects columns, or is wrapped.)
        block.constantOutputs = left.constantOutputs.union(right.constantOutputs.map { $0 + left.outputs.count })
        return Remote(connectorID: a.connectorID, connectorName: a.connectorName, block: block,
                      params: params, columns: columns, products: a.products + b.products,
                      policyIDs: a.policyIDs + b.policyIDs, unsafeColumns: a.unsafeColumns.union(b.unsafeColumns))
    }

    /// A semi or anti join inside one source, as the subquery it came from: the left block
    /// gains `WHERE [NOT] EXISTS (SELECT 1 FROM (right) WHERE cond)`, or for NOT IN
    /// `x NOT IN (SELECT y FROM (right))`, whose NULL rules are the null-aware anti join's.
    func subqueryFilter(_ a: Remote, _ b: Remote, _ kind: PlanJoinKind, _ cond: BoundExpr?, _ aliases: Aliases) -> Remote? {
        let d = dialects[a.connectorID]!
        var r = a
        if r.block.groupBy != nil || r.block.limit != nil || r.block.offset != nil || r.block.distinct
            || !r.block.orderBy.isEmpty {
            r.block = r.block.wrapped(aliases.make(), d)
        }
        let right = b.block.wrapped(aliases.make(), d)
        var params = r.params
        var rightFrom = right.from
        var rightOutputs = right.outputs
        if !b.params.values.isEmpty {
            let shift = params.values.count
            rightFrom = rightFrom.shiftingParameters(by: shift)
            rightOutputs = rightOutputs.map { $0.shiftingParameters(by: shift) }
            params.append(contentsOf: b.params)
        }
        let leftInputs = r.inputs
        let rightInputs = Dictionary(uniqueKeysWithValues: zip(b.columns.ids, rightOutputs))
        let both = leftInputs.merging(rightInputs) { x, _ in x }
        let printer = ExpressionSQL(dialect: d, plainColumns: aliases.plainColumns)
        let predicate: SQLText
        if !d.runsExistsAsJoin, kind == .semi || kind == .anti, let cond,
           let (l, rt) = Self.keyEquality(cond, Set(leftInputs.keys), Set(rightInputs.keys)),
           let ls = printer.print(l, leftInputs, &params), let rs = printer.print(rt, rightInputs, &params) {
            // EXISTS as IN; NOT EXISTS as NOT IN over the subquery's non-NULL keys, and a NULL
            // key matches nothing, so its row stays.
            predicate = kind == .semi
                ? "(\(ls) IN (SELECT \(rs) FROM \(rightFrom)))"
                : "(\(ls) IS NULL OR \(ls) NOT IN (SELECT \(rs) FROM \(rightFrom) WHERE \(rs) IS NOT NULL))"
        } else if kind == .nullAwareAnti {
            guard let cond, let (l, rt) = Self.keyEquality(cond, Set(leftInputs.keys), Set(rightInputs.keys)),
                  let ls = printer.print(l, leftInputs, &params), let rs = printer.print(rt, rightInputs, &params) else { return nil }
            predicate = "(\(ls) NOT IN (SELECT \(rs) FROM \(rightFrom)))"
        } else {
            var body: SQLText = "SELECT 1 FROM \(rightFrom)"
            if let cond {
                guard let c = printer.print(cond, both, &params) else { return nil }
                body.append(" WHERE \(c)")
            }
            predicate = "(\(kind == .anti ? "NOT " : "")EXISTS (\(body)))"
        }
        r.block.wheres.append(predicate)
        r.params = params
        r.products += b.products
        r.policyIDs += b.policyIDs
        return r
    }

    /// A condition that is one equality of a left expression and a right one: the two sides.
    static func keyEquality(_ cond: BoundExpr, _ left: Set<ColumnID>, _ right: Set<ColumnID>) -> (BoundExpr, BoundExpr)? {
        cond.equalitySides(left: left, right: right)
    }
}
