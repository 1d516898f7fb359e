import MeshCore

/// Row-count estimates for join ordering, from the sources' table sizes and fixed
/// selectivities for predicates (PostgreSQL's defaults where it has them).
public struct CardinalityEstimator: Sendable {
    /// Rows of each product's table, by `ProductScan.statisticsKey`.
    public var tableRows: [String: Double]
    /// Pages each table fills, by `ProductScan.statisticsKey`, where its source counts them.
    public var tablePages: [String: Double] = [:]
    /// Distinct values of a column, by `ProductScan.statisticsKey` + U+0001 + column name.
    public var columnDistinct: [String: Double]
    /// For a table the source gave no size for.
    public static let unknownTableRows: Double = 1000
    /// Rows of each shared definition (`LogicalPlan.shared`), by id: what its readers read.
    public var sharedRows: [Int: Double] = [:]

    /// This estimator knowing the rows of `plan`'s shared definitions (when it has any).
    public func knowingShared(_ plan: LogicalPlan) -> CardinalityEstimator {
        guard case .shared(let defs, _) = plan else { return self }
        var out = self
        // In order: a definition may read those before it.
        for d in defs { out.sharedRows[d.id] = out.estimate(d.plan) }
        return out
    }

    public init(tableRows: [String: Double], columnDistinct: [String: Double] = [:]) {
        self.tableRows = tableRows
        self.columnDistinct = columnDistinct
    }

    public func rows(of scan: ProductScan) -> Double {
        tableRows[scan.statisticsKey] ?? Self.unknownTableRows
    }

    /// What the estimates of a plan's parents need of it, computed once per node (bottom up):
    /// asking a parent's estimate used to walk each subtree again for every node above it, so
    /// a plan of a few thousand nodes (views over views) took minutes to order.
    struct Summary {
        /// Estimated output rows.
        var rows: Double
        /// The unfiltered table size behind each output column (computed columns count as a
        /// table of the plan's own estimate).
        var bases: [ColumnID: Double]
        /// The distinct counts the sources gave for the columns passed through unchanged.
        var distinct: [ColumnID: Double]
    }

    /// Estimated output rows of a plan.
    public func estimate(_ plan: LogicalPlan) -> Double { summary(plan).rows }

    func summary(_ plan: LogicalPlan) -> Summary {
        /// Every output column counted as a table of `rows` rows, no distinct counts.
        func computed(_ rows: Double) -> Summary {
            Summary(rows: rows, bases: Dictionary(plan.columns.map { ($0.id, rows) }) { a, _ in a }, distinct: [:])
        }
        switch plan {
        case .scan(let s):
            let n = rows(of: s)
            var distinct: [ColumnID: Double] = [:]
            for (id, column) in zip(s.columnIDs, s.remoteColumns) {
                if let d = columnDistinct[s.statisticsKey + "\u{1}" + column] { distinct[id] = d }
            }
            return Summary(rows: n, bases: Dictionary(s.columnIDs.map { ($0, n) }) { a, _ in a }, distinct: distinct)
        case .singleRow: return computed(1)
        case .values(let v): return computed(Double(max(1, v.rows.count)))
        case .remote: return computed(Self.unknownTableRows)
        case .sharedScan(let s): return computed(sharedRows[s.id] ?? Self.unknownTableRows)
        case .shared(_, let body): return summary(body)
        case .filter(let c, let p):
            var out = summary(c)
            out.rows = max(1, out.rows * selectivity(p, distinct: out.distinct))
            return out
        case .sort(let c, _), .guarded(let c, _):
            return summary(c)
        case .window(let c, _, _):
            return computed(summary(c).rows)
        case .project(let c, let exprs, let cols):
            let inner = summary(c)
            var out = Summary(rows: inner.rows, bases: [:], distinct: [:])
            for (e, col) in zip(exprs, cols) {
                if case .column(let id) = e.kind {
                    out.bases[col.id] = inner.bases[id] ?? inner.rows
                    if let d = inner.distinct[id] { out.distinct[col.id] = d }
                } else {
                    out.bases[col.id] = inner.rows
                }
            }
            return out
        case .limit(let c, let limit, _):
            var out = summary(c)
            out.rows = min(out.rows, Double(limit ?? Int.max))
            return out
        case .distinct(let c):
            var out = summary(c)
            out.rows = max(1, out.rows * 0.5)
            return out
        case .aggregate(let c, let groups, _, _):
            if groups.isEmpty { return computed(1) }
            let input = summary(c)
            // Groups: the product of the keys' distinct counts where the sources gave them
            // all, else a tenth of the rows; never more than the rows.
            guard let product = knownGroups(groups, distinct: input.distinct) else { return computed(max(1, input.rows * 0.1)) }
            return computed(max(1, min(input.rows, product)))
        case .unionAll(let cs, _):
            return computed(cs.reduce(0) { $0 + summary($1).rows })
        case .join(let l, let r, let kind, let cond):
            let left = summary(l), right = summary(r)
            let bases = left.bases.merging(right.bases) { a, _ in a }
            let distinct = left.distinct.merging(right.distinct) { a, _ in a }
            let lr = left.rows, rr = right.rows
            let rows: Double
            switch kind {
            case .semi, .nullAwareAnti, .anti:
                // The share of the right side's key values left after its filters decides how
                // many left rows find a match.
                let kept = keptShare(cond, rightIDs: r.columns.idSet, right)
                rows = max(1, lr * (kind == .semi ? kept : 1 - kept * 0.9))
            case .mark: rows = lr
            case .cross: rows = lr * rr
            case .inner, .left, .right, .full:
                let inner = max(1, lr * rr * joinSelectivity(cond, bases: bases, distinct: distinct))
                switch kind {
                case .left: rows = max(inner, lr)
                case .right: rows = max(inner, rr)
                case .full: rows = max(inner, lr + rr)
                default: rows = inner
                }
            }
            return Summary(rows: rows, bases: bases, distinct: distinct)
        }
    }

