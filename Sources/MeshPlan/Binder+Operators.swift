import Foundation
import MeshCore
import MeshSQL

extension Binder {
    /// The value a parameter `lit` takes where its query converts it to `type` (the type the
    /// binding reported for it), as binding it there would: what a cached plan's slot gets.
    public static func parameterValue(_ lit: Literal, as type: DataType) throws -> Value {
        let loc = SourceLocation(line: 0, column: 0)
        let bound = try bindLiteral(lit, at: loc)
        guard case .literal(let v) = try castFolding(bound, to: type, at: loc).kind else {
            throw MeshError(.internalError, "a parameter did not convert to a constant")
        }
        return v
    }

    static func bindLiteral(_ lit: Literal, at loc: SourceLocation) throws -> BoundExpr {
        switch lit {
        case .null: return BoundExpr(.literal(.null), type: .unknown, at: loc)
        case .boolean(let b): return BoundExpr(.literal(.bool(b)), type: .boolean, at: loc)
        case .integer(let s):
            if let v = Int64(s) {
                return BoundExpr(.literal(.int(v)), type: Int32(exactly: v) != nil ? .integer : .bigint, at: loc)
            }
            guard let d = Decimal128.parse(s, scale: 0) else {
                throw MeshError(.numericOverflow, "numeric literal is out of range", at: loc)
            }
            return BoundExpr(.literal(.decimal(d, scale: 0)), type: .decimal(precision: 38, scale: 0), at: loc)
        case .decimal(let s):
            if s.contains("e") || s.contains("E") {
                guard let d = Double(s) else { throw MeshError(.invalidText, "invalid number", at: loc) }
                guard d.isFinite else {
                    throw MeshError(.numericOverflow, "\"\(s)\" is out of range for type double precision", at: loc)
                }
                return BoundExpr(.literal(.double(d)), type: .double, at: loc)
            }
            let scale = s.firstIndex(of: ".").map { s.distance(from: $0, to: s.endIndex) - 1 } ?? 0
            guard scale <= 38 else {
                throw MeshError(.numericOverflow, "numeric literal has more than 38 digits after the decimal point", at: loc)
            }
            guard let v = Decimal128.parse(s, scale: scale) else {
                throw MeshError(.numericOverflow, "numeric literal is out of range", at: loc)
            }
            return BoundExpr(.literal(.decimal(v, scale: scale)), type: .decimal(precision: 38, scale: scale), at: loc)
        case .string(let s):
            // An untyped string literal: text, or whatever the other operand needs.
            return BoundExpr(.literal(.string(s)), type: .unknown, at: loc)
        case .typed(let type, let value):
            guard let t = DataType.parse(type) else {
                throw MeshError(.undefinedObject, "type \"\(type)\" does not exist", at: loc)
            }
            return try Self.castFolding(BoundExpr(.literal(.string(value)), type: .unknown, at: loc), to: t, at: loc)
        case .interval:
            throw MeshError(.notSupported, "intervals are supported only added to or subtracted from a date", at: loc)
        }
    }

