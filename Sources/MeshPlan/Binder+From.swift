import MeshCore
import MeshSQL

extension Binder {
    /// Binds the FROM list: comma-separated items become cross joins (the optimizer turns
    /// WHERE equalities into join keys).
    mutating func bindFrom(_ items: [TableRef]) throws -> (LogicalPlan, Scope) {
        guard let first = items.first else { return (.singleRow, Scope()) }
        var (plan, scope) = try bindTableRef(first)
        for item in items.dropFirst() {
            let (p, s) = try bindTableRef(item)
            plan = .join(plan, p, .cross, nil)
            scope = scope + s
        }
        return (plan, scope)
    }

    mutating func bindTableRef(_ ref: TableRef) throws -> (LogicalPlan, Scope) {
        switch ref {
        case .table(let name, let alias):
            return try bindNamedTable(name, alias: alias)

        case .derived(let query, let alias, let columnAliases, let location):
            var inner = self
            let plan = try inner.bindQuery(query)
            return try derivedScope(plan, alias: alias, columnAliases: columnAliases, at: location)

        case .join(let l, let kind, let r, let condition, let location):
            let (lp, ls) = try bindTableRef(l)
            let (rp, rs) = try bindTableRef(r)
            var scope = ls + rs
            let planKind: PlanJoinKind = switch kind {
            case .inner: .inner
            case .left: .left
            case .right: .right
            case .full: .full
            case .cross: .cross
            }
            switch condition {
            case .none:
                if kind != .cross {
                    throw MeshError(.syntax, "\(kind.rawValue) JOIN requires an ON or USING condition", at: location)
                }
                return (.join(lp, rp, .cross, nil), scope)
            case .on(let e):
                let cond = try bindCondition(e, scope: scope, clause: "JOIN/ON")
                return (.join(lp, rp, planKind == .cross ? .inner : planKind, cond), scope)
            case .using(let columns):
                var conjuncts: [BoundExpr] = []
                // `*` lists the merged columns first, then the rest of the left and right
                // sides (PostgreSQL's order).
                var merged: [Int] = []
                var copies = Set<Int>()
                for col in columns {
                    let (li, lt) = try Scope(entries: ls.entries).resolve([col], at: location)
                    let (ri, rt) = try Scope(entries: rs.entries).resolve([col], at: location)
                    guard let t = TypeRules.common(lt, rt) else {
                        throw MeshError(.typeMismatch, "JOIN/USING types \(lt) and \(rt) cannot be matched", at: location)
                    }
                    let left = Self.coerce(ls.reference(li), to: t)
                    let right = Self.coerce(rs.reference(ri), to: t)
                    conjuncts.append(BoundExpr(.comparison(.equal, left, right), type: .boolean, at: location))
                    // The merged column shows once in `*` and resolves unqualified to one side.
                    if planKind == .right {
                        scope.entries[li].mergedAway = true
                        merged.append(ls.entries.count + ri)
                    } else {
                        scope.entries[ls.entries.count + ri].mergedAway = true
                        merged.append(li)
                    }
                    copies.formUnion([li, ls.entries.count + ri])
                }
                scope.starOrder = merged + scope.effectiveStarOrder.filter { !copies.contains($0) }
                return (.join(lp, rp, planKind, BoundExpr.conjunction(conjuncts)), scope)
            }
        }
    }

