import Foundation
import MeshCore
import MeshSQL

/// Turns a parsed query into a typed logical plan: resolves products through the catalog,
/// columns through scopes, checks types, and places aggregates, sorts and limits.
public struct Binder {
    let catalog: any CatalogResolver
    /// Value of CURRENT_DATE / CURRENT_TIMESTAMP, fixed for the whole statement as in PostgreSQL.
    let now: Date
    /// Views being expanded, to stop a view that refers to itself.
    var expandingViews: [String] = []
    /// The CTEs in scope, each with the scope it was defined in.
    var ctes: [String: CTEBinding] = [:]
    /// The scopes of the queries this one is a subquery of, innermost first: a name not found
    /// in the query's own FROM resolves there (a correlated reference).
    var outerScopes: [Scope] = []
    /// Who runs the query: what `current_user()` and the policies' own expressions see.
    public var identity = QueryIdentity()
    /// Inside a MASK: the keys its `hash()` may use (the product's `ProductAccess.hashKeys`).
    var maskHashKeys: [String: [UInt8]] = [:]
    /// Inside a MASK: the masked column's type (mask functions are allowed only there).
    var maskTarget: DataType?
    /// Folds a constant expression to its value (the executor's evaluator, which this module
    /// cannot reach): the arguments of a set-returning function in FROM. Nil: none folds.
    public var evaluateConstant: (@Sendable (BoundExpr) -> Value?)?
    /// The values of `$1`, `$2`, … (the API's `params`), as literals.
    public var parameters: [Literal] = []
    /// Set when CURRENT_DATE or its kin is read — in the query, a view or a policy — so the
    /// plan holds the time it was made (a plan cache must not keep it). A reference: binding
    /// copies the binder.
    var clock = ClockReading()
    /// Set when the emulated PostgreSQL catalog is read (its tables, `'t'::regclass`,
    /// `pg_backend_pid()`): the plan holds what this principal and connection see now, and a
    /// plan cache must not keep it. A reference, as `clock` is.
    var sessionState = ClockReading()
    /// The views (derived products) the query reads, in the order met, through other views
    /// too. A reference, as `clock` is.
    var viewsRead = ViewsRead()
    /// The tables, views and CTEs referenced so far, each expanded where it is referenced: a
    /// CTE that reads the one before it twice doubles the plan per level, so a short
    /// statement could take the server's memory and minutes. Past `maxReferences` the
    /// statement is refused. A reference, as `clock` is.
    var references = ReferenceCount()
    public static let maxReferences = 10_000
    /// The CTEs and views bound so far, each once for the statement (see `sharedPlan`). A
    /// reference, as `clock` is.
    var shared = SharedBindings()
    /// Where each `$n` was met, so the type its NULL took from the query can be found (a
    /// client describing a statement before it has values). A reference, as `clock` is.
    var parameterSites = ParameterSites()

    public init(catalog: any CatalogResolver, now: Date = Date(), identity: QueryIdentity = QueryIdentity()) {
        self.catalog = catalog
        self.now = now
        self.identity = identity
    }

    /// A bound query: the plan and the output column names.
    public struct BoundQuery: Sendable {
        public var plan: LogicalPlan
        /// The plan holds the time of binding (CURRENT_DATE and its kin were read) or what the
        /// emulated PostgreSQL catalog showed this session: no cache may keep it.
        public var readsClock = false
        /// The derived products read (their bases are the plan's scans).
        public var views: [String] = []
        /// The type the query gave each `$n` bound as NULL (1-based), where it gave one.
        public var parameterTypes: [Int: DataType] = [:]
        public var fields: [Field] { plan.fields }
    }

    public func bind(_ query: Query) throws -> BoundQuery {
        var b = self
        let plan = try b.bindQuery(query)
        let finished = shared.finish(plan)
        return BoundQuery(plan: finished, readsClock: clock.read || sessionState.read, views: viewsRead.names,
                          parameterTypes: parameterSites.types(in: finished))
    }

