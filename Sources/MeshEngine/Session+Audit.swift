import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshLineage
import MeshPlan
import MeshPolicy
import MeshSQL

/// What planning learned about a query, for its audit record.
struct AuditFacts: Sendable {
    var products: [String] = []
    var columns: [String] = []
    var policies: [String] = []
    var remoteQueries: [AuditRecord.RemoteQuery] = []
    /// Where each column of the answer comes from (the same for every value of a template's
    /// literals, so a cached plan's facts keep it).
    var lineage: ColumnLineage?
    /// `lineage` as the query API's JSON, made once per plan (a cached plan keeps it).
    var lineageJSON: String?
    /// The products read, as OpenLineage input datasets, and the answer's columns.
    var inputs: [LineageInput] = []
    var output: [Field] = []
}

extension Session {
    /// Runs `body` and leaves exactly one audit record for it: when it fails, when it returns
    /// a message, or when its rows end (read, failed, closed or dropped).
    func audited(_ statement: Statement, text: String, _ body: () async throws -> StatementResult) async throws -> StatementResult {
        let start = DispatchTime.now().uptimeNanoseconds
        auditFacts = AuditFacts()
        var record = newAuditRecord(kind: statement.auditKind, text: text)
        // A query's OpenLineage run: START now, COMPLETE or FAIL with its record.
        let lineageSink = statement.auditKind == "query" ? engine.lineageSink : nil
        let org = self.org
        let runID = UUID.newQueryID()
        lineageSink?.emit(.start, OpenLineageEvent.Query(runID: runID, record: record, org: org))
        func finish(_ r: inout AuditRecord, _ facts: AuditFacts, rows: Int?, error: (any Error)?) {
            r.products = facts.products
            r.columns = facts.columns
            r.policies = facts.policies
            r.remoteQueries = facts.remoteQueries
            r.rowCount = rows
            r.elapsedMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if let error {
                let code = (error as? MeshError)?.code
                r.sqlstate = (error as? MeshError)?.sqlState ?? MeshError(.internalError, "").sqlState
                r.decision = r.rowCount == nil && code.map(Self.refusalCodes.contains) == true ? .refused : .failed
            }
            guard let lineageSink else { return }
            let q = OpenLineageEvent.Query(runID: runID, record: r, org: org, inputs: facts.inputs, output: facts.output,
                                           lineage: facts.lineage, errorState: error == nil ? nil : r.sqlstate)
            lineageSink.emit(error == nil ? .complete : .fail, q)
        }
        do {
            let result = try await body()
            // EXPLAIN planned a query it did not run: its answer is the plan, with no lineage.
            if statement.auditKind != "query" {
                auditFacts.lineage = nil
                auditFacts.lineageJSON = nil
            }
            switch result {
            case .rows(let rows):
                // The rows may outlive the session (a server answers after its handler
                // returned): the record goes straight to the engine's writer.
                let facts = auditFacts
                let writer = engine.auditWriter
                rows.onFinish = { count, error in
                    finish(&record, facts, rows: count, error: error)
                    if error != nil, record.decision == .refused { record.decision = .failed }
                    writer.append(record, org: org)
                }
            case .message:
                finish(&record, auditFacts, rows: nil, error: nil)
                writeAudit(record)
            }
            return result
        } catch {
            finish(&record, auditFacts, rows: nil, error: error)
            writeAudit(record)
            throw error
        }
    }

    /// A statement that did not parse still leaves its record.
    func auditUnparsed(_ text: String, _ error: MeshError) {
        var r = newAuditRecord(kind: "unparsed", text: text)
        r.decision = .refused
        r.sqlstate = error.sqlState
        writeAudit(r)
    }

    /// Who the audit log says ran a statement: the user's email, `(no user)` for a principal
    /// without one, `meshql` for the local superuser.
    var auditPrincipal: String { principal.map { $0.user.isEmpty ? "(no user)" : $0.user } ?? "meshql" }