    mutating func bindNamedTable(_ name: QualifiedName, alias: String?) throws -> (LogicalPlan, Scope) {
        let parts = name.parts
        references.count += 1
        if references.count > Self.maxReferences {
            throw MeshError(.programLimitExceeded,
                            "the statement expands to more than \(Self.maxReferences) references to tables, views and CTEs",
                            at: name.location,
                            hint: "a CTE defined inside a subquery is expanded wherever it is referenced: define it in the outermost WITH to have it bound once")
        }
        // Planning a large statement stops when its query is cancelled (a timeout, a hang-up).
        try Task.checkCancellation()
        // A CTE shadows products of the same one-part name.
        if parts.count == 1, let binding = ctes[parts[0]] {
            // Defined inside a subquery, its definition may read the outer query's columns:
            // bound where it is referenced, as often as it is.
            let plan = try sharedPlan(key: "cte \(binding.key)", name: "cte \(parts[0])", shareable: binding.outerScopes.isEmpty) {
                var inner = self
                inner.ctes = binding.scope
                inner.outerScopes = binding.outerScopes
                return try inner.bindQuery(binding.cte.query)
            }
            return try derivedScope(plan, alias: alias ?? parts[0], columnAliases: binding.cte.columnAliases, at: name.location)
        }
        guard parts.count <= 2 else {
            throw MeshError(.undefinedTable, "relation \"\(name)\" does not exist", at: name.location,
                            hint: "tables are named mesh.product")
        }
        let mesh = parts.count == 2 ? parts[0] : nil
        let product = parts.last!
        guard let resolved = try catalog.resolve(mesh: mesh, product: product) else {
            throw MeshError(.undefinedTable, "relation \"\(name)\" does not exist", at: name.location)
        }
        switch resolved {
        case .table(let product, let access):
            let scan = product.withFreshIDs()
            var plan = LogicalPlan.scan(scan)
            if let access { plan = try applyingPolicy(plan, product: scan.productName, access: access) }
            let scope = Scope.of(plan.columns, qualifier: alias ?? parts.last!,
                                 fullQualifier: alias == nil ? scan.productName : nil)
            return (plan, scope)
        case .rows(let relation):
            // The catalog's rows depend on who asks and when: a plan that holds them is not kept.
            sessionState.read = true
            var v = relation
            v.columns = v.columns.map { .fresh($0.name, $0.type, nullable: $0.nullable) }
            let scope = Scope.of(v.columns, qualifier: alias ?? product, fullQualifier: alias == nil ? v.name : nil)
            return (.values(v), scope)
        case .view(let viewName, let sql, let access):
            if expandingViews.contains(viewName) {
                throw MeshError(.invalidParameter, "data product \"\(viewName)\" refers to itself", at: name.location)
            }
            let plan = try sharedPlan(key: "view \(viewName)", name: "view \(viewName)", shareable: true) {
                try bindView(viewName, sql: sql, access: access, at: name.location)
            }
            var (p, scope) = try derivedScope(plan, alias: alias ?? product, columnAliases: [], at: name.location)
            if alias == nil {
                for i in scope.entries.indices { scope.entries[i].fullQualifier = viewName }
            }
            return (p, scope)
        }
    }

    /// The plan of derived product `viewName` (its query, `sql`), as the querying principal
    /// may read it (`access`).
    func bindView(_ viewName: String, sql: String, access: ProductAccess?, at location: SourceLocation) throws -> LogicalPlan {
        let query: Query
        do {
            query = try Parser.parseQuery(sql)
        } catch {
            throw MeshError(.catalog, "the definition of data product \"\(viewName)\" no longer parses", at: location)
        }
        // Its one-part names are products of its own mesh, not of the reader's current one.
        let viewMesh = String(viewName.split(separator: ".").first ?? "")
        var inner = Binder(catalog: ViewMeshResolver(inner: catalog, mesh: viewMesh), now: now, identity: identity)
        inner.expandingViews = expandingViews + [viewName]
        inner.clock = clock
        inner.sessionState = sessionState
        inner.evaluateConstant = evaluateConstant
        inner.viewsRead = viewsRead
        inner.references = references
        inner.shared = shared
        if !viewsRead.names.contains(viewName) { viewsRead.names.append(viewName) }
        var plan: LogicalPlan
        do {
            plan = try inner.bindQuery(query)
        } catch let e as MeshError {
            // Bound as the querying principal: a name the view reads that they may not is
            // not theirs to learn from an error.
            if !identity.isSuperuser, e.code == .undefinedColumn || e.code == .undefinedTable {
                throw MeshError(.permission, "data product \"\(viewName)\" reads data you may not read", at: location,
                                hint: "ask the managers of its mesh, or of the products it reads, for access")
            }
            throw MeshError(e.code, "in data product \"\(viewName)\": \(e.message)", at: location)
        }
        // A column of bare string literals is text, as the catalog stores it (and as
        // PostgreSQL's views make it): policies and outer queries see that type.
        if plan.columns.contains(where: { $0.type == .unknown }) {
            let columns = plan.columns.map { c in PlanColumn(id: .fresh(), name: c.name, type: c.type == .unknown ? .text : c.type, nullable: c.nullable) }
            let exprs = plan.columns.map { c in c.type == .unknown ? Self.coerce(c.ref, to: .text) : c.ref }
            plan = .project(plan, exprs, columns)
        }
        if let access { plan = try applyingPolicy(plan, product: viewName, access: access) }
        return plan
    }

    /// The scope of a derived table, a CTE or a view: its plan's columns under one alias,
    /// renamed by the column aliases if any. Names live in the scope, so no renaming node is
    /// needed: the plan's column ids are what the outer query refers to.
    func derivedScope(_ plan: LogicalPlan, alias: String?, columnAliases: [String],
                      at location: SourceLocation) throws -> (LogicalPlan, Scope) {
        var columns = plan.columns
        if columnAliases.count > columns.count {
            throw MeshError(.syntax, "table \"\(alias ?? "")\" has \(columns.count) columns available but \(columnAliases.count) columns specified", at: location)
        }
        for (i, a) in columnAliases.enumerated() { columns[i].name = a }
        return (plan, Scope.of(columns, qualifier: alias))
    }
}
