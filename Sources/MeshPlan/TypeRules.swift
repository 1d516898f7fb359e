import MeshCore

/// PostgreSQL's implicit type rules, as far as meshql follows them.
public enum TypeRules {
    /// Scale of decimal division and AVG results. PostgreSQL picks 16 significant digits or
    /// more per value; with one scale per column meshql uses 16 fractional digits.
    public static let divisionScale = 16
    static let maxScale = 30

    /// The type both sides of a comparison, CASE branch or IN list convert to.
    public static func common(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        switch (a, b) {
        case (.unknown, _): return b
        case (_, .unknown): return a
        case (.decimal(_, let s1), .decimal(_, let s2)): return .decimal(precision: 38, scale: max(s1, s2))
        case (.decimal(_, let s), let i) where i.isInteger: return .decimal(precision: 38, scale: s)
        case (let i, .decimal(_, let s)) where i.isInteger: return .decimal(precision: 38, scale: s)
        case (.double, let n) where n.isNumeric: return .double
        case (let n, .double) where n.isNumeric: return .double
        case (let x, let y) where x.isInteger && y.isInteger:
            if x == .bigint || y == .bigint { return .bigint }
            if x == .integer || y == .integer { return .integer }
            return .smallint
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        case (.timestamptz, .timestamp), (.timestamp, .timestamptz), (.date, .timestamptz), (.timestamptz, .date):
            return .timestamptz
        default: return nil
        }
    }

    /// The result type of `a op b` for numbers, or nil when the operator does not apply.
    public static func arithmetic(_ op: ArithmeticOperator, _ a: DataType, _ b: DataType) -> DataType? {
        let a = a == .unknown ? b : a
        let b = b == .unknown ? a : b
        switch (a, b) {
        case (.date, let i) where i.isInteger && (op == .add || op == .subtract): return .date
        case (let i, .date) where i.isInteger && op == .add: return .date
        case (.date, .date) where op == .subtract: return .integer
        default: break
        }
        guard a.isNumeric, b.isNumeric, let c = common(a, b) else { return nil }
        switch c {
        case .decimal(_, let s):
            switch op {
            case .add, .subtract, .modulo: return c
            case .multiply:
                return .decimal(precision: 38, scale: min(a.decimalScale + b.decimalScale, maxScale))
            case .divide: return .decimal(precision: 38, scale: max(s, divisionScale))
            }
        default: return c
        }
    }

    /// Whether an explicit CAST from one type to another exists.
    public static func canCast(_ from: DataType, to: DataType) -> Bool {
        if from == to || from == .unknown { return true }
        switch (from.physical, to.physical) {
        case (.string, _), (_, .string): return true
        case (.int, .int), (.int, .double), (.int, .decimal), (.double, .int), (.double, .decimal),
             (.decimal, .int), (.decimal, .double), (.decimal, .decimal), (.double, .double):
            return true
        case (.int, .bool), (.bool, .int): return true
        case (.date, .timestamp), (.timestamp, .date), (.timestamp, .timestamp): return true
        default: return false
        }
    }

    /// Result type of an aggregate over an argument type, or nil if it does not apply.
    public static func aggregate(_ f: AggregateFunction, _ arg: DataType?) -> DataType? {
        switch f {
        case .count, .countStar: return .bigint
        case .sum:
            guard let arg else { return nil }
            switch arg {
            // As in PostgreSQL: sum(int2/int4) is bigint, sum(int8) numeric (it cannot overflow).
            case .smallint, .integer: return .bigint
            case .bigint: return .decimal(precision: 38, scale: 0)
            case .decimal(_, let s): return .decimal(precision: 38, scale: s)
            case .double: return .double
            case .unknown: return .bigint
            default: return nil
            }
        case .avg:
            guard let arg else { return nil }
            switch arg {
            case .smallint, .integer, .bigint, .unknown: return .decimal(precision: 38, scale: divisionScale)
            case .decimal(_, let s): return .decimal(precision: 38, scale: max(s, divisionScale))
            case .double: return .double
            default: return nil
            }
        case .min, .max:
            guard let arg, arg != .bytea else { return nil }
            return arg
        case .single:
            return arg
        case .stringAgg:
            return arg == .text || arg == .unknown ? .text : nil
        case .boolAnd, .boolOr:
            return arg == .boolean || arg == .unknown ? .boolean : nil
        }
    }
}
