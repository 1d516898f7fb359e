import MeshCore
import MeshSQL

extension Binder {
    /// One SELECT block with the ORDER BY that belongs to it (which may name input columns
    /// that are not selected).
    mutating func bindSelect(_ select: Select, orderBy: [OrderItem]) throws -> LogicalPlan {
        let start = self
        do {
            return try bindSelectBlock(select, orderBy: orderBy)
        } catch let error as MeshError where Self.unsupportedCodes.contains(error.code) {
            var again = start
            guard let empty = again.emptyCatalogSelect(select) else { throw error }
            return empty
        }
    }

    /// Errors of what meshql does not have (a function, a syntax, a type), as opposed to a
    /// name that does not exist or a permission.
    static let unsupportedCodes: Set<MeshError.Code> = [.notSupported, .undefinedFunction, .typeMismatch, .undefinedObject, .syntax, .groupingError]

    /// A SELECT that reads only tables of the emulated PostgreSQL catalog, one of which is
    /// empty under inner joins (pg_constraint, pg_index, pg_policy, pg_inherits, …), answers
    /// no rows whatever its select list computes. Clients ask such tables with what meshql
    /// lacks (arrays of index keys, JSON of sequence options, set-returning functions): the
    /// block is answered as empty, its columns typed as they bind, and of unknown type (which
    /// compares with anything) where they do not. Nil when the block does not qualify: it
    /// reads a product or no catalog table, may have rows, or aggregates without GROUP BY
    /// (one row even of no rows).
    mutating func emptyCatalogSelect(_ select: Select) -> LogicalPlan? {
        guard !select.from.isEmpty, let (from, scope) = try? bindFrom(select.from),
              from.allScans.isEmpty, Self.readsCatalog(from), EmptyResultElimination.isEmpty(from) else { return nil }
        if select.groupBy.isEmpty {
            guard select.having == nil else { return nil }
            for case .expr(let e, _) in select.items where Self.mayAggregate(e) { return nil }
        }
        var columns: [PlanColumn] = []
        for item in select.items {
            switch item {
            case .wildcard(let loc), .qualifiedWildcard(_, let loc):
                let qualifier: [String]? = if case .qualifiedWildcard(let q, _) = item { q } else { nil }
                guard let indices = try? scope.expand(qualifier: qualifier, at: loc) else { return nil }
                columns += indices.map { .fresh(scope.entries[$0].name, scope.entries[$0].type) }
            case .expr(let e, let alias):
                // What does not bind is of unknown type: it compares and joins with anything.
                let type = (try? bindExpr(e, scope: scope, allowAggregates: true).type) ?? .unknown
                columns.append(.fresh(alias ?? Self.outputName(e), type))
            }
        }
        return .values(ValuesRelation(name: Self.emptyCatalogQuery, columns: columns, rows: []))
    }

    /// Whether `plan` reads a table of the emulated PostgreSQL catalog.
    static func readsCatalog(_ plan: LogicalPlan) -> Bool {
        var found = false
        plan.visit { node in
            if case .values(let v) = node, v.name.hasPrefix("pg_catalog.") || v.name.hasPrefix("information_schema.") || v.name == emptyCatalogQuery {
                found = true
            }
        }
        return found
    }

    static let emptyCatalogQuery = "empty catalog query"

    /// Whether `e` calls a function that may be an aggregate (outside a window).
    static func mayAggregate(_ e: Expr) -> Bool {
        if case .function(let f) = e.kind, f.over == nil,
           ["count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg",
            "json_agg", "jsonb_agg", "json_object_agg"].contains(f.name) {
            return true
        }
        return e.children.contains(where: mayAggregate)
    }

