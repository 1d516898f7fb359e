/// The typed buffer behind a column. Null slots hold a placeholder (0, "", false); the
/// `Validity` bitmap says which slots are null.
public enum ColumnStorage: Sendable {
    case bool([Bool])
    case int([Int64])
    case double([Double])
    case decimal([Int128])
    case string([String])
    case date([Int32])
    case timestamp([Int64])
    case bytes([[UInt8]])

    public var count: Int {
        switch self {
        case .bool(let a): a.count
        case .int(let a): a.count
        case .double(let a): a.count
        case .decimal(let a): a.count
        case .string(let a): a.count
        case .date(let a): a.count
        case .timestamp(let a): a.count
        case .bytes(let a): a.count
        }
    }

    public static func empty(_ type: PhysicalType, capacity: Int = 0) -> ColumnStorage {
        switch type {
        case .bool: var a = [Bool](); a.reserveCapacity(capacity); return .bool(a)
        case .int: var a = [Int64](); a.reserveCapacity(capacity); return .int(a)
        case .double: var a = [Double](); a.reserveCapacity(capacity); return .double(a)
        case .decimal: var a = [Int128](); a.reserveCapacity(capacity); return .decimal(a)
        case .string: var a = [String](); a.reserveCapacity(capacity); return .string(a)
        case .date: var a = [Int32](); a.reserveCapacity(capacity); return .date(a)
        case .timestamp: var a = [Int64](); a.reserveCapacity(capacity); return .timestamp(a)
        case .bytes: var a = [[UInt8]](); a.reserveCapacity(capacity); return .bytes(a)
        }
    }
}

/// One column of a batch: its SQL type, its buffer and its null bitmap.
public struct Column: Sendable {
    public var type: DataType
    public var storage: ColumnStorage
    public var validity: Validity

    public init(type: DataType, storage: ColumnStorage, validity: Validity? = nil) {
        self.type = type
        self.storage = storage
        self.validity = validity ?? Validity(allValid: storage.count)
    }

    public var count: Int { storage.count }

    /// A column of `count` copies of one value (literals, constants).
    public init(repeating value: Value, type: DataType, count: Int) {
        // One buffer filled at once: literals become columns once per batch.
        let storage: ColumnStorage? = switch (type.physical, value) {
        case (.bool, .bool(let v)): .bool([Bool](repeating: v, count: count))
        case (.int, .int(let v)): .int([Int64](repeating: v, count: count))
        case (.double, .double(let v)): .double([Double](repeating: v, count: count))
        case (.string, .string(let v)): .string([String](repeating: v, count: count))
        case (.date, .date(let v)): .date([Int32](repeating: v, count: count))
        case (.timestamp, .timestamp(let v)): .timestamp([Int64](repeating: v, count: count))
        case (.decimal, .decimal(let v, let scale)) where scale == type.decimalScale: .decimal([Int128](repeating: v, count: count))
        default: nil
        }
        if let storage {
            self.init(type: type, storage: storage)
            return
        }
        var b = ColumnBuilder(type: type, capacity: count)
        for _ in 0..<count { b.append(value) }
        self = b.finish()
    }

    public func value(at i: Int) -> Value {
        if validity.isNull(i) { return .null }
        switch storage {
        case .bool(let a): return .bool(a[i])
        case .int(let a): return .int(a[i])
        case .double(let a): return .double(a[i])
        case .decimal(let a): return .decimal(a[i], scale: type.decimalScale)
        case .string(let a): return .string(a[i])
        case .date(let a): return .date(a[i])
        case .timestamp(let a): return .timestamp(a[i])
        case .bytes(let a): return .bytes(a[i])
        }
    }

