import Foundation
import MeshCatalog
import MeshCore
import MeshExec
import MeshPlan
import MeshSQL

extension Session {
    /// `SHOW AUDIT [WHERE …] [LIMIT n]`: the org's audit log, newest first, for org admins.
    func showAudit(where condition: Expr?, limit: Int?) throws -> QueryResult {
        guard isAdmin else {
            throw MeshError(.permission, "permission denied: only org admins may read the audit log")
        }
        let names: [(String, DataType)] = [
            ("at", .timestamptz), ("principal", .text), ("roles", .text), ("kind", .text), ("decision", .text),
            ("sqlstate", .text), ("rows", .bigint), ("ms", .double), ("statement", .text), ("products", .text),
            ("columns", .text), ("policies", .text), ("remote_sql", .text), ("query_id", .text),
        ]
        let columns = names.map { PlanColumn(id: .fresh(), name: $0.0, type: $0.1) }
        engine.flushAudit()
        let records = try catalog.auditRecords(org: org, limit: condition == nil ? limit : nil)
        var rows = records.map { r -> [Value] in
            [.timestamp(Int64((r.at.timeIntervalSince1970 * 1_000_000).rounded())), .string(r.principal),
             .string(r.roles.joined(separator: ", ")), .string(r.kind), .string(r.decision.rawValue),
             r.sqlstate.map(Value.string) ?? .null, r.rowCount.map { .int(Int64($0)) } ?? .null,
             r.elapsedMilliseconds.map(Value.double) ?? .null, .string(r.statement), .string(r.products.joined(separator: ", ")),
             .string(r.columns.joined(separator: ", ")), .string(r.policies.joined(separator: ", ")),
             .string(r.remoteQueries.map { "[\($0.connector)] \($0.sql)" }.joined(separator: "\n")), .string(r.queryID)]
        }
        let fields = columns.map { Field(name: $0.name, type: $0.type) }
        if let condition, !rows.isEmpty {
            let bound = try Binder.bindPredicate(condition, over: columns, clause: "SHOW AUDIT WHERE")
            let predicate = try ExpressionCompiler.compilePredicate(try bound.slotted(columns.layout))
            let keep = try predicate(Batch.fromRows(rows, types: fields.map(\.type)))
            rows = zip(rows, keep).filter(\.1).map(\.0)
            if let limit { rows = Array(rows.prefix(limit)) }
        }
        return QueryResult(fields: fields, rows: rows)
    }
}
