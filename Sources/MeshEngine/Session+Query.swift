import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshExec
import MeshPlan
import MeshPolicy
import MeshSQL

extension Session {
    /// A query planned for execution, with what EXPLAIN shows.
    struct PlannedQuery {
        var plan: LogicalPlan
        var connectors: [String: any Connector]
        var rulesApplied: [String]
        /// The plan holds the time it was made (CURRENT_DATE in the query, a view or a policy).
        var readsClock = false
        /// The type each `$n` was converted to (index 1 for `$1`).
        var parameterTypes: [Int: DataType] = [:]
    }

    /// Binds and optimizes `query`; `now` is what CURRENT_DATE and its kin read. Constant
    /// expressions `foldable` refuses stay as they are (a plan cache's sentinel literals).
    func plan(_ query: Query, now: Date = Date(), foldable: @escaping @Sendable (BoundExpr) -> Bool = { _ in true }) async throws -> PlannedQuery {
        let bound = try bind(query, now: now)
        // Instantiate the connectors of every product read, for their dialects.
        var connectors: [String: any Connector] = [:]
        for id in Set(Self.connectorIDs(bound.plan)) {
            guard let uuid = UUID(uuidString: id), let record = try catalog.connector(id: uuid, org: org) else {
                throw MeshError(.catalog, "a connector of this query no longer exists")
            }
            connectors[id] = try sourceConnector(for: record)
        }
        let estimator = await PlanningStatistics(catalog: catalog, org: org).collect(for: bound.plan, connectors: connectors)
            .knowingShared(bound.plan)
        let logical: [any OptimizerRule] = [
            SubqueryDecorrelation(), ExpressionSimplification(evaluate: { foldable($0) ? ConstantEvaluator.evaluate($0) : nil }),
            PredicatePushdown(), EmptyResultElimination(), ColumnPruning(),
        ]
        let optimizer = Optimizer(phases: [
            .init(logical, fixpoint: true),
            .init([JoinReorder(estimator: estimator), EagerAggregation(estimator: estimator), EagerGroupBy(estimator: estimator)],
                  fixpoint: false),
            .init([SemiJoinPushdown(estimator: estimator), PredicatePushdown(), ColumnPruning()], fixpoint: true),
            .init([RemotePushdown(dialects: connectors.mapValues(\.dialect), enabled: pushdownEnabled, estimator: estimator)],
                  fixpoint: false),
        ])
        let (optimized, applied) = try optimizer.optimize(bound.plan)
        recordAuditFacts(bound: bound.plan, views: bound.views, optimized: optimized, connectors: connectors)
        return PlannedQuery(plan: optimized, connectors: connectors, rulesApplied: applied.map(\.description),
                            readsClock: bound.readsClock, parameterTypes: bound.parameterTypes)
    }

    /// Binds `query` as this session's principal sees the catalog (policies applied).
    func bind(_ query: Query, now: Date = Date()) throws -> Binder.BoundQuery {
        let resolver = ProductResolver(catalog: catalog, org: org, currentMesh: currentMesh, principal: principal,
                                       policies: try policyBook(), pgCatalog: PGCatalogSource { [self] in try self.pgCatalogSnapshot() })
        var binder = Binder(catalog: resolver, now: now, identity: queryIdentity)
        binder.parameters = parameters
        binder.evaluateConstant = { ConstantEvaluator.evaluate($0) }
        return try binder.bind(query)
    }

    /// The columns `statement` answers with, found without running it (a client describing a
    /// prepared statement before it has values): a query's or EXPLAIN's; nil for a statement
    /// that answers with a message, or whose columns only running it tells (SHOW, DESCRIBE).
    /// Its `$n` are bound as NULLs.
    public func resultFields(of statement: Statement, parameterCount: Int) throws -> [Field]? {
        try describe(statement, parameterCount: parameterCount).fields
    }

    /// `resultFields`, and the type the statement gives each of its `$n` where it gives one
    /// (`WHERE id = $1`: id's), index 0 for `$1`.
    public func describe(_ statement: Statement, parameterCount: Int) throws -> (fields: [Field]?, parameterTypes: [DataType?]) {
        let none = [DataType?](repeating: nil, count: parameterCount)
        switch statement {
        case .query(let query), .explain(let query, _):
            let saved = parameters
            defer { parameters = saved }
            parameters = Array(repeating: .null, count: parameterCount)
            let bound = try bind(query)
            let types = (0..<parameterCount).map { bound.parameterTypes[$0 + 1] }
            if case .explain = statement { return ([Field(name: "QUERY PLAN", type: .text)], types) }
            return (bound.fields, types)
        default:
            return (nil, none)
        }
    }

