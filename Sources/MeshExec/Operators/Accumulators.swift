import MeshCore
import MeshPlan

/// The running state of one aggregate across all groups, updated a batch at a time.
protocol Accumulator: AnyObject {
    /// `groups[i]` is the group of row `i`; rows where `mask` is false are skipped.
    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws
    /// The same with the call's further arguments (string_agg's separator and ORDER BY keys).
    func update(groups: [Int32], groupCount: Int, values: Column?, extra: [Column], mask: [Bool]?) throws
    func finish(groupCount: Int) throws -> Column
}

extension Accumulator {
    func update(groups: [Int32], groupCount: Int, values: Column?, extra: [Column], mask: [Bool]?) throws {
        try update(groups: groups, groupCount: groupCount, values: values, mask: mask)
    }
}

enum Accumulators {
    static func make(_ call: AggregateCall) -> any Accumulator {
        let argType = call.arguments.first?.type ?? .unknown
        let inner: any Accumulator = switch call.function {
        case .countStar: CountAccumulator(countNulls: true)
        case .count: CountAccumulator(countNulls: false)
        case .sum: SumAccumulator(input: argType, result: call.resultType, average: false)
        case .avg: SumAccumulator(input: argType, result: call.resultType, average: true)
        case .min: ExtremeAccumulator(type: call.resultType, wantMax: false)
        case .max: ExtremeAccumulator(type: call.resultType, wantMax: true)
        case .boolAnd: BoolAccumulator(isAnd: true)
        case .boolOr: BoolAccumulator(isAnd: false)
        case .single: SingleValueAccumulator(type: call.resultType)
        case .stringAgg: StringAggAccumulator(ordering: call.ordering)
        }
        return call.distinct ? DistinctAccumulator(inner) : inner
    }
}

final class CountAccumulator: Accumulator {
    let countNulls: Bool
    var counts: [Int64] = []
    init(countNulls: Bool) { self.countNulls = countNulls }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        if counts.count < groupCount { counts.append(contentsOf: repeatElement(0, count: groupCount - counts.count)) }
        let validity = values?.validity
        let skipNulls = !countNulls && validity?.hasNulls == true
        // Raw buffers: per-row access to a class's array property pays for exclusivity checks.
        counts.withUnsafeMutableBufferPointer { counts in
            groups.withUnsafeBufferPointer { groups in
                if mask == nil && !skipNulls {
                    for g in groups { counts[Int(g)] += 1 }
                    return
                }
                for i in groups.indices {
                    if let mask, !mask[i] { continue }
                    if skipNulls, let validity, validity.isNull(i) { continue }
                    counts[Int(groups[i])] += 1
                }
            }
        }
    }

    func finish(groupCount: Int) -> Column {
        if counts.count < groupCount { counts.append(contentsOf: repeatElement(0, count: groupCount - counts.count)) }
        return Column(type: .bigint, storage: .int(counts))
    }
}

/// SUM and AVG. Integers and decimals sum exactly in 128 bits; doubles in doubles.
final class SumAccumulator: Accumulator {
    let input: DataType
    let result: DataType
    let average: Bool
    var exact: [Int128] = []
    var floating: [Double] = []
    var counts: [Int64] = []

