import MeshCore

/// A data product as the planner sees it: where it lives and its columns.
public struct ProductScan: Sendable, Hashable {
    /// `mesh.product`, for EXPLAIN and lineage.
    public var productName: String
    /// Identifies the source; plans with one connector id can be pushed down together.
    public var connectorID: String
    public var connectorName: String
    public var remoteSchema: String?
    public var remoteTable: String
    /// The product's columns as they appear in the query.
    public var fields: [Field]
    /// The column names at the source (same order as `fields`).
    public var remoteColumns: [String]

    public init(productName: String, connectorID: String, connectorName: String, remoteSchema: String?,
                remoteTable: String, fields: [Field], remoteColumns: [String]) {
        self.productName = productName
        self.connectorID = connectorID
        self.connectorName = connectorName
        self.remoteSchema = remoteSchema
        self.remoteTable = remoteTable
        self.fields = fields
        self.remoteColumns = remoteColumns
    }
}

/// A query sent to one source: the SQL, its bound values, and the output it promises.
public struct RemoteFragment: Sendable {
    public var connectorID: String
    public var connectorName: String
    public var dialectName: String
    public var sql: String
    public var parameters: [Value]
    public var fields: [Field]
    /// The products read, for EXPLAIN and lineage.
    public var products: [String]
}

public struct SortKey: Sendable, Hashable {
    public var expr: BoundExpr
    public var descending: Bool
    public var nullsFirst: Bool

    public init(expr: BoundExpr, descending: Bool, nullsFirst: Bool) {
        self.expr = expr
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

public enum PlanJoinKind: String, Sendable, Hashable {
    case inner, left, right, full, cross
}

/// The relational plan. Every node's output is `fields`; expressions refer to the child's
/// output by position (for a join: left columns, then right columns).
public indirect enum LogicalPlan: Sendable {
    case scan(ProductScan)
    /// One row with no columns: `SELECT 1`.
    case singleRow
    case filter(LogicalPlan, BoundExpr)
    case project(LogicalPlan, [BoundExpr], [Field])
    case join(LogicalPlan, LogicalPlan, PlanJoinKind, BoundExpr?)
    /// Output: the group expressions, then one column per aggregate.
    case aggregate(LogicalPlan, groups: [BoundExpr], aggregates: [AggregateCall], [Field])
    case sort(LogicalPlan, [SortKey])
    case limit(LogicalPlan, limit: Int?, offset: Int)
    case distinct(LogicalPlan)
    /// `UNION ALL` of inputs with the same column types.
    case unionAll([LogicalPlan], [Field])
    /// After pushdown: a subtree that runs entirely in one source.
    case remote(RemoteFragment)

    public var fields: [Field] {
        switch self {
        case .scan(let s): s.fields
        case .singleRow: []
        case .filter(let c, _), .sort(let c, _), .limit(let c, _, _), .distinct(let c): c.fields
        case .project(_, _, let f), .aggregate(_, _, _, let f), .unionAll(_, let f): f
        case .join(let l, let r, let kind, _):
            Self.joinFields(l.fields, r.fields, kind)
        case .remote(let r): r.fields
        }
    }

    /// The output of a join: left columns, then right; the outer side's become nullable.
    public static func joinFields(_ left: [Field], _ right: [Field], _ kind: PlanJoinKind) -> [Field] {
        func nullable(_ fs: [Field]) -> [Field] { fs.map { var f = $0; f.nullable = true; return f } }
        switch kind {
        case .inner, .cross: return left + right
        case .left: return left + nullable(right)
        case .right: return nullable(left) + right
        case .full: return nullable(left + right)
        }
    }

    public var children: [LogicalPlan] {
        switch self {
        case .scan, .singleRow, .remote: []
        case .filter(let c, _), .project(let c, _, _), .aggregate(let c, _, _, _), .sort(let c, _),
             .limit(let c, _, _), .distinct(let c): [c]
        case .join(let l, let r, _, _): [l, r]
        case .unionAll(let cs, _): cs
        }
    }

    /// Every product this plan reads.
    public var products: [String] {
        switch self {
        case .scan(let s): [s.productName]
        case .remote(let r): r.products
        default: children.flatMap(\.products)
        }
    }
}
