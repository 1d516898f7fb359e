import MeshCore
import MeshPlan

extension Kernels {
    /// CAST over a column: vectorised for the numeric and date conversions, value by value
    /// through `ValueCast` for the rest (text parsing).
    static func cast(_ c: Column, to type: DataType) throws -> Column {
        if c.type == type { return c }
        let v = c.validity
        switch (c.storage, type) {
        case (_, _) where c.type.physical == type.physical && c.type.decimalScale == type.decimalScale
                && type.physical != .decimal && !(type == .integer || type == .smallint):
            return Column(type: type, storage: c.storage, validity: v)
        case (.int(let a), .decimal(let p, let s)):
            let out = try scaled(a.map { Int128($0) }, v, from: 0, to: s)
            try checkPrecision(out, v, p)
            return Column(type: type, storage: .decimal(out), validity: v)
        case (.int(let a), .double):
            return Column(type: type, storage: .double(a.map(Double.init)), validity: v)
        case (.decimal(let a), .decimal(let p, let s)):
            let from = c.type.decimalScale
            let out = from == s ? a : try scaled(a, v, from: from, to: s)
            try checkPrecision(out, v, p)
            return Column(type: type, storage: .decimal(out), validity: v)
        case (.decimal(let a), .double):
            let s = c.type.decimalScale
            return Column(type: type, storage: .double(a.map { Decimal128.toDouble($0, scale: s) }), validity: v)
        case (.date(let a), .timestamp), (.date(let a), .timestamptz):
            var out = [Int64](repeating: 0, count: a.count)
            for i in a.indices where v.isValid(i) {
                guard let t = CivilTime.micros(fromDays: Int64(a[i])) else {
                    throw CivilTime.outOfRange("date out of range for timestamp")
                }
                out[i] = t
            }
            return Column(type: type, storage: .timestamp(out), validity: v)
        default:
            var b = ColumnBuilder(type: type, capacity: c.count)
            for i in 0..<c.count {
                b.append(try ValueCast.cast(c.value(at: i), from: c.type, to: type))
            }
            return b.finish()
        }
    }

    /// Decimals at another scale; a valid value that leaves 38 digits is 22003.
    static func scaled(_ a: [Int128], _ validity: Validity, from: Int, to: Int) throws -> [Int128] {
        var out = a
        for i in a.indices {
            guard let r = Decimal128.rescaleChecked(a[i], from: from, to: to) else {
                if validity.isValid(i) { throw MeshError(.numericOverflow, "numeric field overflow") }
                out[i] = 0
                continue
            }
            out[i] = r
        }
        return out
    }

    static func checkPrecision(_ values: [Int128], _ validity: Validity, _ p: Int) throws {
        guard p < 38 else { return }
        let limit = Decimal128.pow10(p).magnitude
        for i in values.indices where values[i].magnitude >= limit && validity.isValid(i) {
            throw MeshError(.numericOverflow, "numeric field overflow")
        }
    }
}
