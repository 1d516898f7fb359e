import MeshCore

/// Orders each region of inner joins from estimated row counts, never with a cross product
/// while the join graph is connected, and hashes the smaller side.
///
/// A region is a tree of inner/cross joins (and the filters between them); its leaves are
/// the relations (scans, or anything else, ordered inside on their own). The conditions are
/// split into conjuncts; column equalities are merged into equivalence classes, so
/// `a = b AND b = c` also joins a with c. Then, greedily (GOO), the connected pair whose join
/// is estimated cheapest is joined, a join inside one source counting a tenth of its rows
/// (it goes down to the source, and only its result travels); only when nothing is connected
/// any more do the two smallest parts meet in a cross product, so no source gets one while
/// the graph is connected. A very selective relation of another source still goes first
/// (TPC-H q17: the few parts, then their line items, with a dynamic filter). Each conjunct is
/// applied at the first join that has all its columns.
public struct JoinReorder: OptimizerRule {
    public let name = "join_order"
    let estimator: CardinalityEstimator

    public init(estimator: CardinalityEstimator) {
        self.estimator = estimator
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { reorder($0, orderMatters: true) }
    }

    func reorder(_ plan: LogicalPlan, orderMatters: Bool) -> LogicalPlan {
        if isRegion(plan) {
            var relations: [LogicalPlan] = []
            var conjuncts: [BoundExpr] = []
            flatten(plan, &relations, &conjuncts)
            if relations.count > 2 || relations.count == 2 {
                let ordered = order(relations, conjuncts)
                guard orderMatters, ordered.columns.ids != plan.columns.ids else { return ordered }
                // Parent reads positions (a set operation, the query's result): same order.
                return .project(ordered, plan.columns.map(\.ref), plan.columns)
            }
        }
        if case .join(let l, let r, let kind, let cond) = plan, kind == .left || kind == .right {
            // The hash join builds its right input, preserved side or not: put the smaller
            // input there, turning LEFT into RIGHT or back.
            let left = reorder(l, orderMatters: false), right = reorder(r, orderMatters: false)
            let swapped: LogicalPlan
            if estimator.estimate(right) > 2 * estimator.estimate(left) {
                swapped = .join(right, left, kind == .left ? .right : .left, cond)
            } else {
                return .join(left, right, kind, cond)
            }
            guard orderMatters else { return swapped }
            return .project(swapped, plan.columns.map(\.ref), plan.columns)
        }
        let childOrderMatters: Bool
        switch plan {
        case .unionAll, .distinct: childOrderMatters = true
        // The query under its shared definitions is the statement's result.
        case .limit, .filter, .sort, .shared: childOrderMatters = orderMatters
        default: childOrderMatters = false
        }
        return plan.children.isEmpty ? plan : plan.withChildren(plan.children.map { reorder($0, orderMatters: childOrderMatters) })
    }

    func isRegion(_ plan: LogicalPlan) -> Bool {
        switch plan {
        case .join(_, _, .inner, _), .join(_, _, .cross, _): true
        case .filter(let c, _): isRegion(c)
        default: false
        }
    }

    func flatten(_ plan: LogicalPlan, _ relations: inout [LogicalPlan], _ conjuncts: inout [BoundExpr]) {
        switch plan {
        case .join(let l, let r, .inner, let cond), .join(let l, let r, .cross, let cond):
            flatten(l, &relations, &conjuncts)
            flatten(r, &relations, &conjuncts)
            conjuncts += cond?.conjuncts ?? []
        case .filter(let c, let p) where isRegion(c):
            flatten(c, &relations, &conjuncts)
            conjuncts += p.conjuncts
        default:
            relations.append(reorder(plan, orderMatters: false))
        }
    }

    /// A partial join: its plan, which relations it holds, its estimated rows, and what the
    /// estimates of joins with it need (kept here so the search costs no tree walks).
    struct Unit {
        var plan: LogicalPlan
        var relations: Set<Int>
        var rows: Double
        /// The one source all its scans read, if any.
        var source: String?
        var bases: [ColumnID: Double]
        var distinct: [ColumnID: Double]
        /// For each equivalence class it has a column of: that column.
        var classMember: [Int: ColumnID]
    }

