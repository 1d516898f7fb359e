import MeshCore
import MeshPlan

extension Kernels {
    static func compare(_ op: ComparisonOperator, _ a: Column, _ b: Column) -> Column {
        let validity = Validity.and(a.validity, b.validity)
        let n = a.count
        func run<T: Comparable>(_ x: [T], _ y: [T]) -> [Bool] {
            var out = [Bool](repeating: false, count: n)
            switch op {
            case .equal: for i in 0..<n { out[i] = x[i] == y[i] }
            case .notEqual: for i in 0..<n { out[i] = x[i] != y[i] }
            case .less: for i in 0..<n { out[i] = x[i] < y[i] }
            case .lessOrEqual: for i in 0..<n { out[i] = x[i] <= y[i] }
            case .greater: for i in 0..<n { out[i] = x[i] > y[i] }
            case .greaterOrEqual: for i in 0..<n { out[i] = x[i] >= y[i] }
            }
            return out
        }
        let out: [Bool]
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)): out = run(x, y)
        case (.double(let x), .double(let y)): out = run(x, y)
        case (.decimal(let x), .decimal(let y)):
            let sx = a.type.decimalScale, sy = b.type.decimalScale
            if sx == sy { out = run(x, y) } else {
                let s = max(sx, sy)
                out = run(x.map { Decimal128.rescale($0, from: sx, to: s) }, y.map { Decimal128.rescale($0, from: sy, to: s) })
            }
        case (.string(let x), .string(let y)): out = run(x.map(ByteOrderedString.init), y.map(ByteOrderedString.init))
        case (.date(let x), .date(let y)): out = run(x, y)
        case (.timestamp(let x), .timestamp(let y)): out = run(x, y)
        case (.bool(let x), .bool(let y)): out = run(x.map { $0 ? 1 : 0 }, y.map { $0 ? 1 : 0 })
        case (.bytes(let x), .bytes(let y)): out = run(x.map { ByteOrderedString(bytes: $0) }, y.map { ByteOrderedString(bytes: $0) })
        case (.date(let x), .timestamp(let y)): out = run(x.map(CivilTime.saturatingMicros), y)
        case (.timestamp(let x), .date(let y)): out = run(x, y.map(CivilTime.saturatingMicros))
        default: out = [Bool](repeating: false, count: n)
        }
        return Column(type: .boolean, storage: .bool(out), validity: validity)
    }

    /// Three-valued NOT.
    static func not(_ c: Column) -> Column {
        guard case .bool(let a) = c.storage else { return c }
        return Column(type: .boolean, storage: .bool(a.map { !$0 }), validity: c.validity)
    }

    /// Three-valued AND: false wins over NULL.
    static func and(_ a: Column, _ b: Column) -> Column {
        guard case .bool(let x) = a.storage, case .bool(let y) = b.storage else { return a }
        let n = x.count
        if !a.validity.hasNulls && !b.validity.hasNulls {
            return Column(type: .boolean, storage: .bool((0..<n).map { x[$0] && y[$0] }))
        }
        var out = [Bool](repeating: false, count: n)
        let validity = Validity(count: n) { i in
            let av = a.validity.isValid(i), bv = b.validity.isValid(i)
            if av && !x[i] { return true }
            if bv && !y[i] { return true }
            return av && bv
        }
        for i in 0..<n { out[i] = x[i] && y[i] && a.validity.isValid(i) && b.validity.isValid(i) }
        return Column(type: .boolean, storage: .bool(out), validity: validity)
    }

    /// Three-valued OR: true wins over NULL.
    static func or(_ a: Column, _ b: Column) -> Column {
        guard case .bool(let x) = a.storage, case .bool(let y) = b.storage else { return a }
        let n = x.count
        if !a.validity.hasNulls && !b.validity.hasNulls {
            return Column(type: .boolean, storage: .bool((0..<n).map { x[$0] || y[$0] }))
        }
        var out = [Bool](repeating: false, count: n)
        let validity = Validity(count: n) { i in
            let av = a.validity.isValid(i), bv = b.validity.isValid(i)
            if av && x[i] { return true }
            if bv && y[i] { return true }
            return av && bv
        }
        for i in 0..<n { out[i] = (x[i] && a.validity.isValid(i)) || (y[i] && b.validity.isValid(i)) }
        return Column(type: .boolean, storage: .bool(out), validity: validity)
    }

    static func distinctFrom(_ a: Column, _ b: Column, negated: Bool) -> Column {
        let eq = compare(.equal, a, b)
        guard case .bool(let e) = eq.storage else { return eq }
        let out = (0..<a.count).map { i -> Bool in
            let an = a.validity.isNull(i), bn = b.validity.isNull(i)
            let distinct = (an || bn) ? an != bn : !e[i]
            return distinct != negated
        }
        return Column(type: .boolean, storage: .bool(out))
    }

    static func concat(_ a: Column, _ b: Column) -> Column {
        let validity = Validity.and(a.validity, b.validity)
        guard case .string(let x) = a.storage, case .string(let y) = b.storage else {
            return Column(repeating: .null, type: .text, count: a.count)
        }
        return Column(type: .text, storage: .string((0..<x.count).map { x[$0] + y[$0] }), validity: validity)
    }

    static func like(_ c: Column, matcher: (Int) -> LikePattern?, negated: Bool) -> Column {
        guard case .string(let s) = c.storage else { return Column(repeating: .null, type: .boolean, count: c.count) }
        var validity = c.validity
        var out = [Bool](repeating: false, count: s.count)
        var nullPattern = false
        for i in s.indices where c.validity.isValid(i) {
            guard let m = matcher(i) else { nullPattern = true; continue }
            out[i] = m.matches(s[i]) != negated
        }
        if nullPattern {
            validity = Validity(count: s.count) { i in c.validity.isValid(i) && matcher(i) != nil }
        }
        return Column(type: .boolean, storage: .bool(out), validity: validity)
    }

    /// Searched CASE. Each branch is evaluated only on the rows that reach it, so a guarded
    /// division (`CASE WHEN x = 0 THEN 0 ELSE 1 / x END`) never divides by zero.
    static func caseWhen(_ batch: Batch, conditions: [CompiledExpression], results: [CompiledExpression],
                         otherwise: CompiledExpression?, type: DataType) throws -> Column {
        var remaining = Array(0..<batch.rowCount)
        var parts: [(rows: [Int], values: Column)] = []
        var current = batch
        for (cond, result) in zip(conditions, results) {
            if remaining.isEmpty { break }
            let mask = try cond(current).truthMask()
            var hit: [Int] = [], hitLocal: [Int] = [], rest: [Int] = [], restLocal: [Int] = []
            for (k, row) in remaining.enumerated() {
                if mask[k] { hit.append(row); hitLocal.append(k) } else { rest.append(row); restLocal.append(k) }
            }
            if !hit.isEmpty {
                parts.append((hit, try cast(try result(current.gather(hitLocal)), to: type)))
            }
            remaining = rest
            current = current.gather(restLocal)
        }
        if !remaining.isEmpty {
            let values = try otherwise.map { try cast(try $0(current), to: type) }
                ?? Column(repeating: .null, type: type, count: remaining.count)
            parts.append((remaining, values))
        }
        // Put the pieces back in row order.
        var position = [Int](repeating: 0, count: batch.rowCount)
        var offset = 0
        for p in parts {
            for (k, row) in p.rows.enumerated() { position[row] = offset + k }
            offset += p.rows.count
        }
        let all = Column.concat(parts.map(\.values), type: type)
        return all.gather(position)
    }
}
