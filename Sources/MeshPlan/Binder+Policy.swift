import MeshCore
import MeshSQL

/// Placing a principal's policy at a product's scan (SQL.md §5, DESIGN.md §7): the row
/// filters over the raw columns, then the masks, then the hidden columns dropped, all under a
/// guard the optimizer respects. The query's own expressions only ever see what comes out.
extension Binder {
    func applyingPolicy(_ plan: LogicalPlan, product: String, access: ProductAccess) throws -> LogicalPlan {
        guard !access.isUnrestricted else {
            // Granted without restrictions: still marked, so EXPLAIN and the audit show the grant.
            return access.policyIDs.isEmpty ? plan : .guarded(plan, PolicyGuard(product: product, policyIDs: access.policyIDs))
        }
        let raw = plan.columns
        let rawScope = Scope.of(raw, qualifier: product.split(separator: ".").last.map(String.init))
        // Policies are bound on their own: no CTE, outer query or view of the query can
        // change what their names mean.
        var policyBinder = Binder(catalog: catalog, now: now)
        policyBinder.identity = identity
        policyBinder.maskHashKeys = access.hashKeys
        policyBinder.clock = clock
        do {
            var guardedPlan = plan
            let filters = try access.rowFilters.map { filter -> BoundExpr in
                // A filter that reads an attribute the principal lacks keeps no row (SQL.md §5
                // rule 4), however it is written (`… OR current_attr('x') IS NULL`).
                let attributes = filter.constantArguments(of: "current_attr")
                if attributes.contains(where: { identity.attributes[$0.lowercased()] == nil }) {
                    return BoundExpr.literal(.bool(false), .boolean)
                }
                return try policyBinder.bindCondition(filter, scope: rawScope, clause: "a policy FILTER")
            }
            if let f = BoundExpr.conjunction(filters) { guardedPlan = .filter(guardedPlan, f) }
            var exprs: [BoundExpr] = [], columns: [PlanColumn] = [], unsafe = Set<ColumnID>(), masked = Set<ColumnID>()
            for c in raw where !access.hiddenColumns.contains(c.name) {
                var out = PlanColumn(id: .fresh(), name: c.name, type: c.type, nullable: c.nullable)
                if let mask = access.masks[c.name] {
                    // A tag mask fits any tagged column: it reads that column as `value`, and
                    // no other column.
                    let scope = access.tagMasked.contains(c.name)
                        ? Scope.of([PlanColumn(id: c.id, name: "value", type: c.type)], qualifier: nil) : rawScope
                    let e = try policyBinder.bindMask(mask, scope: scope, column: c)
                    out.nullable = true
                    masked.insert(out.id)
                    if !e.isLeakproof { unsafe.insert(out.id) }
                    exprs.append(e)
                } else {
                    exprs.append(c.ref)
                }
                columns.append(out)
            }
            guard !columns.isEmpty else {
                throw MeshError(.permission, "every column of the data product is denied")
            }
            return .guarded(.project(guardedPlan, exprs, columns),
                            PolicyGuard(product: product, policyIDs: access.policyIDs, unsafeColumns: unsafe, restricted: true,
                                        rowFiltered: !filters.isEmpty, maskedColumns: masked))
        } catch let e as MeshError {
            // The policy's text and names are not the querying principal's business: fail
            // closed with the ids, which the mesh's managers can look up.
            throw MeshError(e.code == .permission ? e.code : .catalog,
                            "a policy of data product \"\(product)\" cannot be applied (\(access.policyIDs.joined(separator: ", ")))",
                            hint: "ask the managers of its mesh to check SHOW POLICIES")
        }
    }

    /// A mask over the raw columns, of the masked column's own type (SQL.md §5 rule 7).
    func bindMask(_ mask: Expr, scope: Scope, column: PlanColumn) throws -> BoundExpr {
        var b = self
        b.maskTarget = column.type
        let e = try b.bindExpr(mask, scope: scope, allowAggregates: false, clause: "a MASK policy")
        if e.containsSubquery || e.containsAggregate {
            throw MeshError(.notSupported, "a mask cannot contain a subquery or an aggregate", at: mask.location)
        }
        if e.type == column.type { return e }
        guard e.type == .unknown || TypeRules.common(e.type, column.type) == column.type else {
            throw MeshError(.typeMismatch, "the mask gives type \(e.type), not the column's type \(column.type)", at: mask.location)
        }
        // A literal that does not convert ('x' for an integer) is an error now, not per row.
        return try Self.coerceChecked(e, to: column.type, at: mask.location)
    }

