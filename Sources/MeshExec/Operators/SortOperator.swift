import MeshCore
import MeshPlan

/// ORDER BY: reads its input, sorts row indices by the key columns, emits in batches.
/// NULLs sort as PostgreSQL's defaults unless the key says otherwise; text in byte order.
final class SortOperator: OperatorBase, PhysicalOperator {
    let child: any PhysicalOperator
    let keys: [SortKey]
    private let keyExprs: [CompiledExpression]
    private var sorted: Batch?
    private var position = 0
    var fields: [Field] { child.fields }
    var children: [any PhysicalOperator] { [child] }

    private let budget: MemoryBudget?

    init(_ child: any PhysicalOperator, keys: [SortKey], budget: MemoryBudget? = nil) throws {
        self.child = child
        self.budget = budget
        self.keys = keys
        self.keyExprs = try keys.map { try ExpressionCompiler.compile($0.expr) }
    }

    func pushDynamicFilter(column: Int, keys: [Value]) -> Bool {
        sorted == nil && child.pushDynamicFilter(column: column, keys: keys)
    }
    func startEarly() { child.startEarly() }

    func next() async throws -> Batch? {
        if sorted == nil {
            let all = try await drain(child, budget: budget, for: "sort")
            try budget?.reserve(all.estimatedBytes + all.rowCount * 16, for: "sort")
            sorted = try Self.sort(all, keys: keys, keyExprs: keyExprs)
        }
        return produced(nextSlice(of: sorted!, from: &position))
    }

    /// The batch's rows in key order; equal keys keep their input order.
    static func sort(_ all: Batch, keys: [SortKey], keyExprs: [CompiledExpression], limit: Int? = nil) throws -> Batch {
        var order = try Self.order(all, keys: keys, keyExprs: keyExprs)
        if let limit, order.count > limit { order.removeLast(order.count - limit) }
        return all.gather(order)
    }

    /// The row indices of `all` in key order, stable.
    static func order(_ all: Batch, keys: [SortKey], keyExprs: [CompiledExpression]) throws -> [Int] {
        let keyCols = try keyExprs.map { try $0(all) }
        let comparators = zip(keyCols, keys).map { Self.comparator($0, descending: $1.descending, nullsFirst: $1.nullsFirst) }
        // Ties go by input position (Swift's sort is not stable): one three-way comparison
        // per step, not two.
        return Array(0..<all.rowCount).sorted { a, b in
            for c in comparators {
                let r = c(a, b)
                if r != 0 { return r < 0 }
            }
            return a < b
        }
    }

    /// Returns a three-way comparison of rows `a` and `b` of one key column.
    static func comparator(_ c: Column, descending: Bool, nullsFirst: Bool) -> (Int, Int) -> Int {
        let v = c.validity
        func wrap<T>(_ arr: [T], _ cmp: @escaping (T, T) -> Int) -> (Int, Int) -> Int {
            return { a, b in
                let an = v.isNull(a), bn = v.isNull(b)
                if an || bn {
                    if an && bn { return 0 }
                    return an == nullsFirst ? -1 : 1
                }
                let r = cmp(arr[a], arr[b])
                return descending ? -r : r
            }
        }
        func ord<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch c.storage {
        case .int(let a): return wrap(a, ord)
        case .double(let a): return wrap(a, ord)
        case .decimal(let a): return wrap(a, ord)
        case .date(let a): return wrap(a, ord)
        case .timestamp(let a): return wrap(a, ord)
        case .bool(let a): return wrap(a) { x, y in x == y ? 0 : (x ? 1 : -1) }
        case .string(let a):
            return wrap(a, ByteOrderedString.compare)
        case .bytes(let a):
            return wrap(a) { x, y in x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1) }
        }
    }

    func close() { child.close() }
}