    private mutating func bindSelectBlock(_ select: Select, orderBy: [OrderItem]) throws -> LogicalPlan {
        if let rows = try bindSetReturningSelect(select) { return rows }
        var (plan, scope) = try bindFrom(select.from)

        if let w = select.whereClause {
            plan = .filter(plan, try bindCondition(w, scope: scope, clause: "WHERE"))
        }

        // The select list, with * expanded; names follow PostgreSQL (column name, function
        // name, or ?column?).
        var outputs: [(expr: BoundExpr, name: String)] = []
        for item in select.items {
            switch item {
            case .wildcard(let loc):
                if select.from.isEmpty { throw MeshError(.syntax, "SELECT * with no tables specified is not valid", at: loc) }
                for i in try scope.expand(qualifier: nil, at: loc) {
                    outputs.append((scope.reference(i), scope.entries[i].name))
                }
            case .qualifiedWildcard(let q, let loc):
                for i in try scope.expand(qualifier: q, at: loc) {
                    outputs.append((scope.reference(i), scope.entries[i].name))
                }
            case .expr(let e, let alias):
                outputs.append((try bindExpr(e, scope: scope, allowAggregates: true), alias ?? Self.outputName(e)))
            }
        }

        // ORDER BY items resolve against output names and ordinals first, then input columns.
        var orderExprs: [(expr: BoundExpr, item: OrderItem, outputIndex: Int?)] = []
        for item in orderBy {
            if let n = Self.position(item.expr) {
                guard n >= 1, n <= outputs.count else {
                    throw MeshError(.syntax, "ORDER BY position \(n) is not in select list", at: item.expr.location)
                }
                orderExprs.append((outputs[n - 1].expr, item, n - 1))
            } else if case .column(let parts) = item.expr.kind, parts.count == 1,
                      let i = outputs.firstIndex(where: { $0.name == parts[0] }),
                      (try? scope.resolve(parts, at: item.expr.location)) == nil
                        || outputs.filter({ $0.name == parts[0] }).count == 1 {
                orderExprs.append((outputs[i].expr, item, i))
            } else {
                orderExprs.append((try bindExpr(item.expr, scope: scope, allowAggregates: true), item, nil))
            }
        }

        // GROUP BY items may also be output ordinals or names.
        var groups: [BoundExpr] = []
        for g in select.groupBy {
            if let n = Self.position(g) {
                guard n >= 1, n <= outputs.count else {
                    throw MeshError(.syntax, "GROUP BY position \(n) is not in select list", at: g.location)
                }
                if outputs[n - 1].expr.containsAggregate {
                    throw MeshError(.groupingError, "aggregate functions are not allowed in GROUP BY", at: g.location)
                }
                groups.append(outputs[n - 1].expr)
            } else if case .column(let parts) = g.kind, parts.count == 1,
                      (try? scope.resolve(parts, at: g.location)) == nil,
                      let o = outputs.first(where: { $0.name == parts[0] }) {
                groups.append(o.expr)
            } else {
                let e = try bindExpr(g, scope: scope, allowAggregates: false, clause: "GROUP BY")
                groups.append(e)
            }
        }

        var having = try select.having.map { try bindCondition($0, scope: scope, clause: "HAVING", allowAggregates: true) }

        let aggregating = !groups.isEmpty || having != nil
            || outputs.contains { $0.expr.containsAggregate } || orderExprs.contains { $0.expr.containsAggregate }
        if aggregating {
            var calls: [AggregateCall] = []
            var callColumns: [PlanColumn] = []
            // Group keys that are duplicates collapse to one column.
            var uniqueGroups: [BoundExpr] = []
            for g in groups where !uniqueGroups.contains(g) { uniqueGroups.append(g) }
            groups = uniqueGroups
            let localIDs = Set(scope.entries.map(\.id))
            let groupColumns = groups.enumerated().map { PlanColumn.fresh("group\($0.offset)", $0.element.type) }
            func rewrite(_ e: BoundExpr) throws -> BoundExpr {
                if let i = groups.firstIndex(of: e) { return BoundExpr(.column(groupColumns[i].id), type: e.type, at: e.location) }
                switch e.kind {
                case .aggregate(let call):
                    var index = calls.firstIndex(of: call)
                    if index == nil {
                        calls.append(call)
                        callColumns.append(.fresh(call.function.rawValue, call.resultType))
                        index = calls.count - 1
                    }
                    return BoundExpr(.column(callColumns[index!].id), type: call.resultType, at: e.location)
                case .subquery(let q):
                    // A subquery may read the group keys of this query: after aggregation
                    // they are the aggregate's group columns.
                    var keys: [ColumnID: BoundExpr] = [:]
                    for (g, col) in zip(groups, groupColumns) {
                        if case .column(let id) = g.kind, q.outerReferences.contains(id) { keys[id] = col.ref }
                    }
                    return try e.substitutingDeep(keys).rewrittenChildren(rewrite)
                case .column(let id) where !localIDs.contains(id):
                    // A column of an enclosing query: a constant for this one.
                    return e
                case .column:
                    throw MeshError(.groupingError,
                                    "column \"\(Self.columnName(e, scope))\" must appear in the GROUP BY clause or be used in an aggregate function",
                                    at: e.location)
                default:
                    // Top-down, so a GROUP BY expression is matched before its parts are.
                    return try e.rewrittenChildren(rewrite)
                }
            }
            outputs = try outputs.map { (try rewrite($0.expr), $0.name) }
            orderExprs = try orderExprs.map { (try rewrite($0.expr), $0.item, $0.outputIndex) }
            having = try having.map(rewrite)
            plan = .aggregate(plan, groups: groups, aggregates: calls, groupColumns + callColumns)
            if let h = having { plan = .filter(plan, h) }
        }

        // Window functions run after grouping and HAVING, before the projection.
        var withWindows = outputs.map(\.expr) + orderExprs.map(\.expr)
        plan = Self.placeWindows(plan, &withWindows)
        for i in outputs.indices { outputs[i].expr = withWindows[i] }
        for i in orderExprs.indices { orderExprs[i].expr = withWindows[outputs.count + i] }

        // Project the outputs plus any ORDER BY expressions that are not outputs.
        var projected = outputs.map(\.expr)
        var columns = outputs.map { PlanColumn.fresh($0.name, $0.expr.type) }
        var keys: [SortKey] = []
        for o in orderExprs {
            var index = o.outputIndex ?? projected.firstIndex(of: o.expr)
            if index == nil {
                if select.distinct {
                    throw MeshError(.syntax, "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                                    at: o.item.expr.location)
                }
                projected.append(o.expr)
                columns.append(.fresh("?sort?", o.expr.type))
                index = projected.count - 1
            }
            keys.append(SortKey(expr: columns[index!].ref, descending: o.item.descending,
                                nullsFirst: o.item.nullsFirst ?? o.item.descending))
        }
        plan = .project(plan, projected, columns)
        if select.distinct { plan = .distinct(plan) }
        if !keys.isEmpty { plan = .sort(plan, keys) }
        if projected.count > outputs.count {
            let visible = Array(columns.prefix(outputs.count))
            plan = .project(plan, visible.map(\.ref), visible.map { PlanColumn.fresh($0.name, $0.type) })
        }
        return plan
    }

    /// The column name PostgreSQL gives an unaliased select item.
    static func outputName(_ e: Expr) -> String {
        switch e.kind {
        case .column(let parts): return parts.last!
        case .function(let f): return f.name
        case .cast(let inner, _):
            if case .column = inner.kind { return outputName(inner) }
            if case .function = inner.kind { return outputName(inner) }
            return "?column?"
        case .extract: return "extract"
        case .substring: return "substring"
        case .position: return "position"
        case .trim: return "btrim"
        case .caseWhen: return "case"
        case .currentTime(let k): return k
        case .literal(.typed(let t, _)): return t.lowercased()
        case .exists: return "exists"
        default: return "?column?"
        }
    }

    static func columnName(_ e: BoundExpr, _ scope: Scope) -> String {
        if case .column(let id) = e.kind, let entry = scope.entries.first(where: { $0.id == id }) {
            return entry.qualifier.map { "\($0).\(entry.name)" } ?? entry.name
        }
        return "?"
    }
}

extension Binder {
    /// An integer written as an ORDER BY or GROUP BY item: an output position. A minus sign
    /// belongs to the number, as in PostgreSQL (`GROUP BY -1` is a position, and not one in
    /// the select list).
    static func position(_ e: Expr) -> Int? {
        switch e.kind {
        case .literal(.integer(let s)): Int(s)
        case .unary(.negate, let x): if case .literal(.integer(let s)) = x.kind, let n = Int(s) { -n } else { nil }
        default: nil
        }
    }
}
