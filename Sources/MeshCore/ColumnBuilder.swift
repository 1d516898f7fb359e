/// Appends values into a column buffer. Connectors use the typed `append…` methods so that
/// decoded values go straight into the buffer; `append(_ value:)` is for the edges.
public struct ColumnBuilder: Sendable {
    public let type: DataType
    public private(set) var storage: ColumnStorage
    public private(set) var validity: Validity

    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        self.storage = .empty(type.physical, capacity: capacity)
        self.validity = Validity(allValid: 0)
    }

    public var count: Int { validity.count }

    public mutating func appendNull() {
        switch storage {
        case .bool(var a): storage = .int([]); a.append(false); storage = .bool(a)
        case .int(var a): storage = .bool([]); a.append(0); storage = .int(a)
        case .double(var a): storage = .int([]); a.append(0); storage = .double(a)
        case .decimal(var a): storage = .int([]); a.append(0); storage = .decimal(a)
        case .string(var a): storage = .int([]); a.append(""); storage = .string(a)
        case .date(var a): storage = .int([]); a.append(0); storage = .date(a)
        case .timestamp(var a): storage = .int([]); a.append(0); storage = .timestamp(a)
        case .bytes(var a): storage = .int([]); a.append([]); storage = .bytes(a)
        }
        validity.append(false)
    }

    // The `storage = .int([])` dance above and below releases the enum's reference to the
    // array so the append happens in place instead of copying the whole buffer.

    public mutating func appendBool(_ v: Bool) {
        guard case .bool(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .bool(a); validity.append(true)
    }

    public mutating func appendInt(_ v: Int64) {
        guard case .int(var a) = storage else { return typeMismatch() }
        storage = .bool([]); a.append(v); storage = .int(a); validity.append(true)
    }

    public mutating func appendDouble(_ v: Double) {
        guard case .double(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .double(a); validity.append(true)
    }

    /// Appends a scaled integer already at this column's scale.
    public mutating func appendDecimal(_ v: Int128) {
        guard case .decimal(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .decimal(a); validity.append(true)
    }

    public mutating func appendString(_ v: String) {
        guard case .string(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .string(a); validity.append(true)
    }

    public mutating func appendDate(_ v: Int32) {
        guard case .date(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .date(a); validity.append(true)
    }

    public mutating func appendTimestamp(_ v: Int64) {
        guard case .timestamp(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .timestamp(a); validity.append(true)
    }

    public mutating func appendBytes(_ v: [UInt8]) {
        guard case .bytes(var a) = storage else { return typeMismatch() }
        storage = .int([]); a.append(v); storage = .bytes(a); validity.append(true)
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
        if column.type.physical == type.physical, column.type.decimalScale == type.decimalScale {
            switch (storage, column.storage) {
            case (.int(var a), .int(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .int(a)
            case (.double(var a), .double(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .double(a)
            case (.decimal(var a), .decimal(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .decimal(a)
            case (.string(var a), .string(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .string(a)
            case (.date(var a), .date(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .date(a)
            case (.timestamp(var a), .timestamp(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .timestamp(a)
            case (.bool(var a), .bool(let b)): storage = .int([]); a.append(contentsOf: b); storage = .bool(a)
            case (.bytes(var a), .bytes(let b)): storage = .bool([]); a.append(contentsOf: b); storage = .bytes(a)
            default:
                for i in 0..<column.count { append(column.value(at: i)) }
                return
            }
            for i in 0..<column.count { validity.append(column.validity.isValid(i)) }
            return
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
