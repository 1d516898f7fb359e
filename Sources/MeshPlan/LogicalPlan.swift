import MeshCore
import MeshDialect

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
    /// The columns' types as the source names them (`int(10) unsigned`), where known (same
    /// order as `fields`, or empty): a dialect may read a column by it (`SQLDialect.tableColumn`).
    public var nativeTypes: [String] = []
    /// The identity of each column in this use of the product (same order as `fields`); the
    /// binder mints them, so two scans of one product have different ids.
    public var columnIDs: [ColumnID]

    public init(productName: String, connectorID: String, connectorName: String, remoteSchema: String?,
                remoteTable: String, fields: [Field], remoteColumns: [String], nativeTypes: [String] = [],
                columnIDs: [ColumnID] = []) {
        self.productName = productName
        self.connectorID = connectorID
        self.connectorName = connectorName
        self.remoteSchema = remoteSchema
        self.remoteTable = remoteTable
        self.fields = fields
        self.remoteColumns = remoteColumns
        self.nativeTypes = nativeTypes.count == fields.count ? nativeTypes : []
        self.columnIDs = columnIDs
    }

    public var columns: [PlanColumn] {
        zip(columnIDs, fields).map { PlanColumn(id: $0, name: $1.name, type: $1.type, nullable: $1.nullable) }
    }

    /// The same product with fresh column ids (a new use of it in a query).
    public func withFreshIDs() -> ProductScan {
        var s = self
        s.columnIDs = fields.map { _ in .fresh() }
        return s
    }
}

/// What sits under a `.guarded` node: one product's row filter and masks, placed by the binder
/// before any expression of the query (SQL.md §5, DESIGN.md §7).
public struct PolicyGuard: Sendable, Hashable {
    /// `mesh.product`.
    public var product: String
    /// Ids of the policy statements applied (`sales#2`), for EXPLAIN and the audit log.
    public var policyIDs: [String]
    /// Output columns whose mask is not leakproof (it can raise an error): a condition on
    /// them, leakproof or not, stays above the guard.
    public var unsafeColumns: Set<ColumnID>
    /// The guard's child is the binder's `.project` of the product's columns and masks (over
    /// its row filter, when `rowFiltered`); otherwise the product's plan as it is.
    public var restricted: Bool
    public var rowFiltered: Bool
    /// Output columns a mask computes.
    public var maskedColumns: Set<ColumnID>

    public init(product: String, policyIDs: [String], unsafeColumns: Set<ColumnID> = [], restricted: Bool = false,
                rowFiltered: Bool = false, maskedColumns: Set<ColumnID> = []) {
        self.product = product
        self.policyIDs = policyIDs
        self.unsafeColumns = unsafeColumns
        self.restricted = restricted
        self.rowFiltered = rowFiltered
        self.maskedColumns = maskedColumns
    }
}

/// One physical row range of a table: the session settings a range condition reads.
public struct RowRange: Sendable, Hashable {
    public var settings: [String: String]
    public init(settings: [String: String]) { self.settings = settings }
}

/// A query sent to one source: the SQL, its bound values, and the output it promises.
public struct RemoteFragment: Sendable, Hashable {
    public var connectorID: String
    public var connectorName: String
    public var dialectName: String
    /// The SQL with its bound values as slots, which the connector's dialect renders when
    /// the query is sent (the executor may wrap it in a dynamic filter first).
    public var text: SQLText
    /// `text` as the dialect renders it, for EXPLAIN, audit and lineage.
    public var sql: String
    public var parameters: [Value]
    /// The output, in the order of the SQL's select list; the ids are those of the subtree
    /// the fragment replaced.
    public var columns: [PlanColumn]
    /// The products read, for EXPLAIN and lineage.
    public var products: [String]
    /// Rows the planner expects (nil: no estimate): a source may run a small query
    /// differently (PostgreSQL: at once, where a parallel plan is allowed, not by a cursor).
    public var estimatedRows: Double?
    /// Ids of the policy statements applied inside the SQL, for EXPLAIN.
    public var policyIDs: [String]
    /// One of several identical fragments (a grouped CTE referenced more than once) that the
    /// executor runs once for all of them.
    public var shared = false
    /// A big read of one table cut into physical row ranges, read at once: `rangeSQL` is
    /// `sql` with the dialect's range condition and session settings for its values, and each
    /// element of `ranges` the values of its settings for one range (see
    /// `SQLDialect.rowRangeCondition`). Empty: one query.
    public var rangeSQL: String? = nil
    public var ranges: [RowRange] = []

    public init(connectorID: String, connectorName: String, dialectName: String, text: SQLText, dialect: any SQLDialect,
                parameters: [Value], columns: [PlanColumn], products: [String], estimatedRows: Double? = nil,
                policyIDs: [String] = []) {
        self.policyIDs = policyIDs
        self.connectorID = connectorID
        self.connectorName = connectorName
        self.dialectName = dialectName
        self.text = text
        self.sql = text.render(dialect).sql
        self.parameters = parameters
        self.columns = columns
        self.products = products
        self.estimatedRows = estimatedRows
    }