    init(input: DataType, result: DataType, average: Bool) {
        self.input = input
        self.result = result
        self.average = average
    }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        guard let values else { return }
        if counts.count < groupCount {
            let extra = groupCount - counts.count
            counts.append(contentsOf: repeatElement(0, count: extra))
            exact.append(contentsOf: repeatElement(0, count: extra))
            floating.append(contentsOf: repeatElement(0, count: extra))
        }
        let v = values.validity
        let checkNulls = v.hasNulls
        @inline(__always) func skip(_ i: Int) -> Bool {
            if let mask, !mask[i] { return true }
            return checkNulls && v.isNull(i)
        }
        // Raw buffers: per-row access to a class's array property pays for exclusivity checks.
        let n = groups.count
        try groups.withUnsafeBufferPointer { groups in
            try counts.withUnsafeMutableBufferPointer { counts in
                switch values.storage {
                case .int(let a):
                    exact.withUnsafeMutableBufferPointer { exact in
                        a.withUnsafeBufferPointer { a in
                            for i in 0..<n where !skip(i) {
                                let g = Int(groups[i])
                                exact[g] += Int128(a[i])
                                counts[g] += 1
                            }
                        }
                    }
                case .decimal(let a):
                    try exact.withUnsafeMutableBufferPointer { exact in
                        try a.withUnsafeBufferPointer { a in
                            for i in 0..<n where !skip(i) {
                                let g = Int(groups[i])
                                let (s, o) = exact[g].addingReportingOverflow(a[i])
                                if o { throw MeshError(.numericOverflow, "numeric field overflow") }
                                exact[g] = s
                                counts[g] += 1
                            }
                        }
                    }
                case .double(let a):
                    // A sum of finite values that becomes infinite overflowed (PostgreSQL: 22003).
                    var overflowed = false
                    floating.withUnsafeMutableBufferPointer { floating in
                        a.withUnsafeBufferPointer { a in
                            for i in 0..<n where !skip(i) {
                                let g = Int(groups[i])
                                let before = floating[g]
                                floating[g] += a[i]
                                if floating[g].isInfinite, before.isFinite, a[i].isFinite { overflowed = true }
                                counts[g] += 1
                            }
                        }
                    }
                    if overflowed { throw Kernels.doubleOverflow }
                default:
                    throw MeshError(.typeMismatch, "cannot sum values of type \(input)")
                }
            }
        }
    }

    func finish(groupCount: Int) throws -> Column {
        var b = ColumnBuilder(type: result, capacity: groupCount)
        let inScale = input.decimalScale
        for g in 0..<groupCount {
            guard g < counts.count, counts[g] > 0 else { b.appendNull(); continue }
            switch result.physical {
            case .double:
                b.appendDouble(average ? floating[g] / Double(counts[g]) : floating[g])
            case .int:
                guard let v = Int64(exactly: exact[g]) else { throw MeshError(.numericOverflow, "bigint out of range") }
                b.appendInt(v)
            default:
                let outScale = result.decimalScale
                if average {
                    // sum · 10^k / n without scaling the sum up first (it may hold 38 digits):
                    // the quotient scaled up, plus the remainder's share (|r| < n < 2^63, so
                    // r · 10^k, k ≤ 16, fits).
                    let n = Int128(counts[g]), k = outScale - inScale
                    let q = exact[g] / n, r = exact[g] % n
                    guard let whole = Decimal128.scaledUp(q, by: k) else {
                        throw MeshError(.numericOverflow, "numeric field overflow")
                    }
                    let (avg, o) = whole.addingReportingOverflow(Decimal128.divideRounded(r * Decimal128.pow10(k), n))
                    guard !o else { throw MeshError(.numericOverflow, "numeric field overflow") }
                    b.appendDecimal(avg)
                } else {
                    guard let v = Decimal128.rescaleChecked(exact[g], from: inScale, to: outScale) else {
                        throw MeshError(.numericOverflow, "numeric field overflow")
                    }
                    b.appendDecimal(v)
                }
            }
        }
        return b.finish()
    }
}

/// MIN and MAX over any ordered type.
final class ExtremeAccumulator: Accumulator {
    let type: DataType
    let wantMax: Bool
    var best: [Value] = []

