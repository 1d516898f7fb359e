import MeshCore

/// What a plan cache needs to reuse one optimized plan for a statement of the same shape with
/// other literals (see `QueryShape`): the literal values swapped, and a form of the plan that
/// two plannings of one statement share.
extension LogicalPlan {
    /// The plan with every literal value `f` maps replaced — in expressions and in the
    /// parameters of remote queries — and everything else (shape, types, SQL text) kept.
    public func mappingLiteralValues(_ f: (Value) -> Value?) -> LogicalPlan {
        mappingExpressions { e in
            e.rewritten { x in
                guard case .literal(let v) = x.kind, let n = f(v) else { return x }
                return BoundExpr(.literal(n), type: x.type, at: x.location)
            }
        }
        .transformUp { node in
            guard case .remote(var r) = node else { return node }
            r.parameters = r.parameters.map { f($0) ?? $0 }
            return .remote(r)
        }
    }

    /// The plan with the columns it defines numbered in the order a walk meets them, so two
    /// plannings of one statement (whose ids come from a process-wide counter) compare equal
    /// when they made the same plan.
    public func canonicalColumnIDs() -> LogicalPlan {
        var map: [ColumnID: ColumnID] = [:]
        func define(_ ids: [ColumnID]) {
            for id in ids where map[id] == nil { map[id] = ColumnID(raw: -1 - map.count) }
        }
        visit { node in
            switch node {
            case .scan(let s): define(s.columnIDs)
            case .values(let v): define(v.columns.ids)
            case .project(_, _, let cs), .aggregate(_, _, _, let cs), .unionAll(_, let cs), .window(_, _, let cs): define(cs.ids)
            case .remote(let r): define(r.columns.ids)
            case .join(_, _, .mark(let m, _), _): define([m.id])
            case .sharedScan(let s): define(s.columns.ids)
            default: break
            }
        }
        return renamingDefinedColumns(map)
    }
}
