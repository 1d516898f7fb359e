/// Where each column of a query's answer comes from, from the bound plan, in OpenLineage's
/// terms (the `columnLineage` facet): per output column the product columns that feed it
/// DIRECTly (copied as they are, computed from, or aggregated), and for the answer as a whole
/// the columns that only decide which rows there are or how they are ordered (INDIRECT:
/// filter, join, group by, sort, window). A column read through a mask says so.
///
/// A policy's own row filter is not lineage of the query (and its columns are the policy's
/// business): a guarded product's columns count as read as they are, masked or not.
public struct ColumnLineage: Sendable, Hashable {
    /// A column of a data product.
    public struct Source: Sendable, Hashable, Comparable {
        public var product: String
        public var column: String
        public init(product: String, column: String) {
            self.product = product
            self.column = column
        }
        public static func < (a: Source, b: Source) -> Bool { (a.product, a.column) < (b.product, b.column) }
        public var description: String { product + "." + column }
    }

    /// OpenLineage's transformation subtypes: the first three are DIRECT, the rest INDIRECT.
    /// CONDITIONAL is a column's own input read only by a CASE's conditions (it picks which
    /// value the column takes, without being one); the others are the answer's as a whole.
    public enum Subtype: String, Sendable, Hashable, Comparable {
        case identity = "IDENTITY", transformation = "TRANSFORMATION", aggregation = "AGGREGATION"
        case filter = "FILTER", join = "JOIN", groupBy = "GROUP_BY", sort = "SORT", window = "WINDOW"
        case conditional = "CONDITIONAL"

        public var isDirect: Bool { self == .identity || self == .transformation || self == .aggregation }
        public var type: String { isDirect ? "DIRECT" : "INDIRECT" }
        /// The order in which direct subtypes stack: copied, then computed, then aggregated.
        var rank: Int {
            switch self {
            case .identity: 0
            case .transformation: 1
            case .aggregation: 2
            case .filter: 3
            case .join: 4
            case .groupBy: 5
            case .sort: 6
            case .window: 7
            case .conditional: 8
            }
        }
        public static func < (a: Subtype, b: Subtype) -> Bool { a.rank < b.rank }
    }

    public struct Edge: Sendable, Hashable, Comparable {
        public var source: Source
        public var subtype: Subtype
        /// The column was read through a mask policy.
        public var masked: Bool
        public init(source: Source, subtype: Subtype, masked: Bool) {
            self.source = source
            self.subtype = subtype
            self.masked = masked
        }
        public static func < (a: Edge, b: Edge) -> Bool { (a.source, a.subtype) < (b.source, b.subtype) }
    }

    /// One output column and what feeds it directly.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var inputs: [Edge]
    }

    /// The answer's columns in order.
    public var fields: [Field]
    /// What shapes the answer's rows as a whole.
    public var dataset: [Edge]

    /// The lineage of `plan`, a bound (not yet optimized) plan.
    public static func of(_ plan: LogicalPlan) -> ColumnLineage {
        var walker = LineageWalker()
        walker.visit(plan)
        let fields = plan.columns.map { c in
            Field(name: c.name, inputs: walker.direct[c.id].map(LineageWalker.edges) ?? [])
        }
        return ColumnLineage(fields: fields, dataset: walker.indirect.sorted())
    }
}

extension LogicalPlan {
    /// The scans the query reads for itself, subqueries included: not those only a policy
    /// reads (a row filter's subquery). Through a view, its bases.
    public var queryScans: [ProductScan] {
        var out: [ProductScan] = []
        func inExpr(_ e: BoundExpr) {
            if case .subquery(let q) = e.kind { walk(q.plan) }
            e.children.forEach(inExpr)
        }
        func walk(_ p: LogicalPlan) {
            switch p {
            case .scan(let s):
                out.append(s)
            case .guarded(let child, let policy):
                return walk(policy.readByQuery(child)?.body ?? child)
            default:
                break
            }
            p.expressions.forEach(inExpr)
            p.children.forEach(walk)
        }
        walk(self)
        return out
    }
}

extension PolicyGuard {
    /// Under a restricted guard the binder projects the product's columns and masks over its
    /// row filter: what the query itself reads (the plan without the policy's filter, which
    /// is the policy's business) and that projection. Nil under any other guard.
    func readByQuery(_ child: LogicalPlan) -> (body: LogicalPlan, exprs: [BoundExpr], columns: [PlanColumn])? {
        guard restricted, case .project(let inner, let exprs, let columns) = child else { return nil }
        if rowFiltered, case .filter(let unfiltered, _) = inner { return (unfiltered, exprs, columns) }
        return (inner, exprs, columns)
    }
}
