import MeshCore

/// EXPLAIN text: one line per node, children indented, remote fragments with the exact SQL
/// and parameters sent to their source.
public enum PlanPrinter {
    /// - Parameter hidingPolicies: for a principal who does not manage the policies applied:
    ///   what a policy guard holds (its filter, masks, the rows it reads) and the SQL of a
    ///   remote query holding a policy are not shown, only the policies' ids.
    public static func render(_ plan: LogicalPlan, hidingPolicies: Bool = false,
                              annotations: (LogicalPlanPath) -> String? = { _ in nil }) -> [String] {
        var lines: [String] = []
        walk(plan, depth: 0, path: LogicalPlanPath(indices: []), &lines, hidingPolicies, annotations)
        return lines
    }

    static func walk(_ plan: LogicalPlan, depth: Int, path: LogicalPlanPath, _ lines: inout [String],
                     _ hiding: Bool, _ annotations: (LogicalPlanPath) -> String?) {
        let pad = String(repeating: "  ", count: depth)
        let arrow = depth == 0 ? "" : "-> "
        let note = annotations(path).map { "  " + $0 } ?? ""
        let inputNames = childNames(plan)
        func expr(_ e: BoundExpr) -> String { describe(e, names: inputNames) }
        switch plan {
        case .shared(let defs, let body):
            // The query first, then each definition its shared scans read (as PostgreSQL
            // shows a CTE's plan).
            walk(body, depth: depth, path: LogicalPlanPath(indices: path.indices + [defs.count]), &lines, hiding, annotations)
            for (i, d) in defs.enumerated() {
                lines.append("\(pad)Shared #\(d.id): \(d.name) (run once for all its readers)")
                walk(d.plan, depth: depth + 1, path: LogicalPlanPath(indices: path.indices + [i]), &lines, hiding, annotations)
            }
            return
        case .sharedScan(let s):
            lines.append("\(pad)\(arrow)Shared Scan #\(s.id): \(s.name)\(note)")
        case .scan(let s):
            lines.append("\(pad)\(arrow)Scan \(s.productName) [\(s.connectorName)]\(note)")
        case .singleRow:
            lines.append("\(pad)\(arrow)Result (one row)\(note)")
        case .values(let v):
            lines.append("\(pad)\(arrow)Values \(v.name) (\(v.rows.count) rows)\(note)")
        case .filter(_, let p):
            lines.append("\(pad)\(arrow)Filter: \(expr(p))\(note)")
        case .project(_, let exprs, let columns):
            let items = zip(exprs, columns).map { e, f in
                let d = expr(e)
                return d == f.name ? d : "\(d) AS \(f.name)"
            }
            lines.append("\(pad)\(arrow)Project: \(items.joined(separator: ", "))\(note)")
        case .join(let l, let r, let kind, let cond):
            let c = cond.map { " on " + expr($0) } ?? ""
            // Without an equality key the executor pairs rows in a nested loop.
            let method = cond?.hasEqualityKey(between: l.columns.idSet, and: r.columns.idSet) == true ? "Hash" : "Nested Loop"
            lines.append("\(pad)\(arrow)\(method) \(kind.label) Join\(c)\(note)")
        case .aggregate(_, let groups, let aggs, _):
            let g = groups.map(expr).joined(separator: ", ")
            let a = aggs.map { describe($0, names: inputNames) }.joined(separator: ", ")
            lines.append("\(pad)\(arrow)Hash Aggregate\(g.isEmpty ? "" : " by \(g)"): \(a)\(note)")
        case .sort(_, let keys):
            let k = keys.map { "\(expr($0.expr))\($0.descending ? " DESC" : "")\($0.nullsFirst != $0.descending ? ($0.nullsFirst ? " NULLS FIRST" : " NULLS LAST") : "")" }
            lines.append("\(pad)\(arrow)Sort: \(k.joined(separator: ", "))\(note)")
        case .limit(_, let limit, let offset):
            lines.append("\(pad)\(arrow)Limit: \(limit.map(String.init) ?? "ALL")\(offset > 0 ? " offset \(offset)" : "")\(note)")
        case .distinct:
            lines.append("\(pad)\(arrow)Distinct\(note)")
        case .guarded(_, let g):
            let ids = g.policyIDs.isEmpty ? "" : " (policies \(g.policyIDs.joined(separator: ", ")))"
            lines.append("\(pad)\(arrow)Policy Guard: \(g.product)\(ids)\(note)")
            if hiding {
                lines.append("\(pad)     (what the policies do is shown to the managers of its mesh)")
                return
            }
        case .unionAll:
            lines.append("\(pad)\(arrow)Union All\(note)")
        case .window(_, let calls, _):
            lines.append("\(pad)\(arrow)Window: \(calls.map { describe($0, names: inputNames) }.joined(separator: ", "))\(note)")
        case .remote(let r):
            // Estimates of huge joins pass Int's range: printed as a double then.
            let estimate = r.estimatedRows.map { e in
                " (est. rows=\(Int(exactly: e.rounded()).map(String.init) ?? String(format: "%.3g", e)))"
            } ?? ""
            let policies = r.policyIDs.isEmpty ? "" : " under policies \(r.policyIDs.joined(separator: ", "))"
            if hiding, !r.policyIDs.isEmpty {
                // The SQL holds the policy's condition and values; estimates count hidden rows.
                lines.append("\(pad)\(arrow)Remote [\(r.connectorName), \(r.dialectName)] reads \(r.products.joined(separator: ", "))\(policies)\(note)")
                lines.append("\(pad)     SQL: (shown to the managers of the meshes whose policies it holds)")
                return
            }
            lines.append("\(pad)\(arrow)Remote [\(r.connectorName), \(r.dialectName)] reads \(r.products.joined(separator: ", "))\(policies)\(estimate)\(note)")
            lines.append("\(pad)     SQL: \(r.sql)")
            if !r.parameters.isEmpty {
                let ps = r.parameters.enumerated().map { "$\($0.offset + 1) = \(literal($0.element))" }
                lines.append("\(pad)     Params: \(ps.joined(separator: ", "))")
            }
            if !r.ranges.isEmpty {
                lines.append("\(pad)     Read as \(r.ranges.count) row ranges at once, each with: \(r.rangeSQL ?? "")")
            }
        }
        for (i, c) in plan.children.enumerated() {
            walk(c, depth: depth + 1, path: LogicalPlanPath(indices: path.indices + [i]), &lines, hiding, annotations)
        }
    }

