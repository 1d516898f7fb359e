import MeshCore
import Synchronization

/// The identity of one column produced somewhere in a logical plan. Expressions refer to
/// columns by identity, not by position, so rules can reorder join inputs, drop columns or
/// decorrelate subqueries without renumbering every reference above the change.
///
/// Every id is minted once, by the node that defines the column (a scan, a projection, an
/// aggregate, a set operation); nodes that pass rows through (filter, sort, join, limit) pass
/// their inputs' ids through unchanged.
public struct ColumnID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let raw: Int

    private static let counter = Atomic<Int>(0)

    /// A new id, different from every other id minted in this process.
    public static func fresh() -> ColumnID {
        ColumnID(raw: counter.add(1, ordering: .relaxed).newValue)
    }

    public static func < (a: ColumnID, b: ColumnID) -> Bool { a.raw < b.raw }
    public var description: String { "#\(raw)" }
}

/// One output column of a plan node: its identity and how it looks to the user.
public struct PlanColumn: Sendable, Hashable {
    public var id: ColumnID
    public var name: String
    public var type: DataType
    public var nullable: Bool

    public init(id: ColumnID, name: String, type: DataType, nullable: Bool = true) {
        self.id = id
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    /// A new column with a fresh id.
    public static func fresh(_ name: String, _ type: DataType, nullable: Bool = true) -> PlanColumn {
        PlanColumn(id: .fresh(), name: name, type: type, nullable: nullable)
    }

    public var field: Field { Field(name: name, type: type, nullable: nullable) }

    /// A reference to this column.
    public var ref: BoundExpr { BoundExpr(.column(id), type: type) }
}

extension Array where Element == PlanColumn {
    public var ids: [ColumnID] { map(\.id) }
    public var idSet: Set<ColumnID> { Set(map(\.id)) }
    public var fields: [Field] { map(\.field) }

    /// Position of each column, for turning references into batch positions.
    public var layout: [ColumnID: Int] {
        var out: [ColumnID: Int] = [:]
        for (i, c) in enumerated() { out[c.id] = i }
        return out
    }
}
