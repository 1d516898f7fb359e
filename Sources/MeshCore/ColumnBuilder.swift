/// Appends values into a column buffer. Connectors use the typed `append…` methods so that
/// decoded values go straight into the buffer; `append(_ value:)` is for the edges.
///
/// One array per physical type, of which only the column's is used: appending to it is a
/// plain array append, where an array inside a `ColumnStorage` enum would have to be taken
/// out and put back for every value.
public struct ColumnBuilder: Sendable {
    public let type: DataType
    private var bools: [Bool] = []
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var decimals: [Int128] = []
    private var strings: [String] = []
    private var dates: [Int32] = []
    private var timestamps: [Int64] = []
    private var blobs: [[UInt8]] = []
    public private(set) var validity: Validity

    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        self.validity = Validity(allValid: 0)
        switch type.physical {
        case .bool: bools.reserveCapacity(capacity)
        case .int: ints.reserveCapacity(capacity)
        case .double: doubles.reserveCapacity(capacity)
        case .decimal: decimals.reserveCapacity(capacity)
        case .string: strings.reserveCapacity(capacity)
        case .date: dates.reserveCapacity(capacity)
        case .timestamp: timestamps.reserveCapacity(capacity)
        case .bytes: blobs.reserveCapacity(capacity)
        }
    }

    public var count: Int { validity.count }

    /// The buffer so far.
    public var storage: ColumnStorage {
        switch type.physical {
        case .bool: .bool(bools)
        case .int: .int(ints)
        case .double: .double(doubles)
        case .decimal: .decimal(decimals)
        case .string: .string(strings)
        case .date: .date(dates)
        case .timestamp: .timestamp(timestamps)
        case .bytes: .bytes(blobs)
        }
    }

    public mutating func appendNull() {
        switch type.physical {
        case .bool: bools.append(false)
        case .int: ints.append(0)
        case .double: doubles.append(0)
        case .decimal: decimals.append(0)
        case .string: strings.append("")
        case .date: dates.append(0)
        case .timestamp: timestamps.append(0)
        case .bytes: blobs.append([])
        }
        validity.append(false)
    }

    @inline(__always)
    public mutating func appendBool(_ v: Bool) {
        guard type.physical == .bool else { return typeMismatch() }
        bools.append(v); validity.append(true)
    }

    @inline(__always)
    public mutating func appendInt(_ v: Int64) {
        guard type.physical == .int else { return typeMismatch() }
        ints.append(v); validity.append(true)
    }

    @inline(__always)
    public mutating func appendDouble(_ v: Double) {
        guard type.physical == .double else { return typeMismatch() }
        doubles.append(v); validity.append(true)
    }

    /// Appends a scaled integer already at this column's scale.
    @inline(__always)
    public mutating func appendDecimal(_ v: Int128) {
        guard type.physical == .decimal else { return typeMismatch() }
        decimals.append(v); validity.append(true)
    }

    @inline(__always)
    public mutating func appendString(_ v: String) {
        guard type.physical == .string else { return typeMismatch() }
        strings.append(v); validity.append(true)
    }

    @inline(__always)
    public mutating func appendDate(_ v: Int32) {
        guard type.physical == .date else { return typeMismatch() }
        dates.append(v); validity.append(true)
    }

    @inline(__always)
    public mutating func appendTimestamp(_ v: Int64) {
        guard type.physical == .timestamp else { return typeMismatch() }
        timestamps.append(v); validity.append(true)
    }

    public mutating func appendBytes(_ v: [UInt8]) {
        guard type.physical == .bytes else { return typeMismatch() }
        blobs.append(v); validity.append(true)
    }

    /// Appends a value, converting between compatible representations (an int into a decimal
    /// column, a decimal of another scale, …). A value that cannot convert becomes NULL.
    public mutating func append(_ value: Value) {
        switch (value, type.physical) {
        case (.null, _): appendNull()
        case (.bool(let b), .bool): appendBool(b)
        case (.int(let i), .int): appendInt(i)
        case (.int(let i), .double): appendDouble(Double(i))
        case (.int(let i), .decimal):
            if let v = Decimal128.scaledUp(Int128(i), by: type.decimalScale) { appendDecimal(v) } else { appendNull() }
        case (.double(let d), .double): appendDouble(d)
        case (.double(let d), .decimal):
            if let v = Decimal128.fromDouble(d, scale: type.decimalScale) { appendDecimal(v) } else { appendNull() }
        case (.double(let d), .int):
            if let i = Int64(exactly: d.rounded(.toNearestOrAwayFromZero)) { appendInt(i) } else { appendNull() }
        case (.decimal(let v, let s), .decimal):
            if let r = Decimal128.rescaleChecked(v, from: s, to: type.decimalScale) { appendDecimal(r) } else { appendNull() }
        case (.decimal(let v, let s), .double): appendDouble(Decimal128.toDouble(v, scale: s))
        case (.decimal(let v, let s), .int):
            if let i = Int64(exactly: Decimal128.rescale(v, from: s, to: 0)) { appendInt(i) } else { appendNull() }
        case (.string(let s), .string): appendString(s)
        case (.date(let d), .date): appendDate(d)
        case (.date(let d), .timestamp):
            if let t = CivilTime.micros(fromDays: Int64(d)) { appendTimestamp(t) } else { appendNull() }
        case (.timestamp(let t), .timestamp): appendTimestamp(t)
        case (.bytes(let b), .bytes): appendBytes(b)
        default:
            if type.physical == .string { appendString(value.description) } else { appendNull() }
        }
    }

    public mutating func append(contentsOf column: Column) {
        // The buffers at once where the column's storage is this builder's kind (a column's
        // type may have been re-tagged over a storage of another kind: then value by value).
        if column.type.decimalScale == type.decimalScale {
            var appended = true
            switch (column.storage, type.physical) {
            case (.int(let b), .int): ints.append(contentsOf: b)
            case (.double(let b), .double): doubles.append(contentsOf: b)
            case (.decimal(let b), .decimal): decimals.append(contentsOf: b)
            case (.string(let b), .string): strings.append(contentsOf: b)
            case (.date(let b), .date): dates.append(contentsOf: b)
            case (.timestamp(let b), .timestamp): timestamps.append(contentsOf: b)
            case (.bool(let b), .bool): bools.append(contentsOf: b)
            case (.bytes(let b), .bytes): blobs.append(contentsOf: b)
            default: appended = false
            }
            if appended {
                for i in 0..<column.count { validity.append(column.validity.isValid(i)) }
                return
            }
        }
        for i in 0..<column.count { append(column.value(at: i)) }
    }

    public func finish() -> Column {
        Column(type: type, storage: storage, validity: validity)
    }

    private func typeMismatch() {
        preconditionFailure("ColumnBuilder: value of the wrong physical type for \(type)")
    }
}
