import MeshCore

/// One window function call: `rank() OVER (PARTITION BY … ORDER BY …)`. The frame is SQL's
/// default: with ORDER BY, from the partition's start through the current row's peers;
/// without, the whole partition.
public struct WindowCall: Sendable, Hashable {
    public enum Function: Sendable, Hashable {
        case rowNumber, rank, denseRank
        /// `lag(value [, offset [, default]])` and `lead(…)`: arguments value, default.
        case lag(offset: Int), lead(offset: Int)
        /// sum, avg, count, min, max … over the frame: arguments as the aggregate's.
        case aggregate(AggregateFunction)
    }

    public var function: Function
    public var arguments: [BoundExpr]
    public var partitionBy: [BoundExpr]
    public var orderBy: [SortKey]
    public var resultType: DataType

    public init(function: Function, arguments: [BoundExpr], partitionBy: [BoundExpr], orderBy: [SortKey],
                resultType: DataType) {
        self.function = function
        self.arguments = arguments
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.resultType = resultType
    }

    /// Every expression the call reads.
    public var expressions: [BoundExpr] { arguments + partitionBy + orderBy.map(\.expr) }

    /// The same call with `f` applied to each of its expressions.
    public func mapping(_ f: (BoundExpr) throws -> BoundExpr) rethrows -> WindowCall {
        var c = self
        c.arguments = try arguments.map(f)
        c.partitionBy = try partitionBy.map(f)
        c.orderBy = try orderBy.map { SortKey(expr: try f($0.expr), descending: $0.descending, nullsFirst: $0.nullsFirst) }
        return c
    }

    public var name: String {
        switch function {
        case .rowNumber: "row_number"
        case .rank: "rank"
        case .denseRank: "dense_rank"
        case .lag: "lag"
        case .lead: "lead"
        case .aggregate(let f): f == .countStar ? "count" : f.rawValue
        }
    }
}
