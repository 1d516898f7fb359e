import MeshCore
import MeshPlan

/// Evaluates an expression without column references once, with the same kernels that run
/// it per batch, for constant folding at plan time.
public enum ConstantEvaluator {
    /// The value, or nil when the expression reads columns or its evaluation fails (the
    /// failure then happens at run time, where PostgreSQL raises it).
    public static func evaluate(_ e: BoundExpr) -> Value? {
        guard e.referencedColumns.isEmpty, !e.containsAggregate, !e.containsSubquery else { return nil }
        guard let f = try? ExpressionCompiler.compile(e), let column = try? f(Batch.empty(rows: 1)),
              column.count == 1 else { return nil }
        return column.value(at: 0)
    }
}