    public var fields: [Field] { columns.fields }
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

public enum PlanJoinKind: Sendable, Hashable {
    case inner, left, right, full, cross
    /// Left rows that have at least one match (EXISTS, IN); output: the left columns.
    case semi
    /// Left rows that have no match (NOT EXISTS); output: the left columns.
    case anti
    /// `x NOT IN (subquery)`: an anti join whose equality keys follow SQL's NULL rules. A
    /// left row is kept when the right side is empty, or when its key is not NULL, no right
    /// key is NULL and nothing matches. The condition holds only the key equalities.
    case nullAwareAnti
    /// Every left row, plus a boolean `mark` column: whether it has a match (EXISTS or IN
    /// inside an expression). With `nullAware`, an unmatched row's mark is NULL instead of
    /// false when its key is NULL or a right key is NULL (the right side not being empty),
    /// as `x IN (subquery)` is.
    case mark(PlanColumn, nullAware: Bool)

    /// Whether the output has the right input's columns.
    public var outputsRight: Bool {
        switch self {
        case .inner, .left, .right, .full, .cross: true
        case .semi, .anti, .nullAwareAnti, .mark: false
        }
    }

    /// For EXPLAIN: "Inner", "Semi", "Mark".
    public var label: String {
        switch self {
        case .inner: "Inner"
        case .left: "Left"
        case .right: "Right"
        case .full: "Full"
        case .cross: "Cross"
        case .semi: "Semi"
        case .anti: "Anti"
        case .nullAwareAnti: "Null-Aware Anti"
        case .mark: "Mark"
        }
    }
}

/// The relational plan. Every node's output is `columns`; expressions refer to columns of
/// their node's input by identity (`ColumnID`), so the order of a node's inputs and of their
/// columns is free to change. The output order of each node is still defined (a join: left
/// columns, then right), because the executor lays batches out in that order.
public indirect enum LogicalPlan: Sendable, Hashable {
    case scan(ProductScan)
    /// One row with no columns: `SELECT 1`.
    case singleRow
    /// Rows held in the plan (the emulated PostgreSQL catalog's tables).
    case values(ValuesRelation)
    case filter(LogicalPlan, BoundExpr)
    /// One output column per expression; each output has an id of its own.
    case project(LogicalPlan, [BoundExpr], [PlanColumn])
    case join(LogicalPlan, LogicalPlan, PlanJoinKind, BoundExpr?)
    /// Output: the group expressions, then one column per aggregate.
    case aggregate(LogicalPlan, groups: [BoundExpr], aggregates: [AggregateCall], [PlanColumn])
    case sort(LogicalPlan, [SortKey])
    case limit(LogicalPlan, limit: Int?, offset: Int)
    case distinct(LogicalPlan)
    /// `UNION ALL` of inputs with the same column types, matched by position.
    case unionAll([LogicalPlan], [PlanColumn])
    /// Window functions: the input's columns, then one column per call.
    case window(LogicalPlan, [WindowCall], [PlanColumn])
    /// After pushdown: a subtree that runs entirely in one source.
    case remote(RemoteFragment)
    /// The barrier above a product's policy filter and masks: the optimizer moves only
    /// leakproof conditions below it, and the SQL sent to a source keeps that order.
    case guarded(LogicalPlan, PolicyGuard)
    /// CTEs and views read in several places, bound and planned once (the definitions, each
    /// reading only those before it), and the query that reads them (`sharedScan`): a plan
    /// that is a DAG, so a CTE that reads the one before it twice no longer doubles the plan
    /// per level. Output: the query's. Always the root of a statement's plan.
    case shared([SharedDefinition], LogicalPlan)
    /// One place a shared definition is read.
    case sharedScan(SharedReference)

    public var columns: [PlanColumn] {
        switch self {
        case .scan(let s): s.columns
        case .singleRow: []
        case .values(let v): v.columns
        case .filter(let c, _), .sort(let c, _), .limit(let c, _, _), .distinct(let c), .guarded(let c, _): c.columns
        case .project(_, _, let cs), .aggregate(_, _, _, let cs), .unionAll(_, let cs): cs
        case .join(let l, let r, let kind, _):
            Self.joinColumns(l.columns, r.columns, kind)
        case .remote(let r): r.columns
        case .window(let c, _, let cs): c.columns + cs
        case .shared(_, let body): body.columns
        case .sharedScan(let s): s.columns
        }
    }

    public var fields: [Field] { columns.fields }

    /// The output of a join: left columns, then right; the outer side's become nullable.
    public static func joinColumns(_ left: [PlanColumn], _ right: [PlanColumn], _ kind: PlanJoinKind) -> [PlanColumn] {
        func nullable(_ cs: [PlanColumn]) -> [PlanColumn] { cs.map { var c = $0; c.nullable = true; return c } }
        switch kind {
        case .inner, .cross: return left + right
        case .left: return left + nullable(right)
        case .right: return nullable(left) + right
        case .full: return nullable(left + right)
        case .semi, .anti, .nullAwareAnti: return left
        case .mark(let mark, _): return left + [mark]
        }
    }

    public var children: [LogicalPlan] {
        switch self {
        case .scan, .singleRow, .values, .remote, .sharedScan: []
        case .filter(let c, _), .project(let c, _, _), .aggregate(let c, _, _, _), .sort(let c, _),
             .limit(let c, _, _), .distinct(let c), .window(let c, _, _), .guarded(let c, _): [c]
        case .join(let l, let r, _, _): [l, r]
        case .unionAll(let cs, _): cs
        // Each definition once, then the query.
        case .shared(let defs, let body): defs.map(\.plan) + [body]
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