    func bindBinary(_ op: BinaryOperator, _ l: BoundExpr, _ r: BoundExpr, left: Expr, right: Expr,
                    at loc: SourceLocation) throws -> BoundExpr {
        switch op {
        case .and, .or:
            let a = try requireBoolean(l, op.rawValue, at: left.location)
            let b = try requireBoolean(r, op.rawValue, at: right.location)
            return BoundExpr(op == .and ? .and(a, b) : .or(a, b), type: .boolean, at: loc)

        case .concat:
            let a = l.type == .text || l.type == .unknown ? Self.coerce(l, to: .text) : Self.coerce(l, to: .text, explicit: true)
            let b = r.type == .text || r.type == .unknown ? Self.coerce(r, to: .text) : Self.coerce(r, to: .text, explicit: true)
            return BoundExpr(.concat(a, b), type: .text, at: loc)

        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let cmp: ComparisonOperator = switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            default: .greaterOrEqual
            }
            let (a, b) = try unify(l, r, op: op.rawValue, at: loc)
            return BoundExpr(.comparison(cmp, a, b), type: .boolean, at: loc)

        case .add, .subtract, .multiply, .divide, .modulo:
            let arith: ArithmeticOperator = switch op {
            case .add: .add
            case .subtract: .subtract
            case .multiply: .multiply
            case .divide: .divide
            default: .modulo
            }
            // An untyped literal next to a number is read as that number's type.
            var a = l, b = r
            if a.type == .unknown, b.type.isNumeric { a = try Self.coerceChecked(a, to: b.type, at: left.location) }
            if b.type == .unknown, a.type.isNumeric { b = try Self.coerceChecked(b, to: a.type, at: right.location) }
            guard let t = TypeRules.arithmetic(arith, a.type, b.type) else {
                throw MeshError(.typeMismatch, "operator does not exist: \(a.type) \(op.rawValue) \(b.type)", at: loc,
                                hint: "No operator matches the given name and argument types. You might need to add explicit type casts.")
            }
            if a.type.isNumeric, b.type.isNumeric, let c = TypeRules.common(a.type, b.type) {
                // Operands meet in their common type; decimals keep their own scales.
                if case .decimal = c {
                    if a.type.isInteger { a = Self.coerce(a, to: .decimal(precision: 38, scale: 0)) }
                    if b.type.isInteger { b = Self.coerce(b, to: .decimal(precision: 38, scale: 0)) }
                } else {
                    a = Self.coerce(a, to: c)
                    b = Self.coerce(b, to: c)
                }
            }
            return BoundExpr(.arithmetic(arith, a, b), type: t, at: loc)
        }
    }

    /// Brings two operands of a comparison to one type.
    func unify(_ l: BoundExpr, _ r: BoundExpr, op: String, at loc: SourceLocation) throws -> (BoundExpr, BoundExpr) {
        if l.type == r.type { return (l, r) }
        guard let t = Self.commonForComparison(l.type, r) ?? Self.commonForComparison(r.type, l) else {
            throw MeshError(.typeMismatch, "operator does not exist: \(l.type) \(op) \(r.type)", at: loc,
                            hint: "No operator matches the given name and argument types. You might need to add explicit type casts.")
        }
        return (try Self.coerceChecked(l, to: t, at: l.location ?? loc), try Self.coerceChecked(r, to: t, at: r.location ?? loc))
    }

    /// The type for comparing a value of type `t` with expression `other`; an untyped string
    /// literal takes the other side's type, as in PostgreSQL (`d > '1995-01-01'`).
    static func commonForComparison(_ t: DataType, _ other: BoundExpr) -> DataType? {
        if other.type == .unknown, case .literal = other.kind { return t == .unknown ? .text : t }
        if t == .unknown { return other.type }
        return TypeRules.common(t, other.type)
    }

    /// Converts to `type`, folding literals now (and reporting a bad literal at its position).
    static func coerceChecked(_ e: BoundExpr, to type: DataType, at loc: SourceLocation,
                              implicitOnly: Bool = false, op: String = "") throws -> BoundExpr {
        if e.type == type { return e }
        if implicitOnly, e.type != .unknown, TypeRules.common(e.type, type) != type {
            throw MeshError(.typeMismatch, "operator does not exist: \(e.type) \(op) \(type)", at: loc)
        }
        if case .literal = e.kind { return try castFolding(e, to: type, at: loc) }
        return coerce(e, to: type)
    }

    /// Wraps in a cast unless the type already matches. Literals are converted in place.
    static func coerce(_ e: BoundExpr, to type: DataType, explicit: Bool = false) -> BoundExpr {
        if e.type == type { return e }
        if case .literal(let v) = e.kind, let folded = try? ValueCast.cast(v, from: e.type, to: type) {
            return BoundExpr(.literal(folded), type: type, at: e.location)
        }
        return BoundExpr(.cast(e), type: type, at: e.location)
    }

    /// CAST with constant folding; a literal that does not convert is an error at its position.
    static func castFolding(_ e: BoundExpr, to type: DataType, at loc: SourceLocation) throws -> BoundExpr {
        if case .literal(let v) = e.kind {
            do {
                return BoundExpr(.literal(try ValueCast.cast(v, from: e.type, to: type)), type: type, at: loc)
            } catch let error as MeshError {
                throw error.located(at: loc)
            }
        }
        if e.type == type { return e }
        return BoundExpr(.cast(e), type: type, at: loc)
    }

    static func fold(_ kind: BoundExpr.Kind, value: Value, type: DataType) -> BoundExpr {
        switch value {
        case .int(let i):
            // Out of range negated (-(-2^63), or past a smallint's / integer's range): left to
            // the run-time kernel, which raises the error.
            guard i != .min, (try? ValueCast.checkRange(.int(-i), type)) != nil else { return BoundExpr(kind, type: type) }
            return .literal(.int(-i), type)
        case .double(let d): return .literal(.double(-d), type)
        case .decimal(let v, let s): return .literal(.decimal(-v, scale: s), type)
        case .null: return .literal(.null, type)
        default: return BoundExpr(kind, type: type)
        }
    }
}
