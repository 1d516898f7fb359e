import MeshCore
import MeshPlan

/// Column-at-a-time kernels. Each switches on the physical layout once per batch and then
/// runs a tight loop over typed arrays.
enum Kernels {
    static func negate(_ c: Column) throws -> Column {
        switch c.storage {
        case .int(let a):
            var out = [Int64](repeating: 0, count: a.count)
            for i in a.indices {
                guard a[i] != .min else { throw MeshError(.numericOverflow, "\(c.type) out of range") }
                out[i] = -a[i]
                // -(-32768) is no smallint, -(-2147483648) no integer.
                if c.validity.isValid(i), c.type == .smallint ? Int16(exactly: out[i]) == nil : c.type == .integer && Int32(exactly: out[i]) == nil {
                    throw MeshError(.numericOverflow, "\(c.type) out of range")
                }
            }
            return Column(type: c.type, storage: .int(out), validity: c.validity)
        case .double(let a): return Column(type: c.type, storage: .double(a.map { -$0 }), validity: c.validity)
        case .decimal(let a): return Column(type: c.type, storage: .decimal(a.map { -$0 }), validity: c.validity)
        default: throw MeshError(.typeMismatch, "operator does not exist: - \(c.type)")
        }
    }

    static func arithmetic(_ op: ArithmeticOperator, _ a: Column, _ b: Column, resultType: DataType) throws -> Column {
        let validity = Validity.and(a.validity, b.validity)
        let n = a.count
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)):
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                switch op {
                case .add:
                    let (r, o) = x[i].addingReportingOverflow(y[i])
                    if o, validity.isValid(i) { throw overflow(resultType) }
                    out[i] = r
                case .subtract:
                    let (r, o) = x[i].subtractingReportingOverflow(y[i])
                    if o, validity.isValid(i) { throw overflow(resultType) }
                    out[i] = r
                case .multiply:
                    let (r, o) = x[i].multipliedReportingOverflow(by: y[i])
                    if o, validity.isValid(i) { throw overflow(resultType) }
                    out[i] = r
                case .divide, .modulo:
                    if y[i] == 0 {
                        if validity.isValid(i) { throw MeshError(.divisionByZero, "division by zero") }
                        continue
                    }
                    if x[i] == .min && y[i] == -1 { if validity.isValid(i) { throw overflow(resultType) }; continue }
                    out[i] = op == .divide ? x[i] / y[i] : x[i] % y[i]
                }
            }
            if resultType == .integer || resultType == .smallint {
                let limit: Int64 = resultType == .integer ? Int64(Int32.max) : Int64(Int16.max)
                for i in 0..<n where validity.isValid(i) && (out[i] > limit || out[i] < -limit - 1) {
                    throw overflow(resultType)
                }
            }
            return Column(type: resultType, storage: .int(out), validity: validity)

        case (.double(let x), .double(let y)):
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n {
                switch op {
                case .add: out[i] = x[i] + y[i]
                case .subtract: out[i] = x[i] - y[i]
                case .multiply: out[i] = x[i] * y[i]
                case .divide, .modulo:
                    if y[i] == 0 {
                        if validity.isValid(i) { throw MeshError(.divisionByZero, "division by zero") }
                        continue
                    }
                    out[i] = op == .divide ? x[i] / y[i] : x[i].truncatingRemainder(dividingBy: y[i])
                }
                // As PostgreSQL: finite operands with an infinite result overflowed (22003);
                // Infinity comes out only of Infinity.
                if out[i].isInfinite, x[i].isFinite, y[i].isFinite, validity.isValid(i) {
                    throw Self.doubleOverflow
                }
            }
            return Column(type: resultType, storage: .double(out), validity: validity)

        case (.decimal(let x), .decimal(let y)):
            return try decimalArithmetic(op, x, a.type.decimalScale, y, b.type.decimalScale, validity, resultType)

        case (.date(let x), .int(let y)):
            return try dateShift(x, y, subtract: op == .subtract, validity)
        case (.int(let x), .date(let y)):
            return try dateShift(y, x, subtract: false, validity)
        case (.date(let x), .date(let y)):
            return Column(type: resultType, storage: .int((0..<n).map { Int64(x[$0]) - Int64(y[$0]) }), validity: validity)
        default:
            throw MeshError(.typeMismatch, "operator does not exist: \(a.type) \(op.rawValue) \(b.type)")
        }
    }

    static func decimalArithmetic(_ op: ArithmeticOperator, _ x: [Int128], _ sx: Int, _ y: [Int128], _ sy: Int,
                                  _ validity: Validity, _ resultType: DataType) throws -> Column {
        let n = x.count
        let rs = resultType.decimalScale
        var out = [Int128](repeating: 0, count: n)
        switch op {
        case .add, .subtract:
            let fx = Decimal128.pow10(rs - sx), fy = Decimal128.pow10(rs - sy)
            for i in 0..<n {
                let (a, o1) = x[i].multipliedReportingOverflow(by: fx)
                let (b, o2) = y[i].multipliedReportingOverflow(by: fy)
                let (r, o3) = op == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
                if (o1 || o2 || o3), validity.isValid(i) { throw overflow(resultType) }
                out[i] = r
            }
        case .multiply:
            let natural = sx + sy
            for i in 0..<n {
                let (r, o) = x[i].multipliedReportingOverflow(by: y[i])
                if o { if validity.isValid(i) { throw overflow(resultType) }; continue }
                out[i] = natural == rs ? r : Decimal128.rescale(r, from: natural, to: rs)
            }
        case .divide:
            // x/10^sx ÷ y/10^sy at scale rs = x · 10^(rs + sy − sx) ÷ y, rounded.
            let shift = rs + sy - sx
            for i in 0..<n {
                if y[i] == 0 {
                    if validity.isValid(i) { throw MeshError(.divisionByZero, "division by zero") }
                    continue
                }
                if shift >= 0 {
                    let (num, o) = x[i].multipliedReportingOverflow(by: Decimal128.pow10(min(shift, 38)))
                    if o || shift > 38 { if validity.isValid(i) { throw overflow(resultType) }; continue }
                    out[i] = Decimal128.divideRounded(num, y[i])
                } else {
                    out[i] = Decimal128.divideRounded(x[i], y[i] * Decimal128.pow10(-shift))
                }
            }
        case .modulo:
            let fx = Decimal128.pow10(rs - sx), fy = Decimal128.pow10(rs - sy)
            for i in 0..<n where validity.isValid(i) {
                let (b, o1) = y[i].multipliedReportingOverflow(by: fy)
                let (a, o2) = x[i].multipliedReportingOverflow(by: fx)
                if o1 || o2 { throw overflow(resultType) }
                if b == 0 { throw MeshError(.divisionByZero, "division by zero") }
                out[i] = a % b
            }
        }
        return Column(type: resultType, storage: .decimal(out), validity: validity)
    }

    static let doubleOverflow = MeshError(.numericOverflow, "value out of range: overflow")

    /// `date ± integer`: a result outside PostgreSQL's date range is 22008, never wrapped.
    static func dateShift(_ dates: [Int32], _ days: [Int64], subtract: Bool, _ validity: Validity) throws -> Column {
        var out = [Int32](repeating: 0, count: dates.count)
        for i in dates.indices where validity.isValid(i) {
            let (r, o) = subtract ? Int64(dates[i]).subtractingReportingOverflow(days[i])
                                  : Int64(dates[i]).addingReportingOverflow(days[i])
            guard !o, CivilTime.dateDays.contains(r) else { throw CivilTime.outOfRange("date out of range") }
            out[i] = Int32(r)
        }
        return Column(type: .date, storage: .date(out), validity: validity)
    }

    static func overflow(_ t: DataType) -> MeshError {
        if case .decimal = t { return MeshError(.numericOverflow, "numeric field overflow") }
        return MeshError(.numericOverflow, "\(t) out of range")
    }
}