    /// For a semi or anti join: the fraction of the right input's table its filters keep,
    /// judged on the first key column the condition compares; one half when unknown.
    func keptShare(_ cond: BoundExpr?, rightIDs: Set<ColumnID>, _ right: Summary) -> Double {
        for c in cond?.conjuncts ?? [] {
            guard case .comparison(.equal, let a, let b) = c.kind else { continue }
            for side in [a, b] {
                if case .column(let id) = side.kind, rightIDs.contains(id), let base = right.bases[id], base > 0 {
                    return min(1, right.rows / base)
                }
            }
        }
        return 0.5
    }

    /// The fraction of rows a predicate keeps. A column compared with constants keeps one
    /// value in as many as the source counted distinct values (`distinct`), where it gave
    /// them; otherwise PostgreSQL's default guesses apply.
    public func selectivity(_ e: BoundExpr, distinct: [ColumnID: Double] = [:]) -> Double {
        /// The distinct count of a lone column compared with constants.
        func values(_ a: BoundExpr, _ others: [BoundExpr]) -> Double? {
            guard case .column(let id) = a.kind, others.allSatisfy({ $0.referencedColumns.isEmpty }),
                  let d = distinct[id], d >= 1 else { return nil }
            return d
        }
        switch e.kind {
        case .and(let a, let b): return selectivity(a, distinct: distinct) * selectivity(b, distinct: distinct)
        case .or(let a, let b):
            let x = selectivity(a, distinct: distinct), y = selectivity(b, distinct: distinct)
            return min(1, x + y - x * y)
        case .not(let a): return 1 - selectivity(a, distinct: distinct)
        case .comparison(let op, let a, let b):
            let d = values(a, [b]) ?? values(b, [a])
            switch op {
            case .equal: return d.map { 1 / $0 } ?? 0.005
            case .notEqual: return d.map { 1 - 1 / $0 } ?? 0.995
            default: return 1.0 / 3.0
            }
        case .inList(let x, let items, let negated):
            let s = values(x, items).map { min(1, Double(items.count) / $0) } ?? min(0.5, 0.005 * Double(items.count))
            return negated ? 1 - s : s
        case .like(_, _, _, _, let negated): return negated ? 0.9 : 0.1
        case .isNull(_, let negated): return negated ? 0.995 : 0.005
        case .literal(.bool(true)): return 1
        case .literal(.bool(false)), .literal(.null): return 0
        default: return 0.5
        }
    }

    /// Selectivity of a join condition between two inputs: an equality of columns is taken as
    /// a key / foreign-key match (the smaller table holding the key), so a join keeps about
    /// as many rows as the foreign-key side; other conjuncts keep a third each.
    func joinSelectivity(_ cond: BoundExpr?, bases: [ColumnID: Double], distinct: [ColumnID: Double]) -> Double {
        guard let cond else { return 1 }
        var best = 1.0
        var others = 1.0
        for c in cond.conjuncts {
            if let s = equalitySelectivity(c, bases, distinct) { best = min(best, s) } else { others *= selectivity(c) }
        }
        return best * max(others, 1e-3)
    }

    /// `a = b` over two columns: one over the larger of their distinct counts (the classic
    /// estimate). A count the source did not give is taken as that of a key of the smaller
    /// table (a foreign key joining its primary key keeps the foreign-key side's rows).
    func equalitySelectivity(_ c: BoundExpr, _ bases: [ColumnID: Double], _ distinct: [ColumnID: Double]) -> Double? {
        equalitySelectivity(c, base: { bases[$0] }, distinct: { distinct[$0] })
    }

    func equalitySelectivity(_ c: BoundExpr, base: (ColumnID) -> Double?, distinct: (ColumnID) -> Double?) -> Double? {
        guard case .comparison(.equal, let a, let b) = c.kind else { return nil }
        let ra = a.referencedColumns, rb = b.referencedColumns
        guard ra.count == 1, rb.count == 1, let x = base(ra.first!), let y = base(rb.first!) else { return nil }
        let smaller = min(x, y)
        let da = distinct(ra.first!) ?? smaller, db = distinct(rb.first!) ?? smaller
        return 1 / max(1, da, db)
    }

    /// The distinct counts the sources gave for the columns a plan passes through unchanged.
    /// The product of the distinct counts of `keys` (columns of `input`), or nil unless the
    /// sources counted them all: what grouping `input` by them yields at most.
    public func knownGroups(_ keys: [BoundExpr], of input: LogicalPlan) -> Double? {
        knownGroups(keys, distinct: distinctValues(input))
    }

    func knownGroups(_ keys: [BoundExpr], distinct: [ColumnID: Double]) -> Double? {
        var product = 1.0
        for k in keys {
            guard case .column(let id) = k.kind, let d = distinct[id] else { return nil }
            product *= d
        }
        return product
    }

    public func distinctValues(_ plan: LogicalPlan) -> [ColumnID: Double] { summary(plan).distinct }

    /// The unfiltered table size behind each column a plan outputs (columns computed above a
    /// scan count as a table of the plan's own estimate).
    public func baseRows(_ plan: LogicalPlan) -> [ColumnID: Double] { summary(plan).bases }
}

extension ProductScan {
    /// Identifies the table at its source, for statistics.
    public var statisticsKey: String { [connectorID, remoteSchema ?? "", remoteTable].joined(separator: "\u{1}") }
}
