/// Which columns a plan defines and which it reads, for finding a subquery's references to
/// the queries around it.
extension LogicalPlan {
    /// The ids of every column some node of this plan defines.
    public var definedColumns: Set<ColumnID> {
        var out = Set<ColumnID>()
        visit { node in
            switch node {
            case .scan(let s): out.formUnion(s.columnIDs)
            case .values(let v): out.formUnion(v.columns.ids)
            case .project(_, _, let cs), .aggregate(_, _, _, let cs), .unionAll(_, let cs): out.formUnion(cs.ids)
            case .remote(let r): out.formUnion(r.columns.ids)
            case .window(_, _, let cs): out.formUnion(cs.ids)
            case .join(_, _, .mark(let m, _), _): out.insert(m.id)
            case .sharedScan(let s): out.formUnion(s.columns.ids)
            default: break
            }
        }
        return out
    }

    /// The expressions of this node (not of its children).
    public var expressions: [BoundExpr] {
        switch self {
        case .filter(_, let p): [p]
        case .project(_, let es, _): es
        case .join(_, _, _, let c): c.map { [$0] } ?? []
        case .aggregate(_, let gs, let aggs, _):
            gs + aggs.flatMap { $0.arguments + ($0.filter.map { [$0] } ?? []) }
        case .sort(_, let keys): keys.map(\.expr)
        case .window(_, let calls, _): calls.flatMap(\.expressions)
        default: []
        }
    }

    /// The ids of every column some expression of this plan reads.
    public var referencedColumns: Set<ColumnID> {
        var out = Set<ColumnID>()
        visit { node in
            for e in node.expressions { out.formUnion(e.referencedColumns) }
        }
        return out
    }

    /// Columns read but not defined inside: a subquery's correlated references.
    public var freeColumns: Set<ColumnID> { referencedColumns.subtracting(definedColumns) }

    /// Calls `body` on every node, parents before children.
    public func visit(_ body: (LogicalPlan) -> Void) {
        body(self)
        for c in children { c.visit(body) }
    }
}

extension LogicalPlan {
    /// The connector every scan of the plan reads, or nil when it reads several (or none).
    public var onlySource: String? {
        let ids = Set(allScans.map(\.connectorID))
        return ids.count == 1 ? ids.first : nil
    }

    /// Every product scan of the plan, including those of subqueries still inside expressions.
    public var allScans: [ProductScan] {
        var out: [ProductScan] = []
        func inExpr(_ e: BoundExpr) {
            if case .subquery(let q) = e.kind { out += q.plan.allScans }
            e.children.forEach(inExpr)
        }
        visit { node in
            if case .scan(let s) = node { out.append(s) }
            node.expressions.forEach(inExpr)
        }
        return out
    }
}

extension LogicalPlan {
    /// Columns compared with `=` to another column anywhere in the plan (subqueries too),
    /// columns compared with constants (`=`, `<>`, IN), and plain GROUP BY columns: those
    /// whose distinct counts estimates want.
    public var statisticsColumns: Set<ColumnID> {
        var out = Set<ColumnID>()
        visit { node in
            if case .aggregate(_, let groups, _, _) = node {
                for g in groups { if case .column(let id) = g.kind { out.insert(id) } }
            }
        }
        func inExpr(_ e: BoundExpr) {
            if let (x, y) = e.columnEquality {
                out.insert(x)
                out.insert(y)
            }
            // A column compared with constants: its distinct count gives the share kept.
            switch e.kind {
            case .comparison(.equal, let a, let b), .comparison(.notEqual, let a, let b):
                if case .column(let x) = a.kind, b.referencedColumns.isEmpty { out.insert(x) }
                if case .column(let y) = b.kind, a.referencedColumns.isEmpty { out.insert(y) }
            case .inList(let a, let items, _):
                if case .column(let x) = a.kind, items.allSatisfy({ $0.referencedColumns.isEmpty }) { out.insert(x) }
            default: break
            }
            if case .subquery(let q) = e.kind { out.formUnion(q.plan.statisticsColumns) }
            e.children.forEach(inExpr)
        }
        visit { node in node.expressions.forEach(inExpr) }
        // Through projections that merely pass a column on (a policy guard's, a view's), to
        // the scan column whose statistics it has. Parents come first, so chains follow.
        visit { node in
            guard case .project(_, let exprs, let columns) = node else { return }
            for (e, c) in zip(exprs, columns) where out.contains(c.id) {
                if case .column(let inner) = e.kind { out.insert(inner) }
            }
        }
        return out
    }
}