    func newAuditRecord(kind: String, text: String) -> AuditRecord {
        let isQuery = kind == "query" || kind.hasPrefix("explain")
        return AuditRecord(queryID: (isQuery ? queryID : nil) ?? UUID.newQueryID(),
                           principal: auditPrincipal,
                           roles: principal?.roles.sorted() ?? [], kind: kind,
                           statement: statementShape?.redacted ?? LiteralRedaction.redact(text), decision: .allowed)
    }

    /// Errors that mean "not allowed or not there" rather than "went wrong".
    static let refusalCodes: Set<MeshError.Code> = [.undefinedTable, .undefinedColumn, .permission, .syntax, .undefinedObject]

    /// Hands the record to the engine's background writer. (Not written at all on a
    /// read-only catalog.)
    func writeAudit(_ r: AuditRecord) {
        engine.auditWriter.append(r, org: org)
    }

    /// The audit facts of a planned query: every product and column its bound plan reads
    /// (the derived products in `views` too), the policies applied, and the SQL sent to each
    /// source.
    func recordAuditFacts(bound: LogicalPlan, views: [String] = [], optimized: LogicalPlan, connectors: [String: any Connector] = [:]) {
        var facts = AuditFacts()
        facts.products = views
        // Pruned, each scan keeps the columns something reads: the query or a policy filter.
        let pruned = (try? ColumnPruning().apply(bound).0) ?? bound
        var columns: [String] = []
        for scan in pruned.allScans {
            if !facts.products.contains(scan.productName) { facts.products.append(scan.productName) }
            for f in scan.fields {
                let name = "\(scan.productName).\(f.name)"
                if !columns.contains(name) { columns.append(name) }
            }
        }
        facts.columns = columns
        let lineage = ColumnLineage.of(bound)
        facts.lineage = lineage
        facts.lineageJSON = lineage.jsonText
        facts.output = bound.fields
        // The products the query reads (not those only a policy's filter reads), each with the
        // columns the query read of it (never the hidden ones a policy filter reads).
        var read: [String: Set<String>] = [:]
        for e in lineage.fields.flatMap(\.inputs) + lineage.dataset { read[e.source.product, default: []].insert(e.source.column) }
        var seen = Set<String>()
        let queried = Set(bound.queryScans.map(\.productName))
        for scan in pruned.allScans where queried.contains(scan.productName) && seen.insert(scan.productName).inserted {
            let columns = read[scan.productName] ?? []
            facts.inputs.append(LineageInput(product: scan.productName,
                                             dataset: connectors[scan.connectorID]?.lineageName(schema: scan.remoteSchema, table: scan.remoteTable),
                                             fields: scan.fields.filter { columns.contains($0.name) }))
        }
        bound.visit { node in
            if case .guarded(_, let g) = node {
                for id in g.policyIDs where !facts.policies.contains(id) { facts.policies.append(id) }
            }
        }
        optimized.visit { node in
            if case .remote(let r) = node { facts.remoteQueries.append(.init(connector: r.connectorName, sql: r.sql)) }
        }
        auditFacts = facts
    }
}

extension Statement {
    /// The statement's kind for the audit log: `query`, `explain`, `create connector` …
    var auditKind: String {
        switch self {
        case .query: "query"
        case .explain(_, let analyze): analyze ? "explain analyze" : "explain"
        case .createMesh: "create mesh"
        case .alterMesh: "alter mesh"
        case .dropMesh: "drop mesh"
        case .createConnector: "create connector"
        case .alterConnector: "alter connector"
        case .dropConnector: "drop connector"
        case .testConnector: "test connector"
        case .createProduct, .createView: "create data product"
        case .importProducts: "import data products"
        case .alterProductColumnTags: "alter data product"
        case .refreshProduct: "refresh data product"
        case .dropProduct: "drop data product"
        case .show: "show"
        case .describe: "describe"
        case .use: "use"
        case .set: "set"
        case .policy: "policy"
        case .createPolicy: "create policy"
        case .dropPolicy, .dropPolicyEntry: "drop policy"
        case .createHashDomain: "create hash domain"
        case .alterHashDomain: "alter hash domain"
        case .dropHashDomain: "drop hash domain"
        }
    }
}
