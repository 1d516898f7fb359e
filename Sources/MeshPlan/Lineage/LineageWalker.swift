/// Walks a bound plan bottom-up for `ColumnLineage`. Column ids are unique in a bound plan
/// (subqueries included), so one map from id to sources serves every level, and a correlated
/// subquery finds its outer columns there.
struct LineageWalker {
    /// A column's direct sources: how far each is from a plain copy, and whether a mask applied.
    typealias Sources = [ColumnLineage.Source: (subtype: ColumnLineage.Subtype, masked: Bool)]

    private(set) var direct: [ColumnID: Sources] = [:]
    private(set) var indirect = Set<ColumnLineage.Edge>()
    /// The scans (numbered as met) each column's value comes from: an equality in a WHERE
    /// between columns of different scans is a join.
    private var origins: [ColumnID: Set<Int>] = [:]
    private var scans = 0

    static func edges(_ s: Sources) -> [ColumnLineage.Edge] {
        s.map { ColumnLineage.Edge(source: $0.key, subtype: $0.value.subtype, masked: $0.value.masked) }.sorted()
    }

    mutating func visit(_ plan: LogicalPlan) {
        switch plan {
        case .scan(let s):
            scans += 1
            for (id, field) in zip(s.columnIDs, s.fields) {
                direct[id] = [ColumnLineage.Source(product: s.productName, column: field.name): (.identity, false)]
                origins[id] = [scans]
            }
        case .singleRow, .values, .remote:
            break
        case .shared(let defs, let body):
            // Definitions first (each reads only those before it): their references follow.
            for d in defs { visit(d.plan) }
            visit(body)
        case .sharedScan(let s):
            for (c, source) in zip(s.columns, s.sourceIDs) {
                direct[c.id] = direct[source]
                origins[c.id] = origins[source]
            }
        case .guarded(let child, let policy):
            // The binder's projection of the product's columns and masks over its row filter:
            // the filter is the policy's business, not the query's lineage; a masked column is
            // its product column read through the mask. (A view's columns go on to its bases.)
            guard let (body, exprs, columns) = policy.readByQuery(child) else { visit(child); return }
            visit(body)
            let byName = Dictionary(body.columns.map { ($0.name, $0.id) }) { a, _ in a }
            for (e, c) in zip(exprs, columns) {
                if policy.maskedColumns.contains(c.id) {
                    let raw = byName[c.name].flatMap { direct[$0] } ?? [:]
                    direct[c.id] = raw.mapValues { ($0.subtype, true) }
                } else {
                    direct[c.id] = sources(of: e)
                }
                origins[c.id] = byName[c.name].flatMap { origins[$0] } ?? []
            }
        case .filter(let child, let predicate):
            visit(child)
            for c in predicate.conjuncts { addIndirect(c, joins(c) ? .join : .filter) }
        case .project(let child, let exprs, let columns):
            visit(child)
            for (e, c) in zip(exprs, columns) {
                direct[c.id] = sources(of: e)
                origins[c.id] = origins(of: e)
            }
        case .join(let l, let r, let kind, let condition):
            visit(l)
            visit(r)
            if let condition {
                let read = sources(of: condition)
                addIndirect(read, .join)
                // A mark is TRUE where a row of the subquery matches: computed from both sides' keys.
                if case .mark(let mark, _) = kind { direct[mark.id] = read }
            }
        case .aggregate(let child, let groups, let aggregates, let columns):
            visit(child)
            for (g, c) in zip(groups, columns) {
                let read = sources(of: g)
                addIndirect(read, .groupBy)
                direct[c.id] = read
                origins[c.id] = origins(of: g)
            }
            for (a, c) in zip(aggregates, columns.dropFirst(groups.count)) {
                var s: Sources = [:]
                for x in a.arguments { merge(&s, sources(of: x)) }
                direct[c.id] = raised(s, to: .aggregation)
                if let f = a.filter { addIndirect(f, .filter) }
            }
        case .sort(let child, let keys):
            visit(child)
            for k in keys { addIndirect(k.expr, .sort) }
        case .limit(let child, _, _), .distinct(let child):
            visit(child)
        case .unionAll(let children, let columns):
            for c in children { visit(c) }
            for (i, column) in columns.enumerated() {
                var s: Sources = [:]
                var from = Set<Int>()
                for child in children where i < child.columns.count {
                    merge(&s, direct[child.columns[i].id] ?? [:])
                    from.formUnion(origins[child.columns[i].id] ?? [])
                }
                direct[column.id] = s
                origins[column.id] = from
            }
        case .window(let child, let calls, let columns):
            visit(child)
            for (w, c) in zip(calls, columns) {
                var s: Sources = [:]
                for x in w.arguments { merge(&s, sources(of: x)) }
                // lag and lead copy another row's value; the others aggregate a frame.
                let navigates = switch w.function {
                case .lag, .lead: true
                default: false
                }
                direct[c.id] = raised(s, to: navigates ? .transformation : .aggregation)
                for p in w.partitionBy { addIndirect(p, .window) }
                for k in w.orderBy { addIndirect(k.expr, .window) }
            }
        }
    }