    init(type: DataType, wantMax: Bool) {
        self.type = type
        self.wantMax = wantMax
    }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        guard let values else { return }
        if best.count < groupCount { best.append(contentsOf: repeatElement(.null, count: groupCount - best.count)) }
        let v = values.validity
        // Typed fast paths for the common layouts.
        switch values.storage {
        case .int(let a):
            for i in groups.indices where (mask?[i] ?? true) && v.isValid(i) {
                let g = Int(groups[i])
                if case .int(let cur) = best[g], wantMax ? cur >= a[i] : cur <= a[i] { continue }
                best[g] = .int(a[i])
            }
        case .date(let a):
            for i in groups.indices where (mask?[i] ?? true) && v.isValid(i) {
                let g = Int(groups[i])
                if case .date(let cur) = best[g], wantMax ? cur >= a[i] : cur <= a[i] { continue }
                best[g] = .date(a[i])
            }
        default:
            for i in groups.indices where (mask?[i] ?? true) && v.isValid(i) {
                let g = Int(groups[i])
                let x = values.value(at: i)
                if best[g].isNull || (wantMax ? ValueOrder.less(best[g], x) : ValueOrder.less(x, best[g])) { best[g] = x }
            }
        }
    }

    func finish(groupCount: Int) -> Column {
        var b = ColumnBuilder(type: type, capacity: groupCount)
        for g in 0..<groupCount { b.append(g < best.count ? best[g] : .null) }
        return b.finish()
    }
}

final class BoolAccumulator: Accumulator {
    let isAnd: Bool
    var state: [Bool?] = []
    init(isAnd: Bool) { self.isAnd = isAnd }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        guard let values, case .bool(let a) = values.storage else { return }
        if state.count < groupCount { state.append(contentsOf: repeatElement(nil, count: groupCount - state.count)) }
        for i in groups.indices where (mask?[i] ?? true) && values.validity.isValid(i) {
            let g = Int(groups[i])
            state[g] = isAnd ? (state[g] ?? true) && a[i] : (state[g] ?? false) || a[i]
        }
    }

    func finish(groupCount: Int) -> Column {
        var b = ColumnBuilder(type: .boolean, capacity: groupCount)
        for g in 0..<groupCount {
            if g < state.count, let s = state[g] { b.appendBool(s) } else { b.appendNull() }
        }
        return b.finish()
    }
}

/// `agg(DISTINCT x)`: passes each (group, value) pair on once.
final class DistinctAccumulator: Accumulator {
    let inner: any Accumulator
    var seen = Set<DistinctKey>()
    /// Text values are distinct by their bytes (see `ByteOrderedString`).
    struct DistinctKey: Hashable {
        let group: Int32
        let value: Value
        static func == (a: Self, b: Self) -> Bool {
            guard a.group == b.group else { return false }
            if case .string(let x) = a.value, case .string(let y) = b.value { return ByteOrderedString(x) == ByteOrderedString(y) }
            return a.value == b.value
        }
        func hash(into h: inout Hasher) {
            h.combine(group)
            if case .string(let x) = value { h.combine(ByteOrderedString(x)) } else { h.combine(value) }
        }
    }

    /// Integer values (TPC-H q16 counts distinct supplier keys): typed, no `Value` per row.
    var seenIntegers = Set<IntegerKey>()
    struct IntegerKey: Hashable {
        let group: Int32
        let value: Int64
    }

    init(_ inner: any Accumulator) { self.inner = inner }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        try update(groups: groups, groupCount: groupCount, values: values, extra: [], mask: mask)
    }

    func update(groups: [Int32], groupCount: Int, values: Column?, extra: [Column], mask: [Bool]?) throws {
        guard let values else { return }
        var keep = [Bool](repeating: false, count: groups.count)
        if case .int(let a) = values.storage {
            let validity = values.validity
            for i in groups.indices where (mask?[i] ?? true) && validity.isValid(i) {
                keep[i] = seenIntegers.insert(IntegerKey(group: groups[i], value: a[i])).inserted
            }
            try inner.update(groups: groups, groupCount: groupCount, values: values, extra: extra, mask: keep)
            return
        }
        for i in groups.indices where (mask?[i] ?? true) && values.validity.isValid(i) {
            keep[i] = seen.insert(DistinctKey(group: groups[i], value: values.value(at: i))).inserted
        }
        try inner.update(groups: groups, groupCount: groupCount, values: values, extra: extra, mask: keep)
    }

    func finish(groupCount: Int) throws -> Column { try inner.finish(groupCount: groupCount) }
}