    /// The names of the columns a node's expressions read: its inputs' output columns.
    static func childNames(_ plan: LogicalPlan) -> [ColumnID: String] {
        var names: [ColumnID: String] = [:]
        for child in plan.children {
            for c in child.columns { names[c.id] = c.name }
        }
        return names
    }

    /// A value as EXPLAIN shows it; a long string is cut (a 5 MB constant made EXPLAIN 5 MB).
    static func literal(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .string, .date, .timestamp:
            let text = v.description
            guard text.count > maxShownCharacters else { return "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
            return "'" + text.prefix(maxShownCharacters).replacingOccurrences(of: "'", with: "''") + "…' (\(text.count) characters)"
        default: return v.description
        }
    }

    static let maxShownCharacters = 120

    public static func describe(_ a: AggregateCall, names: [ColumnID: String]) -> String {
        let args = a.function == .countStar ? "*" : a.arguments.map { describe($0, names: names) }.joined(separator: ", ")
        let name = a.function == .countStar ? "count" : a.function.rawValue
        var s = "\(name)(\(a.distinct ? "DISTINCT " : "")\(args))"
        if let f = a.filter { s += " FILTER (WHERE \(describe(f, names: names)))" }
        return s
    }

    public static func describe(_ w: WindowCall, names: [ColumnID: String]) -> String {
        var over: [String] = []
        if !w.partitionBy.isEmpty { over.append("PARTITION BY " + w.partitionBy.map { describe($0, names: names) }.joined(separator: ", ")) }
        if !w.orderBy.isEmpty {
            over.append("ORDER BY " + w.orderBy.map { describe($0.expr, names: names) + ($0.descending ? " DESC" : "") }.joined(separator: ", "))
        }
        let args = w.arguments.map { describe($0, names: names) }.joined(separator: ", ")
        return "\(w.name)(\(args)) OVER (\(over.joined(separator: " ")))"
    }

    /// A readable rendering of an expression over named inputs.
    public static func describe(_ e: BoundExpr, names: [ColumnID: String]) -> String {
        func d(_ x: BoundExpr) -> String { describe(x, names: names) }
        switch e.kind {
        case .column(let id): return names[id] ?? id.description
        case .slot(let i): return "$slot\(i)"
        case .literal(let v): return literal(v)
        case .negate(let x): return "-\(d(x))"
        case .not(let x): return "NOT \(d(x))"
        case .arithmetic(let op, let a, let b): return "(\(d(a)) \(op.rawValue) \(d(b)))"
        case .comparison(let op, let a, let b): return "(\(d(a)) \(op.rawValue) \(d(b)))"
        case .and(let a, let b): return "(\(d(a)) AND \(d(b)))"
        case .or(let a, let b): return "(\(d(a)) OR \(d(b)))"
        case .concat(let a, let b): return "(\(d(a)) || \(d(b)))"
        case .isNull(let x, let n): return "(\(d(x)) IS \(n ? "NOT " : "")NULL)"
        case .isDistinctFrom(let a, let b, let n): return "(\(d(a)) IS \(n ? "NOT " : "")DISTINCT FROM \(d(b)))"
        case .inList(let x, let l, let n): return "(\(d(x)) \(n ? "NOT " : "")IN (\(l.map(d).joined(separator: ", "))))"
        case .like(let x, let p, _, let ci, let n): return "(\(d(x)) \(n ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(d(p)))"
        case .caseWhen(let ws, let o):
            return "CASE" + ws.map { " WHEN \(d($0.condition)) THEN \(d($0.result))" }.joined() + (o.map { " ELSE \(d($0))" } ?? "") + " END"
        case .cast(let x): return "CAST(\(d(x)) AS \(e.type))"
        // The key of a hashing mask stays out of EXPLAIN.
        case .function(MaskFunctions.hashFunction, let args): return "hash(\(args.prefix(1).map(d).joined()))"
        case .function(let n, let args): return "\(n)(\(args.map(d).joined(separator: ", ")))"
        case .aggregate(let a): return describe(a, names: names)
        case .window(let w): return describe(w, names: names)
        case .subquery(let q):
            let body = q.kind == .exists ? "EXISTS (subquery)" : q.kind == .in ? (q.comparison == .equal ? "IN (subquery)" : "\(q.comparison.rawValue) ANY (subquery)") : "(subquery)"
            let operand = q.operand.map { d($0) + " " } ?? ""
            return "\(operand)\(q.negated ? "NOT " : "")\(body)"
        }
    }
}

/// The position of a node in a plan: child indices from the root.
public struct LogicalPlanPath: Hashable, Sendable {
    public var indices: [Int]
    public init(indices: [Int]) { self.indices = indices }
}
