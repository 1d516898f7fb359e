/// Sizes for memory accounting: what a batch's buffers roughly take.
extension Column {
    /// Roughly what the column's buffers take.
    public var estimatedBytes: Int {
        switch storage {
        case .bool(let a): a.count
        case .int(let a), .timestamp(let a): a.count * 8
        case .double(let a): a.count * 8
        case .decimal(let a): a.count * 16
        case .date(let a): a.count * 4
        case .string(let a): a.reduce(a.count * 16) { $0 + ($1.utf8.count > 15 ? $1.utf8.count : 0) }
        case .bytes(let a): a.reduce(a.count * 24) { $0 + $1.count }
        }
    }
}

extension Batch {
    public var estimatedBytes: Int { columns.reduce(0) { $0 + $1.estimatedBytes } }
}
