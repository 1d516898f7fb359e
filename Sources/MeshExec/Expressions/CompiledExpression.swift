import MeshCore
import MeshPlan

/// An expression compiled once into a closure over whole columns: no per-row dispatch on the
/// expression tree, no per-value allocation in the arithmetic and comparison kernels.
public typealias CompiledExpression = @Sendable (Batch) throws -> Column

public enum ExpressionCompiler {
    /// The expression as a closure. An error it raises at run time without a position of its
    /// own gets the position of the innermost expression that has one (`amount * 1e300` points
    /// at the `*`), so runtime errors show a caret too.
    public static func compile(_ e: BoundExpr) throws -> CompiledExpression {
        let f = try compileNode(e)
        guard let location = e.location else { return f }
        return { batch in
            do {
                return try f(batch)
            } catch let error as MeshError where error.location == nil {
                throw error.located(at: location)
            }
        }
    }

    private static func compileNode(_ e: BoundExpr) throws -> CompiledExpression {
        let type = e.type
        switch e.kind {
        case .column(let id):
            throw MeshError(.internalError, "column \(id) was not laid out before compiling")
        case .slot(let i):
            return { batch in
                var c = batch.columns[i]
                if c.type != type, c.type.physical == type.physical, c.type.decimalScale == type.decimalScale { c.type = type }
                return c
            }
        case .literal(let v):
            return { batch in Column(repeating: v, type: type, count: batch.rowCount) }
        case .negate(let x):
            let f = try compile(x)
            return { batch in try Kernels.negate(try f(batch)) }
        case .not(let x):
            let f = try compile(x)
            return { batch in Kernels.not(try f(batch)) }
        case .arithmetic(let op, let a, let b):
            let fa = try compile(a), fb = try compile(b)
            return { batch in try Kernels.arithmetic(op, try fa(batch), try fb(batch), resultType: type) }
        case .comparison(let op, let a, let b):
            let fa = try compile(a), fb = try compile(b)
            return { batch in Kernels.compare(op, try fa(batch), try fb(batch)) }
        case .and(let a, let b):
            let fa = try compile(a), fb = try compile(b)
            return { batch in Kernels.and(try fa(batch), try fb(batch)) }
        case .or(let a, let b):
            let fa = try compile(a), fb = try compile(b)
            return { batch in Kernels.or(try fa(batch), try fb(batch)) }
        case .concat(let a, let b):
            let fa = try compile(a), fb = try compile(b)
            return { batch in Kernels.concat(try fa(batch), try fb(batch)) }
        case .isNull(let x, let negated):
            let f = try compile(x)
            return { batch in
                let c = try f(batch)
                return Column(type: .boolean, storage: .bool((0..<c.count).map { c.validity.isNull($0) != negated }))
            }
        case .isDistinctFrom(let a, let b, let negated):
            let fa = try compile(a), fb = try compile(b)
            return { batch in Kernels.distinctFrom(try fa(batch), try fb(batch), negated: negated) }
        case .inList(let x, let items, let negated):
            let fx = try compile(x)
            if items.count > 1, let set = try ValueSetMembership(items, operandType: x.type, negated: negated) {
                return { batch in try set.test(try fx(batch)) }
            }
            let fs = try items.map(compile)
            return { batch in
                let v = try fx(batch)
                var acc: Column? = nil
                for f in fs {
                    let eq = Kernels.compare(.equal, v, try f(batch))
                    acc = acc.map { Kernels.or($0, eq) } ?? eq
                }
                let result = acc ?? Column(repeating: .bool(false), type: .boolean, count: batch.rowCount)
                return negated ? Kernels.not(result) : result
            }
        case .like(let x, let pattern, let escape, let ci, let negated):
            let fx = try compile(x)
            if case .literal(let pv) = pattern.kind {
                guard case .string(let p) = pv else {
                    return { batch in Column(repeating: .null, type: .boolean, count: batch.rowCount) }
                }
                let matcher = LikePattern(p, escape: escape, caseInsensitive: ci)
                return { batch in Kernels.like(try fx(batch), matcher: { _ in matcher }, negated: negated) }
            }
            let fp = try compile(pattern)
            return { batch in
                let pc = try fp(batch)
                return Kernels.like(try fx(batch), matcher: { i in
                    guard case .string(let p) = pc.value(at: i) else { return nil }
                    return LikePattern(p, escape: escape, caseInsensitive: ci)
                }, negated: negated)
            }
        case .caseWhen(let whens, let otherwise):
            let conds = try whens.map { try compile($0.condition) }
            let results = try whens.map { try compile($0.result) }
            let other = try otherwise.map(compile)
            return { batch in try Kernels.caseWhen(batch, conditions: conds, results: results, otherwise: other, type: type) }
        case .cast(let x):
            let f = try compile(x)
            return { batch in try Kernels.cast(try f(batch), to: type) }
        case .function(let name, let args):
            // EXTRACT with a field known here: one pass over the column.
            if name == "date_part", args.count == 2, case .literal(.string(let field)) = args[0].kind,
               let part = DateFunctions.Part(rawValue: field.lowercased()), type == .bigint {
                let f = try compile(args[1])
                return { batch in try DateFunctions.datePartColumn(part, try f(batch)) }
            }
            let fs = try args.map(compile)
            let impl = try ScalarFunctionImpl.make(name, argumentTypes: args.map(\.type), resultType: type)
            return { batch in try impl(try fs.map { try $0(batch) }, batch.rowCount) }
        case .aggregate:
            throw MeshError(.internalError, "aggregate outside of an aggregation")
        case .subquery:
            throw MeshError(.internalError, "subquery that was not decorrelated")
        case .window:
            throw MeshError(.internalError, "window function outside a window node")
        }
    }

    /// Evaluates a predicate to a keep-mask (NULL counts as false).
    public static func compilePredicate(_ e: BoundExpr) throws -> @Sendable (Batch) throws -> [Bool] {
        let f = try compile(e)
        return { batch in try f(batch).truthMask() }
    }
}
