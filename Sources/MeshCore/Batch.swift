/// A named, typed output column of a plan node or a source.
public struct Field: Sendable, Hashable {
    public var name: String
    public var type: DataType
    public var nullable: Bool

    public init(name: String, type: DataType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// The unit operators exchange: a row count and one column per output field.
public struct Batch: Sendable {
    public var columns: [Column]
    public var rowCount: Int

    public init(columns: [Column], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }

    public init(columns: [Column]) {
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    /// A batch with no columns but `rowCount` rows (SELECT without FROM, COUNT(*) inputs).
    public static func empty(rows: Int) -> Batch { Batch(columns: [], rowCount: rows) }

    /// The preferred number of rows per batch.
    public static let preferredSize = 4096

    /// A source's batch ends early past this many bytes of text and binary values: 4,096 rows
    /// of a few megabytes each would be gigabytes in one batch.
    public static let maxVariableBytes = 8 << 20

    public func row(_ i: Int) -> [Value] { columns.map { $0.value(at: i) } }

    public func gather(_ indices: [Int]) -> Batch {
        Batch(columns: columns.map { $0.gather(indices) }, rowCount: indices.count)
    }

    public func filter(_ mask: [Bool]) -> Batch {
        var idx: [Int] = []
        idx.reserveCapacity(rowCount)
        for i in 0..<rowCount where mask[i] { idx.append(i) }
        return gather(idx)
    }

    public func slice(_ range: Range<Int>) -> Batch {
        gather(Array(range))
    }

    /// Builds a batch from rows of values (tests, literals, catalog listings).
    public static func fromRows(_ rows: [[Value]], types: [DataType]) -> Batch {
        var builders = types.map { ColumnBuilder(type: $0, capacity: rows.count) }
        for row in rows {
            for (j, v) in row.enumerated() { builders[j].append(v) }
        }
        return Batch(columns: builders.map { $0.finish() }, rowCount: rows.count)
    }
}
