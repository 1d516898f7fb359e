import MeshCore

/// Rows the plan carries itself rather than reading from a source: the tables of the emulated
/// PostgreSQL catalog (`pg_catalog.pg_class`, `information_schema.columns`, …), made for the
/// querying principal when the statement is bound.
public struct ValuesRelation: Sendable, Hashable {
    /// What EXPLAIN calls it (`pg_catalog.pg_class`).
    public var name: String
    public var columns: [PlanColumn]
    /// One value per column per row, in `columns` order.
    public var rows: [[Value]]

    public init(name: String, columns: [PlanColumn], rows: [[Value]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// The relation keeping only the columns at `keep` (positions, in order).
    public func keeping(_ keep: [Int]) -> ValuesRelation {
        ValuesRelation(name: name, columns: keep.map { columns[$0] }, rows: rows.map { r in keep.map { r[$0] } })
    }
}