    /// The direct sources of a value computed by `e`: its columns' sources, raised to a
    /// transformation unless `e` is a column itself. A subquery's answer feeds it like a column.
    mutating func sources(of e: BoundExpr) -> Sources {
        switch e.kind {
        case .column(let id):
            return direct[id] ?? [:]
        case .subquery(let q):
            visit(q.plan)
            var s: Sources = [:]
            if q.kind != .exists, let out = q.plan.columns.first { merge(&s, direct[out.id] ?? [:]) }
            if let operand = q.operand { merge(&s, sources(of: operand)) }
            return raised(s, to: .transformation)
        case .caseWhen(let whens, let otherwise):
            // The results are the value; the conditions only choose among them.
            var s: Sources = [:]
            for w in whens {
                merge(&s, sources(of: w.condition).mapValues { (.conditional, $0.masked) })
                merge(&s, raised(sources(of: w.result), to: .transformation))
            }
            if let otherwise { merge(&s, raised(sources(of: otherwise), to: .transformation)) }
            return s
        default:
            var s: Sources = [:]
            for child in e.children { merge(&s, sources(of: child)) }
            return raised(s, to: .transformation)
        }
    }

    /// An equality between columns of different scans: how a WHERE joins a comma-separated
    /// FROM.
    private func joins(_ e: BoundExpr) -> Bool {
        guard case .comparison(.equal, let a, let b) = e.kind else { return false }
        let x = origins(of: a), y = origins(of: b)
        return !x.isEmpty && !y.isEmpty && x.isDisjoint(with: y)
    }

    /// The scans the columns `e` reads come from.
    private func origins(of e: BoundExpr) -> Set<Int> {
        e.referencedColumns.reduce(into: Set<Int>()) { $0.formUnion(origins[$1] ?? []) }
    }

    /// Every column `e` reads decides rows as `subtype` (a filter, join, group or sort key).
    mutating func addIndirect(_ e: BoundExpr, _ subtype: ColumnLineage.Subtype) {
        addIndirect(sources(of: e), subtype)
    }

    /// The sources read (`sources(of:)` of a key) decide rows as `subtype`.
    mutating func addIndirect(_ read: Sources, _ subtype: ColumnLineage.Subtype) {
        for (source, how) in read {
            indirect.insert(ColumnLineage.Edge(source: source, subtype: subtype, masked: how.masked))
        }
    }

    /// A source read two ways is read the furthest from a copy; a value it feeds outranks a
    /// condition it is only tested in.
    private func merge(_ into: inout Sources, _ more: Sources) {
        for (source, how) in more {
            if let had = into[source] {
                let subtype = had.subtype == .conditional ? how.subtype
                    : how.subtype == .conditional ? had.subtype : max(had.subtype, how.subtype)
                into[source] = (subtype, had.masked || how.masked)
            } else {
                into[source] = how
            }
        }
    }

    /// Sources computed on: at least `floor` from a copy. A condition stays a condition.
    private func raised(_ s: Sources, to floor: ColumnLineage.Subtype) -> Sources {
        s.mapValues { ($0.subtype == .conditional ? .conditional : max($0.subtype, floor), $0.masked) }
    }
}