    /// Picks rows by index; an index of -1 yields NULL (the unmatched side of an outer join).
    public func gather(_ indices: [Int]) -> Column {
        let hasMissing = indices.contains { $0 < 0 }
        let validity: Validity
        if hasMissing || self.validity.hasNulls {
            validity = Validity(count: indices.count) { indices[$0] >= 0 && self.validity.isValid(indices[$0]) }
        } else {
            validity = Validity(allValid: indices.count)
        }
        // Raw-buffer loops: hash joins gather millions of rows, and `map` with its per-element
        // checks costs about twice as much. Indices are still checked, once each.
        func pick<T>(_ a: [T], _ zero: T) -> [T] {
            let n = indices.count
            return a.withUnsafeBufferPointer { src in
                indices.withUnsafeBufferPointer { idx in
                    [T](unsafeUninitializedCapacity: n) { dst, initialized in
                        let count = src.count
                        if hasMissing {
                            for k in 0..<n {
                                let j = idx[k]
                                precondition(j < count, "Column.gather: index out of range")
                                (dst.baseAddress! + k).initialize(to: j >= 0 ? src[j] : zero)
                            }
                        } else {
                            for k in 0..<n {
                                let j = idx[k]
                                precondition(j >= 0 && j < count, "Column.gather: index out of range")
                                (dst.baseAddress! + k).initialize(to: src[j])
                            }
                        }
                        initialized = n
                    }
                }
            }
        }
        let s: ColumnStorage
        switch storage {
        case .bool(let a): s = .bool(pick(a, false))
        case .int(let a): s = .int(pick(a, 0))
        case .double(let a): s = .double(pick(a, 0))
        case .decimal(let a): s = .decimal(pick(a, 0))
        case .string(let a): s = .string(pick(a, ""))
        case .date(let a): s = .date(pick(a, 0))
        case .timestamp(let a): s = .timestamp(pick(a, 0))
        case .bytes(let a): s = .bytes(pick(a, []))
        }
        return Column(type: type, storage: s, validity: validity)
    }

    public func slice(_ range: Range<Int>) -> Column {
        gather(Array(range))
    }

    /// Keeps the rows where `mask` is true.
    public func filter(_ mask: [Bool]) -> Column {
        var idx: [Int] = []
        idx.reserveCapacity(mask.count)
        for (i, keep) in mask.enumerated() where keep { idx.append(i) }
        return gather(idx)
    }

    /// Concatenates columns of one type.
    public static func concat(_ parts: [Column], type: DataType) -> Column {
        // Parts of this very layout without NULLs (the usual case): join the buffers, no
        // per-row work.
        if !parts.isEmpty,
           parts.allSatisfy({ $0.type.physical == type.physical && $0.type.decimalScale == type.decimalScale
                              && !$0.validity.hasNulls }) {
            let total = parts.reduce(0) { $0 + $1.count }
            func joined<T>(_ arrays: (Column) -> [T]?) -> [T]? {
                var out: [T] = []
                out.reserveCapacity(total)
                for p in parts {
                    guard let a = arrays(p) else { return nil }
                    out.append(contentsOf: a)
                }
                return out
            }
            let storage: ColumnStorage? = switch type.physical {
            case .bool: joined { if case .bool(let a) = $0.storage { a } else { nil } }.map { .bool($0) }
            case .int: joined { if case .int(let a) = $0.storage { a } else { nil } }.map { .int($0) }
            case .double: joined { if case .double(let a) = $0.storage { a } else { nil } }.map { .double($0) }
            case .decimal: joined { if case .decimal(let a) = $0.storage { a } else { nil } }.map { .decimal($0) }
            case .string: joined { if case .string(let a) = $0.storage { a } else { nil } }.map { .string($0) }
            case .date: joined { if case .date(let a) = $0.storage { a } else { nil } }.map { .date($0) }
            case .timestamp: joined { if case .timestamp(let a) = $0.storage { a } else { nil } }.map { .timestamp($0) }
            case .bytes: joined { if case .bytes(let a) = $0.storage { a } else { nil } }.map { .bytes($0) }
            }
            if let storage { return Column(type: type, storage: storage, validity: Validity(allValid: total)) }
        }
        var b = ColumnBuilder(type: type, capacity: parts.reduce(0) { $0 + $1.count })
        for p in parts { b.append(contentsOf: p) }
        return b.finish()
    }

    /// The values of a NULL-free boolean column as `[Bool]`, with NULL read as false —
    /// what WHERE, HAVING and ON need.
    public func truthMask() -> [Bool] {
        guard case .bool(let a) = storage else { return [Bool](repeating: false, count: count) }
        if !validity.hasNulls { return a }
        return a.indices.map { a[$0] && validity.isValid($0) }
    }
}
