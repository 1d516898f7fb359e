import MeshCore
import MeshPlan

/// `x [NOT] IN (constant, constant, …)` over a column by hashing: one lookup per row however
/// long the list, where comparing with each item costs a pass over the batch per item (an IN
/// list of 100,000 values). For integer and text operands; text compares by its UTF-8 bytes,
/// as everywhere in meshql.
struct ValueSetMembership {
    private let ints: Set<Int64>
    private let strings: Set<ByteOrderedString>
    /// A NULL item: a row that matches nothing is NULL, not false.
    private let hasNull: Bool
    private let negated: Bool

    /// Nil unless the operand is an integer or text and every item a constant of its kind.
    init?(_ items: [BoundExpr], operandType: DataType, negated: Bool) throws {
        guard operandType.isInteger || operandType == .text else { return nil }
        var ints = Set<Int64>(), strings = Set<ByteOrderedString>()
        var hasNull = false
        for item in items {
            guard case .literal(let v) = item.kind else { return nil }
            switch v {
            case .null: hasNull = true
            case .int(let i): ints.insert(i)
            case .string(let s): strings.insert(ByteOrderedString(s))
            default: return nil
            }
        }
        guard operandType.isInteger ? strings.isEmpty : ints.isEmpty else { return nil }
        self.ints = ints
        self.strings = strings
        self.hasNull = hasNull
        self.negated = negated
    }

    func test(_ c: Column) throws -> Column {
        let n = c.count
        var out = [Bool](repeating: false, count: n)
        var unmatched = [Bool](repeating: false, count: hasNull ? n : 0)
        func set(_ i: Int, _ found: Bool) {
            if found { out[i] = !negated } else if hasNull { unmatched[i] = true } else { out[i] = negated }
        }
        switch c.storage {
        case .int(let a): for i in 0..<n where c.validity.isValid(i) { set(i, ints.contains(a[i])) }
        case .string(let a): for i in 0..<n where c.validity.isValid(i) { set(i, strings.contains(ByteOrderedString(a[i]))) }
        default: throw MeshError(.internalError, "an IN list over \(c.type) reached the hashed test")
        }
        let validity = hasNull ? Validity(count: n) { c.validity.isValid($0) && !unmatched[$0] } : c.validity
        return Column(type: .boolean, storage: .bool(out), validity: validity)
    }
}
