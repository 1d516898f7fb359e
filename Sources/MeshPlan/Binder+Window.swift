import MeshCore
import MeshSQL

extension Binder {
    /// `f(…) OVER ([PARTITION BY …] [ORDER BY …])`: row_number, rank, dense_rank, lag, lead,
    /// and count / sum / avg / min / max over the default frame.
    func bindWindow(_ call: FunctionCall, _ over: WindowSpec, scope: Scope, allowAggregates: Bool, clause: String,
                    at loc: SourceLocation) throws -> BoundExpr {
        guard allowAggregates else {
            throw MeshError(.groupingError, "window functions are not allowed in \(clause)", at: loc)
        }
        if call.distinct || call.filter != nil || !call.orderBy.isEmpty {
            throw MeshError(.notSupported, "DISTINCT, FILTER or ORDER BY inside a window function call is not supported", at: loc)
        }
        func bind(_ e: Expr) throws -> BoundExpr {
            try bindExpr(e, scope: scope, allowAggregates: true, clause: clause)
        }
        let args = try call.arguments.map(bind)
        let partition = try over.partitionBy.map(bind)
        let order = try over.orderBy.map {
            SortKey(expr: try bind($0.expr), descending: $0.descending, nullsFirst: $0.nullsFirst ?? $0.descending)
        }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(args.count) else {
                throw MeshError(.undefinedFunction, "function \(call.name) takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument(s)", at: loc)
            }
        }
        let function: WindowCall.Function
        var arguments = args
        let type: DataType
        switch call.name {
        case "row_number", "rank", "dense_rank":
            try arity(0...0)
            function = call.name == "row_number" ? .rowNumber : call.name == "rank" ? .rank : .denseRank
            type = .bigint
        case "lag", "lead":
            try arity(1...3)
            var offset = 1
            if args.count >= 2 {
                guard case .literal(.int(let n)) = args[1].kind, n >= 0, n <= Int64(Int32.max) else {
                    throw MeshError(.notSupported, "the offset of \(call.name) must be a non-negative integer constant", at: call.arguments[1].location)
                }
                offset = Int(n)
            }
            function = call.name == "lag" ? .lag(offset: offset) : .lead(offset: offset)
            type = args[0].type == .unknown ? .text : args[0].type
            arguments = [Self.coerce(args[0], to: type)]
            if args.count == 3 { arguments.append(try Self.coerceChecked(args[2], to: type, at: call.arguments[2].location)) }
        case "count", "sum", "avg", "min", "max":
            let f: AggregateFunction = call.isStar ? .countStar
                : call.name == "count" ? .count : call.name == "sum" ? .sum : call.name == "avg" ? .avg : call.name == "min" ? .min : .max
            try arity(f == .countStar ? 0...0 : 1...1)
            guard let t = TypeRules.aggregate(f, args.first?.type) else {
                throw MeshError(.undefinedFunction, "function \(call.name)(\(args.map(\.type.description).joined(separator: ", "))) does not exist", at: loc)
            }
            function = .aggregate(f)
            type = t
        default:
            throw MeshError(.notSupported, "\(call.name) is not supported as a window function", at: loc)
        }
        let w = WindowCall(function: function, arguments: arguments, partitionBy: partition, orderBy: order, resultType: type)
        return BoundExpr(.window(w), type: type, at: loc)
    }

    /// Replaces the window calls in `exprs` by columns of one window node over `plan`.
    static func placeWindows(_ plan: LogicalPlan, _ exprs: inout [BoundExpr]) -> LogicalPlan {
        var calls: [WindowCall] = []
        var columns: [PlanColumn] = []
        exprs = exprs.map { e in
            e.rewritten { node in
                guard case .window(let w) = node.kind else { return node }
                if let i = calls.firstIndex(of: w) { return BoundExpr(.column(columns[i].id), type: node.type, at: node.location) }
                calls.append(w)
                columns.append(.fresh(w.name, w.resultType))
                return BoundExpr(.column(columns[columns.count - 1].id), type: node.type, at: node.location)
            }
        }
        return calls.isEmpty ? plan : .window(plan, calls, columns)
    }
}