/// The value of a scalar subquery: the one row's value, NULL without rows, and PostgreSQL's
/// error when the subquery returns more than one row.
final class SingleValueAccumulator: Accumulator {
    let type: DataType
    var values: [Value] = []
    var seen: [Bool] = []

    init(type: DataType) { self.type = type }

    func update(groups: [Int32], groupCount: Int, values column: Column?, mask: [Bool]?) throws {
        guard let column else { return }
        if values.count < groupCount {
            values.append(contentsOf: repeatElement(.null, count: groupCount - values.count))
            seen.append(contentsOf: repeatElement(false, count: groupCount - seen.count))
        }
        for i in groups.indices where mask?[i] ?? true {
            let g = Int(groups[i])
            if seen[g] {
                throw MeshError(.cardinalityViolation, "more than one row returned by a subquery used as an expression")
            }
            seen[g] = true
            values[g] = column.value(at: i)
        }
    }

    func finish(groupCount: Int) -> Column {
        var b = ColumnBuilder(type: type, capacity: groupCount)
        for g in 0..<groupCount { b.append(g < values.count ? values[g] : .null) }
        return b.finish()
    }
}

/// string_agg: the non-NULL values of each group joined by the separator (of the row each
/// value came with, as in PostgreSQL), in ORDER BY order when given, else in input order.
/// NULL for a group without values.
final class StringAggAccumulator: Accumulator {
    let ordering: [AggregateOrdering]
    /// Per group: (separator before it, value, ORDER BY key values).
    var parts: [[(separator: String, value: String, keys: [Value])]] = []

    init(ordering: [AggregateOrdering]) { self.ordering = ordering }

    func update(groups: [Int32], groupCount: Int, values: Column?, mask: [Bool]?) throws {
        try update(groups: groups, groupCount: groupCount, values: values, extra: [], mask: mask)
    }

    func update(groups: [Int32], groupCount: Int, values: Column?, extra: [Column], mask: [Bool]?) throws {
        guard let values, case .string(let texts) = values.storage else { return }
        if parts.count < groupCount { parts.append(contentsOf: repeatElement([], count: groupCount - parts.count)) }
        let separators = extra.first
        let keys = Array(extra.dropFirst())
        for i in groups.indices where (mask?[i] ?? true) && values.validity.isValid(i) {
            let sep: String
            if let separators, case .string(let s) = separators.value(at: i) { sep = s } else { sep = "" }
            parts[Int(groups[i])].append((sep, texts[i], keys.map { $0.value(at: i) }))
        }
    }

    func finish(groupCount: Int) throws -> Column {
        var b = ColumnBuilder(type: .text, capacity: groupCount)
        for g in 0..<groupCount {
            guard g < parts.count, !parts[g].isEmpty else { b.appendNull(); continue }
            var items = parts[g]
            if !ordering.isEmpty {
                // Stable: equal keys keep input order.
                items = items.enumerated().sorted { a, b in
                    for (k, o) in ordering.enumerated() {
                        let x = a.element.keys[k], y = b.element.keys[k]
                        if x == y { continue }
                        if x.isNull || y.isNull { return x.isNull == o.nullsFirst }
                        let less = ValueOrder.less(x, y)
                        let greater = ValueOrder.less(y, x)
                        if !less && !greater { continue }
                        return o.descending ? greater : less
                    }
                    return a.offset < b.offset
                }.map(\.element)
            }
            var out = items[0].value
            for item in items.dropFirst() { out += item.separator + item.value }
            b.append(.string(out))
        }
        return b.finish()
    }
}
