import ConnectorKit
import MeshCore
import MeshPlan

/// Builds the operator tree for an optimized plan. Remote fragments start running on their
/// connectors as soon as the tree is built, so independent sources are read concurrently.
public struct PlanExecutor {
    /// Connector instances by connector id.
    let connectors: [String: any Connector]

    public init(connectors: [String: any Connector]) {
        self.connectors = connectors
    }

    public func build(_ plan: LogicalPlan) throws -> any PhysicalOperator {
        switch plan {
        case .remote(let fragment):
            guard let c = connectors[fragment.connectorID] else {
                throw MeshError(.connection, "connector \"\(fragment.connectorName)\" is not available")
            }
            return RemoteScanOperator(fragment, connector: c)
        case .scan(let s):
            throw MeshError(.internalError, "scan of \(s.productName) was not turned into a remote query")
        case .singleRow:
            return SingleRowOperator()
        case .filter(let c, let p):
            return try FilterOperator(try build(c), p)
        case .project(let c, let exprs, let fields):
            return try ProjectOperator(try build(c), exprs, fields)
        case .join(let l, let r, let kind, let cond):
            return try HashJoinOperator(left: try build(l), right: try build(r), kind: kind, condition: cond,
                                        fields: plan.fields)
        case .aggregate(let c, let groups, let aggs, let fields):
            return try HashAggregateOperator(try build(c), groups: groups, aggregates: aggs, fields: fields)
        case .distinct(let c):
            let fields = c.fields
            let groups = fields.enumerated().map { BoundExpr.column($0.offset, $0.element.type) }
            return try HashAggregateOperator(try build(c), groups: groups, aggregates: [], fields: fields)
        case .sort(let c, let keys):
            return try SortOperator(try build(c), keys: keys)
        case .limit(let c, let limit, let offset):
            return LimitOperator(try build(c), limit: limit, offset: offset)
        case .unionAll(let cs, let fields):
            return UnionAllOperator(try cs.map(build), fields: fields)
        }
    }
}
