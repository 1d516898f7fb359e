import MeshCore

/// Moves a semi or anti join below an inner join when its condition reads only one side of
/// it, and that side and the semi join's right input both live in one source: the pair can
/// then go down as one query (`EXISTS` / `NOT EXISTS` inside the source) instead of meshql
/// fetching the subquery's whole table to hash it.
///
/// TPC-H q21 asks, for suppliers of one nation (SQLite), for lineitems (PostgreSQL) with
/// another supplier on the same order and none late. Join ordering puts the supplier join
/// first; above it the EXISTS and NOT EXISTS over lineitem become hash joins whose build
/// sides are 6 M and 3.8 M rows read across the wire. Below it, PostgreSQL answers them
/// itself, and the supplier keys still narrow the query as a dynamic filter.
///
/// Only where the right input is expected to be at least as large as the side it filters:
/// a small one is better hashed here, where its keys narrow the side's source query as a
/// dynamic filter (q18's 57 large orders against lineitem; PostgreSQL given the whole IN
/// takes 7.6 s instead of 4.1 s).
///
/// Exact for any semi or anti join over an inner or cross join: whether a row of the inner
/// join's side has a match in the right input does not depend on the other side.
public struct SemiJoinPushdown: OptimizerRule {
    public let name = "semi_join_pushdown"
    let estimator: CardinalityEstimator

    public init(estimator: CardinalityEstimator) {
        self.estimator = estimator
    }

    public func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool) {
        transformed(plan) { $0.transformUp { rewrite($0) ?? $0 } }
    }

    func rewrite(_ node: LogicalPlan) -> LogicalPlan? {
        guard case .join(.join(let a, let b, let innerKind, let innerCond), let c, let kind, let cond) = node,
              kind == .semi || kind == .anti || kind == .nullAwareAnti,
              innerKind == .inner || innerKind == .cross else { return nil }
        // The columns the condition reads from the inner join's output.
        let reads = (cond?.referencedColumns ?? []).subtracting(c.columns.idSet)
        let source = c.onlySource
        let rightRows = estimator.estimate(c)
        if source != nil, reads.isSubset(of: a.columns.idSet), a.onlySource == source, rightRows >= estimator.estimate(a) {
            return .join(.join(a, c, kind, cond), b, innerKind, innerCond)
        }
        if source != nil, reads.isSubset(of: b.columns.idSet), b.onlySource == source, rightRows >= estimator.estimate(b) {
            return .join(a, .join(b, c, kind, cond), innerKind, innerCond)
        }
        return nil
    }
}
