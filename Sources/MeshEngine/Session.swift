import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshExec
import MeshPlan
import MeshSQL

/// One user's conversation with the engine: the current mesh, the organisation, and whether
/// pushdown is on. Not shared between concurrent statements.
///
/// `@unchecked Sendable`: a session runs one statement at a time (the REPL and CLI await each
/// statement); its few mutable settings are only changed by the statement being run.
public final class Session: @unchecked Sendable {
    public let engine: Engine
    public var org = "default"
    /// `USE mesh` sets it; one-part table names resolve in it.
    public internal(set) var currentMesh: String?
    /// Off: only scans go to the sources (golden tests run both ways).
    public var pushdownEnabled = true
    /// Off: every query is planned afresh (tests compare the two).
    public var usesPlanCache = true
    /// The values of `$1`, `$2`, … for the statements run next (the API's `params`).
    public var parameters: [Literal] = []
    /// The id the server gave the request's query (`X-Query-Id`): its audit record takes it,
    /// so the two can be matched. Other statements get ids of their own.
    public var queryID: String?
    /// Bytes one query may hold in hash tables, sorts and aggregates (`--memory-limit`,
    /// `SET memory_limit`).
    public var memoryLimit = MemoryBudget.defaultLimit
    /// The most `SET memory_limit` may ask for (a server's ceiling); nil: no ceiling.
    public var memoryLimitCeiling: Int?
    /// The process id a PostgreSQL client was given (`pg_backend_pid()`); 0 elsewhere.
    public var backendPID: Int32 = 0
    /// A PostgreSQL client's session settings (`SET`), as `current_setting()` and
    /// `pg_settings` show them; the server's defaults elsewhere.
    public var clientSettings: [String: String] = [:]
    /// Who runs the statements; nil is the local superuser, who bypasses policies (SQL.md §5
    /// rule 9). `--user`/`--role`/`--attr` and the REPL's `\as` set it.
    public var principal: Principal?
    /// What planning the current statement learned for its audit record.
    var auditFacts = AuditFacts()
    /// The ids of the policy statements the last query applied (`sales#2`): what EXPLAIN lists
    /// for anyone, and the API's JSON answer carries.
    public var policiesApplied: [String] { auditFacts.policies }
    /// The column lineage of the last query planned.
    public var lastLineage: ColumnLineage? { auditFacts.lineage }
    /// `lastLineage` as JSON text (see `ColumnLineage.jsonObject`).
    public var lastLineageJSON: String? { auditFacts.lineageJSON }
    /// The shape of the statement being run, when it came as text: the plan cache keys on
    /// it, and the audit log keeps its redacted text.
    var statementShape: QueryShape?

    init(engine: Engine) {
        self.engine = engine
    }

    var catalog: CatalogStore { engine.catalog }

    /// Parses a script into statements; syntax errors become `MeshError`s with positions.
    /// A script that does not parse is refused, and audited as such.
    public func parse(_ sql: String) throws -> [ParsedStatement] {
        do {
            return try Parser.parseStatements(sql)
        } catch {
            let e = MeshError(.syntax, error.message, at: error.location)
            auditUnparsed(sql, e)
            throw e
        }
    }

    /// Runs every statement of `sql` and returns the last one's result (earlier results are
    /// drained). Positions in errors are relative to `sql`.
    public func execute(_ sql: String) async throws -> StatementResult {
        try await execute(try parse(sql))
    }

    /// Runs parsed statements and returns the last one's result (earlier results are drained).
    public func execute(_ statements: [ParsedStatement]) async throws -> StatementResult {
        guard !statements.isEmpty else { return .message("") }
        var last: StatementResult = .message("")
        for (i, s) in statements.enumerated() {
            if i > 0, case .rows(let r) = last { _ = try await r.collectRows() }
            last = try await execute(s.statement, text: s.text, shape: s.shape)
        }
        return last
    }

    /// Runs one statement; `text` is what the audit log records (literals redacted), the
    /// statement printed back when not given.
    public func execute(_ statement: Statement, text: String? = nil) async throws -> StatementResult {
        try await execute(statement, text: text, shape: text.flatMap(QueryShape.init))
    }

    func execute(_ statement: Statement, text: String?, shape: QueryShape?) async throws -> StatementResult {
        statementShape = shape
        defer { statementShape = nil }
        return try await audited(statement, text: text ?? SQLPrinter.print(statement)) {
            try await self.run(statement)
        }
    }

    func run(_ statement: Statement) async throws -> StatementResult {
        try authorize(statement)
        switch statement {
        case .query(let q):
            return .rows(try await runQuery(q))
        case .explain(let q, let analyze):
            return .rows(try await offThePool { try await self.explain(q, analyze: analyze) })
        default:
            return try await offThePool { try await self.executeCatalogStatement(statement) }
        }
    }

    /// Runs `body`, which reads or writes the catalog (SQLite, blocking), on the source
    /// threads rather than on Swift's cooperative pool or a server's event loop.
    func offThePool<T>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(BlockingTaskExecutor.shared) { try await body() }
    }
}