    /// `current_user()`, `current_org()`, `has_role(r)`, `current_attr(k)`, and what PostgreSQL
    /// clients ask as they connect — `version()`, `current_database()` (the org),
    /// `current_schema()` (the session's mesh): constants for the whole statement. Nil when
    /// `name` is not one of them.
    func bindIdentityFunction(_ name: String, _ args: [BoundExpr], at loc: SourceLocation) throws -> BoundExpr? {
        func constantText(_ what: String) throws -> String {
            guard args.count == 1, case .literal(.string(let s)) = args[0].kind else {
                throw MeshError(.undefinedFunction, "function \(name) takes one constant text argument (\(what))", at: loc)
            }
            return s
        }
        func noArguments() throws {
            if !args.isEmpty { throw MeshError(.undefinedFunction, "function \(name) takes no arguments", at: loc) }
        }
        func text(_ s: String?) -> BoundExpr { BoundExpr(.literal(s.map(Value.string) ?? .null), type: .text, at: loc) }
        switch name {
        case "current_user", "session_user":
            try noArguments()
            // The local superuser is `meshql`, as SQL.md §5 rule 9 names it.
            return text(identity.isSuperuser ? "meshql" : (identity.user?.isEmpty == false ? identity.user : nil))
        case "current_org", "current_database":
            try noArguments()
            return text(identity.org)
        case "current_schema":
            try noArguments()
            return text(identity.currentMesh)
        case "version":
            try noArguments()
            // PostgreSQL's form, which drivers parse for the server's version.
            return text("PostgreSQL \(QueryIdentity.postgresVersion) (meshql) on meshql")
        case "has_role":
            let role = try constantText("a role name")
            return BoundExpr(.literal(.bool(identity.roles.contains(role.lowercased()))), type: .boolean, at: loc)
        case "current_attr":
            // A missing attribute is NULL, so a filter comparing with it is never true.
            return text(identity.attributes[try constantText("an attribute name").lowercased()])
        default:
            return nil
        }
    }

    /// The mask functions (SQL.md §5), only inside a MASK: outside one, `hash()` would let a
    /// query hash guesses and compare them with hashed values.
    func bindMaskFunction(_ name: String, _ args: [BoundExpr], at loc: SourceLocation) throws -> BoundExpr? {
        guard MaskFunctions.names.contains(name) else { return nil }
        guard let target = maskTarget else {
            throw MeshError(.undefinedFunction, "\(name)() can only be used in a MASK policy", at: loc)
        }
        return try MaskFunctions.bind(name, args, target: target, hashKeys: maskHashKeys, at: loc)
    }
}

/// Checking a policy's expressions when a mesh's policies are saved, against the product's
/// columns: the same binding the query will do, so what saves also applies.
public enum PolicyExpressionCheck {
    /// No products resolve inside a policy: subqueries are not allowed there anyway.
    struct NoProducts: CatalogResolver {
        func resolve(mesh: String?, product: String) throws -> ResolvedRelation? { nil }
    }

    /// - Parameter hashDomains: the hash domains a mask may name (those of the product's mesh).
    static func binder(hashDomains: Set<String> = []) -> Binder {
        // A principal with no roles or attributes: identity functions bind to constants.
        var b = Binder(catalog: NoProducts(), identity: QueryIdentity(principal: Principal(user: "check@meshql")))
        b.maskHashKeys = Dictionary(uniqueKeysWithValues: ([""] + hashDomains).map { ($0, [0]) })
        return b
    }

    public static func filter(_ e: Expr, columns: [PlanColumn]) throws {
        let b = try binder().bindCondition(e, scope: Scope.of(columns, qualifier: nil), clause: "a policy FILTER")
        try requireScalar(b, e)
    }

    public static func mask(_ e: Expr, column: PlanColumn, columns: [PlanColumn], hashDomains: Set<String>) throws {
        let b = try binder(hashDomains: hashDomains).bindMask(e, scope: Scope.of(columns, qualifier: nil), column: column)
        try requireScalar(b, e)
    }

    /// No aggregates, window functions or subqueries inside policies (SQL.md §5 rule 7).
    static func requireScalar(_ b: BoundExpr, _ e: Expr) throws {
        func scalar(_ x: BoundExpr) -> Bool {
            switch x.kind {
            case .aggregate, .subquery, .window: false
            default: x.children.allSatisfy(scalar)
            }
        }
        guard scalar(b) else {
            throw MeshError(.notSupported, "no aggregates, window functions or subqueries are allowed in a policy", at: e.location)
        }
    }
}

extension Binder {
    /// A condition over a fixed set of columns (no products): `SHOW AUDIT WHERE …`.
    public static func bindPredicate(_ e: Expr, over columns: [PlanColumn], clause: String) throws -> BoundExpr {
        let b = try PolicyExpressionCheck.binder().bindCondition(e, scope: Scope.of(columns, qualifier: nil), clause: clause)
        try PolicyExpressionCheck.requireScalar(b, e)
        return b
    }
}