    /// The plan paths of every node under a `.guarded` one.
    static func pathsBelowGuards(_ plan: LogicalPlan) -> Set<LogicalPlanPath> {
        var out = Set<LogicalPlanPath>()
        func walk(_ p: LogicalPlan, _ path: [Int], _ below: Bool) {
            if below { out.insert(LogicalPlanPath(indices: path)) }
            let guarded = if case .guarded = p { true } else { false }
            for (i, c) in p.children.enumerated() { walk(c, path + [i], below || guarded) }
        }
        walk(plan, [], false)
        return out
    }

    /// Whether EXPLAIN hides what the policies applied do: for a principal who does not
    /// manage every mesh whose policies apply.
    func hidesPolicies(_ ids: [String]) throws -> Bool {
        guard principal != nil, !ids.isEmpty, let book = try policyBook() else { return false }
        return ids.contains { id in !(book.rules.first { $0.id == id }.map { manages($0.mesh) } ?? false) }
    }

    /// EXPLAIN's account of the policies applied: their ids for everyone, their text for
    /// those who manage the mesh that holds them.
    func policyLines(_ ids: [String]) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        var lines = ["Policies applied: " + ids.joined(separator: ", ")]
        guard let book = try policyBook() else { return lines }
        for id in ids {
            guard let rule = book.rules.first(where: { $0.id == id }), manages(rule.mesh) else { continue }
            lines.append("  \(id): \(SQLPrinter.print(rule.statement))")
        }
        return lines
    }

    static func connectorIDs(_ plan: LogicalPlan) -> [String] {
        plan.allScans.map(\.connectorID)
    }

    func runQuery(_ query: Query) async throws -> QueryResult {
        let planned = try await cachedPlan(query)
        let root = try PlanExecutor(connectors: planned.connectors, budget: MemoryBudget(limit: memoryLimit),
                                    observer: SourceHealth(engine: engine, org: org)).build(planned.plan)
        return QueryResult(root: root, computesLocally: Self.computesLocally(planned.plan))
    }

    /// Whether executing `plan` computes more here than passing a source's rows on (columns
    /// picked, a limit): joins, aggregates, sorts, filters, expressions, shared results.
    static func computesLocally(_ plan: LogicalPlan) -> Bool {
        switch plan {
        case .remote, .singleRow, .values: return false
        case .limit(let c, _, _), .guarded(let c, _): return computesLocally(c)
        case .project(let c, let exprs, _):
            let passes = exprs.allSatisfy { e in
                switch e.kind {
                case .column, .literal: true
                default: false
                }
            }
            return !passes || computesLocally(c)
        default: return true
        }
    }

    func explain(_ query: Query, analyze: Bool) async throws -> QueryResult {
        let planned = try await plan(query)
        let hiding = try hidesPolicies(auditFacts.policies)
        var lines: [String]
        if analyze {
            let root = try PlanExecutor(connectors: planned.connectors, budget: MemoryBudget(limit: memoryLimit),
                                        observer: SourceHealth(engine: engine, org: org), analyze: true).build(planned.plan)
            let result = QueryResult(root: root)
            let start = DispatchTime.now().uptimeNanoseconds
            var rows = 0
            while let b = try await result.next() { rows += b.rowCount }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            var notes: [LogicalPlanPath: String] = [:]
            // Below a policy guard, counts would tell how many rows the policy removed: only
            // the local superuser sees them.
            let hidden = principal == nil ? [] : Self.pathsBelowGuards(planned.plan)
            func record(_ op: any PhysicalOperator, _ path: [Int]) {
                let p = LogicalPlanPath(indices: path)
                notes[p] = hidden.contains(p) ? "actual rows hidden by policy"
                    : (["actual rows=\(op.rowsProduced)"] + op.analyzeNotes).joined(separator: ", ")
                for (i, c) in op.children.enumerated() { record(c, path + [i]) }
            }
            record(root, [])
            lines = PlanPrinter.render(planned.plan, hidingPolicies: hiding) { path in notes[path].map { "(\($0))" } }
            lines.append("Execution time: \(String(format: "%.3f", ms)) ms, \(rows) rows")
        } else {
            lines = PlanPrinter.render(planned.plan, hidingPolicies: hiding)
        }
        if !planned.rulesApplied.isEmpty {
            lines.append("Optimizer rules that changed the plan: \(planned.rulesApplied.joined(separator: ", "))")
        }
        if !pushdownEnabled { lines.append("Pushdown: off") }
        lines += try policyLines(auditFacts.policies)
        return QueryResult(fields: [Field(name: "QUERY PLAN", type: .text)], rows: lines.map { [.string($0)] })
    }
}