    mutating func bindQuery(_ query: Query) throws -> LogicalPlan {
        let saved = ctes
        defer { ctes = saved }
        // Each sees the CTEs before it (PostgreSQL's rule for a WITH that is not RECURSIVE).
        for cte in query.with { ctes[cte.name] = CTEBinding(cte: cte, key: shared.newKey(), scope: ctes, outerScopes: outerScopes) }

        var plan: LogicalPlan
        if case .select(let select) = query.body {
            plan = try bindSelect(select, orderBy: query.orderBy)
        } else {
            plan = try bindBody(query.body)
            if !query.orderBy.isEmpty { plan = try bindOutputOrder(plan, query.orderBy) }
        }
        if query.limit != nil || query.offset != nil {
            let limit = try query.limit.map { try constantCount($0, clause: "LIMIT") } ?? nil
            let offset = try query.offset.map { try constantCount($0, clause: "OFFSET") } ?? nil
            // Under the projection that drops ORDER BY-only columns, so the limit sits right on
            // its sort (a top-N, and one block for a source).
            if case .project(let inner, let exprs, let cols) = plan, case .sort = inner,
               exprs.allSatisfy({ if case .column = $0.kind { return true } else { return false } }) {
                plan = .project(.limit(inner, limit: limit, offset: offset ?? 0), exprs, cols)
            } else {
                plan = .limit(plan, limit: limit, offset: offset ?? 0)
            }
        }
        return plan
    }

    mutating func bindBody(_ body: QueryBody) throws -> LogicalPlan {
        switch body {
        case .select(let s): return try bindSelect(s, orderBy: [])
        case .nested(let q): return try bindQuery(q)
        case .setOperation(let op, let all, let l, let r):
            return try bindSetOperation(op, all: all, l, r)
        }
    }

    /// ORDER BY over a set operation: output names and ordinals only.
    func bindOutputOrder(_ plan: LogicalPlan, _ items: [OrderItem]) throws -> LogicalPlan {
        let fields = plan.columns
        var keys: [SortKey] = []
        for item in items {
            var index: Int?
            if case .literal(.integer(let s)) = item.expr.kind, let n = Int(s) {
                guard n >= 1, n <= fields.count else {
                    throw MeshError(.syntax, "ORDER BY position \(n) is not in select list", at: item.expr.location)
                }
                index = n - 1
            } else if case .column(let parts) = item.expr.kind, parts.count == 1 {
                index = fields.firstIndex { $0.name == parts[0] }
            }
            guard let i = index else {
                throw MeshError(.notSupported, "ORDER BY on a UNION result must name an output column", at: item.expr.location)
            }
            keys.append(SortKey(expr: fields[i].ref, descending: item.descending,
                                nullsFirst: item.nullsFirst ?? item.descending))
        }
        return .sort(plan, keys)
    }

    func constantCount(_ e: Expr, clause: String) throws -> Int? {
        switch e.kind {
        case .literal(.integer(let s)):
            guard let n = Int(s) else { throw MeshError(.numericOverflow, "bigint out of range", at: e.location) }
            return n
        case .unary(.negate, let x):
            // `LIMIT -1`: a negative constant, which the parser reads as a negated literal.
            if case .literal(.integer(let s)) = x.kind, let n = Int(s), n > 0 {
                throw MeshError(.invalidParameter, "\(clause) must not be negative", at: e.location)
            }
            throw MeshError(.notSupported, "\(clause) must be an integer constant", at: e.location)
        case .literal(.null): return nil
        default:
            throw MeshError(.notSupported, "\(clause) must be an integer constant", at: e.location)
        }
    }
}

/// The views a binding read (see `Binder.viewsRead`).
final class ViewsRead: @unchecked Sendable {
    var names: [String] = []
}

/// How many relations a binding has expanded (see `Binder.references`).
final class ReferenceCount: @unchecked Sendable {
    var count = 0
}

/// Whether a binding read the clock (see `Binder.clock`).
final class ClockReading: @unchecked Sendable {
    var read = false
}

/// Where each `$n` of a statement was bound (see `Binder.parameterSites`).
final class ParameterSites: @unchecked Sendable {
    var byLocation: [SourceLocation: Int] = [:]

    /// The type each parameter took where the query used it: the literal at the parameter's
    /// position, converted to the type around it (`x = $1` → x's type). Bound as NULL, this is
    /// the type a client describing the statement is told; with values, the type their value
    /// was converted to.
    func types(in plan: LogicalPlan) -> [Int: DataType] {
        guard !byLocation.isEmpty else { return [:] }
        var out: [Int: DataType] = [:]
        func walk(_ e: BoundExpr) {
            if case .literal = e.kind, e.type != .unknown, let loc = e.location, let n = byLocation[loc], out[n] == nil {
                out[n] = e.type
            }
            if case .cast(let inner) = e.kind, case .literal = inner.kind, let loc = inner.location, let n = byLocation[loc],
               out[n] == nil {
                out[n] = e.type
            }
            if case .subquery(let q) = e.kind { walkPlan(q.plan) }
            e.children.forEach(walk)
        }
        func walkPlan(_ p: LogicalPlan) {
            p.visit { node in node.expressions.forEach(walk) }
        }
        walkPlan(plan)
        return out
    }
}