    func order(_ relations: [LogicalPlan], _ conjuncts: [BoundExpr]) -> LogicalPlan {
        let owner = Dictionary(uniqueKeysWithValues: relations.enumerated().flatMap { i, r in r.columns.ids.map { ($0, i) } })
        func rels(_ e: BoundExpr) -> Set<Int> { Set(e.referencedColumns.compactMap { owner[$0] }) }

        // Column equalities become classes; everything else stays a conjunct to place.
        var union = EquivalenceClasses()
        var pending: [BoundExpr] = []
        var types: [ColumnID: DataType] = [:]
        for r in relations { for c in r.columns { types[c.id] = c.type } }
        var constants: [BoundExpr] = []
        for c in conjuncts {
            if let (x, y) = c.columnEquality, types[x] == types[y], let ox = owner[x], let oy = owner[y], ox != oy {
                union.union(x, y)
            } else if rels(c).isEmpty {
                constants.append(c)
            } else {
                pending.append(c)
            }
        }
        let classes = union.classes
        var classOf: [ColumnID: Int] = [:]
        for (k, members) in classes.enumerated() { for m in members { classOf[m] = k } }
        let pendingRels = pending.map(rels)

        var units = relations.enumerated().map { i, r -> Unit in
            // A unit stands for each class by one column; two columns of one relation in a
            // class must be equal to each other right there.
            var members: [Int: ColumnID] = [:]
            var sameRelation: [BoundExpr] = []
            for id in r.columns.ids {
                guard let k = classOf[id] else { continue }
                if let first = members[k] {
                    sameRelation.append(BoundExpr(.comparison(.equal, BoundExpr(.column(first), type: types[first]!),
                                                              BoundExpr(.column(id), type: types[id]!)), type: .boolean))
                } else {
                    members[k] = id
                }
            }
            let plan = LogicalPlan.filtered(r, sameRelation)
            // One walk of the relation for all three figures (each walks it whole).
            let summary = estimator.summary(r)
            return Unit(plan: plan, relations: [i], rows: sameRelation.isEmpty ? summary.rows : estimator.estimate(plan),
                        source: r.onlySource, bases: summary.bases, distinct: summary.distinct, classMember: members)
        }
        var placed = Set<Int>()  // indices into pending

        /// The conditions joining two units: pending conjuncts now covered, and one equality
        /// per class with members on both sides.
        func conditions(_ a: Unit, _ b: Unit) -> (conds: [BoundExpr], used: [Int]) {
            var conds: [BoundExpr] = []
            var used: [Int] = []
            for (i, c) in pending.enumerated() where !placed.contains(i) {
                let r = pendingRels[i]
                if !r.isDisjoint(with: a.relations), !r.isDisjoint(with: b.relations),
                   r.isSubset(of: a.relations.union(b.relations)) {
                    conds.append(c)
                    used.append(i)
                }
            }
            for (k, x) in a.classMember.sorted(by: { $0.key < $1.key }) {
                guard let y = b.classMember[k] else { continue }
                conds.append(BoundExpr(.comparison(.equal, BoundExpr(.column(x), type: types[x]!),
                                                   BoundExpr(.column(y), type: types[y]!)), type: .boolean))
            }
            return (conds, used)
        }

        /// Estimated rows of joining two units on `conds`.
        func joinRows(_ a: Unit, _ b: Unit, _ conds: [BoundExpr]) -> Double {
            var best = 1.0, others = 1.0
            for c in conds {
                if let s = estimator.equalitySelectivity(c, base: { a.bases[$0] ?? b.bases[$0] },
                                                         distinct: { a.distinct[$0] ?? b.distinct[$0] }) {
                    best = min(best, s)
                } else {
                    others *= estimator.selectivity(c)
                }
            }
            return max(1, a.rows * b.rows * best * max(others, 1e-3))
        }

        func merge(_ i: Int, _ j: Int) {
            let a = units[i], b = units[j]
            let (conds, used) = conditions(a, b)
            placed.formUnion(used)
            // The smaller side is the hash join's build side, the right input.
            let (left, right) = a.rows >= b.rows ? (a, b) : (b, a)
            let cond = BoundExpr.conjunction(conds)
            let plan = LogicalPlan.join(left.plan, right.plan, cond == nil ? .cross : .inner, cond)
            let merged = Unit(plan: plan, relations: a.relations.union(b.relations), rows: joinRows(a, b, conds),
                              source: a.source == b.source ? a.source : nil,
                              bases: a.bases.merging(b.bases) { x, _ in x },
                              distinct: a.distinct.merging(b.distinct) { x, _ in x },
                              classMember: a.classMember.merging(b.classMember) { x, _ in x })
            units.remove(at: max(i, j))
            units.remove(at: min(i, j))
            units.append(merged)
        }

        /// The connected pair whose join is estimated cheapest: its rows, a tenth of them when
        /// both sides are in one source (that join goes down, and only its result travels).
        func bestPair() -> (Int, Int)? {
            var best: (Int, Int, Double)?
            for i in units.indices {
                for j in units.indices where j > i {
                    let (conds, _) = conditions(units[i], units[j])
                    guard !conds.isEmpty else { continue }
                    let sameSource = units[i].source != nil && units[i].source == units[j].source
                    let cost = joinRows(units[i], units[j], conds) * (sameSource ? Self.sameSourceDiscount : 1)
                    if best == nil || cost < best!.2 { best = (i, j, cost) }
                }
            }
            return best.map { ($0.0, $0.1) }
        }

        while units.count > 1 {
            if let (i, j) = bestPair() {
                merge(i, j)
            } else {
                // Not connected: a cross product of the two smallest units.
                let sorted = units.indices.sorted { units[$0].rows < units[$1].rows }
                merge(sorted[0], sorted[1])
            }
        }
        let leftover = pending.indices.filter { !placed.contains($0) }.map { pending[$0] } + constants
        return .filtered(units[0].plan, leftover)
    }

    /// How much cheaper a join inside one source counts than one across sources.
    static let sameSourceDiscount = 0.1
}

/// Union-find over column ids.
struct EquivalenceClasses {
    private var parent: [ColumnID: ColumnID] = [:]
    private var order: [ColumnID] = []

    mutating func find(_ x: ColumnID) -> ColumnID {
        if parent[x] == nil { parent[x] = x; order.append(x) }
        var r = x
        while parent[r]! != r { r = parent[r]! }
        var y = x
        while parent[y]! != r { let next = parent[y]!; parent[y] = r; y = next }
        return r
    }

    mutating func union(_ a: ColumnID, _ b: ColumnID) {
        let ra = find(a), rb = find(b)
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }

    /// Each class's members, in the order they were first seen.
    var classes: [[ColumnID]] {
        var copy = self
        var groups: [ColumnID: [ColumnID]] = [:]
        var roots: [ColumnID] = []
        for x in order {
            let r = copy.find(x)
            if groups[r] == nil { roots.append(r) }
            groups[r, default: []].append(x)
        }
        return roots.map { groups[$0]! }
    }
}
