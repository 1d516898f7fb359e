import MeshCore
import MeshDialect

/// Prints bound expressions in a source's dialect. Returns nil for anything the dialect cannot
/// evaluate with meshql's exact semantics; the caller then keeps that node local.
struct ExpressionSQL {
    let dialect: any SQLDialect
    /// A table column's plain reference, by the SQL `SQLDialect.tableColumn` gave for it where
    /// the two differ (see `looseTextEquality`). Where a column's SQL is an input, its table is
    /// in scope, and so is the plain reference.
    var plainColumns: [SQLText: SQLText] = [:]

    /// - Parameter inputs: the SQL that reads each input column.
    func print(_ e: BoundExpr, _ inputs: [ColumnID: SQLText], _ params: inout SQLParameters) -> SQLText? {
        // Deeper than the source's parser takes: it stays here.
        guard e.height <= dialect.maxExpressionDepth else { return nil }
        func p(_ x: BoundExpr) -> SQLText? { print(x, inputs, &params) }
        switch e.kind {
        case .column(let id):
            return inputs[id]
        case .slot:
            return nil
        case .literal(let v):
            if case .null = v {
                guard e.type != .unknown, let t = dialect.castTypeName(e.type) else { return "NULL" }
                return "CAST(NULL AS \(t))"
            }
            if case .bool(let b) = v { return SQLText(dialect.booleanLiteral(b)) }
            if [.date, .timestamp, .timestamptz].contains(e.type), !dialect.supports(.dateComparison) { return nil }
            guard dialect.canBind(v, type: e.type) else { return nil }
            return params.bind(v, e.type, dialect)
        case .negate(let x):
            if case .decimal = e.type, !dialect.supports(.decimalArithmetic) { return nil }
            return p(x).map { "(- \($0))" }
        case .not(let x):
            return p(x).map { "(NOT \($0))" }
        case .arithmetic(let op, let a, let b):
            if [a.type, b.type].contains(where: { [.date, .timestamp, .timestamptz].contains($0) }) {
                guard dialect.supports(.dateArithmetic) else { return nil }
            }
            if case .decimal = e.type, !dialect.supports(.decimalArithmetic) { return nil }
            if case .decimal = a.type, !dialect.supports(.decimalArithmetic) { return nil }
            if e.type == .double, !dialect.supports(.doubleOverflowErrors) { return nil }
            if op == .divide || op == .modulo, !dialect.supports(.division) { return nil }
            // A constant zero divisor: PostgreSQL folds the division while planning and fails
            // even where the expression is never evaluated (`CASE WHEN … THEN 1/0 END`);
            // meshql evaluates it only for the rows that reach it.
            if op == .divide || op == .modulo, case .literal(let v) = b.kind, v.isZero { return nil }
            guard let x = p(a), let y = p(b) else { return nil }
            return dialect.arithmetic(op.rawValue, x, y, type: e.type)
        case .comparison(let op, let a, let b):
            if [.date, .timestamp, .timestamptz].contains(a.type), !dialect.supports(.dateComparison) { return nil }
            guard var x = p(a), var y = p(b) else { return nil }
            if a.type.physical == .string, op != .equal, op != .notEqual {
                guard let bx = dialect.byteOrderedText(x), let by = dialect.byteOrderedText(y) else { return nil }
                x = bx
                y = by
            }
            // A table column with a plain form against a value: not two columns, whose own
            // collations may differ (MariaDB refuses to compare two such).
            if a.type.physical == .string, op == .equal {
                var loose: SQLText?
                if let px = plainColumns[x], b.referencedColumns.isEmpty { loose = dialect.looseTextEquality(px, y) }
                if let py = plainColumns[y], a.referencedColumns.isEmpty { loose = dialect.looseTextEquality(x, py) }
                if let loose { return "(\(loose) AND (\(x) = \(y)))" }
            }
            return "(\(x) \(op.rawValue) \(y))"
        case .and(let a, let b):
            guard let x = p(a), let y = p(b) else { return nil }
            return "(\(x) AND \(y))"
        case .or(let a, let b):
            guard let x = p(a), let y = p(b) else { return nil }
            return "(\(x) OR \(y))"
        case .concat(let a, let b):
            guard dialect.supports(.stringConcat), let x = p(a), let y = p(b) else { return nil }
            return "(\(x) || \(y))"
        case .isNull(let x, let negated):
            return p(x).map { "(\($0) IS \(negated ? "NOT " : "")NULL)" }
        case .isDistinctFrom(let a, let b, let negated):
            guard let x = p(a), let y = p(b) else { return nil }
            return dialect.distinctFrom(x, y, negated: negated)
        case .inList(let x, let list, let negated):
            if [.date, .timestamp, .timestamptz].contains(x.type), !dialect.supports(.dateComparison) { return nil }
            guard let v = p(x) else { return nil }
            if list.count > Self.valueSetMinimum, let set = valueSet(v, x.type, list, &params) {
                return negated ? "(NOT \(set))" : set
            }
            var items: [SQLText] = []
            for item in list {
                guard let s = p(item) else { return nil }
                items.append(s)
            }
            return "(\(v) \(negated ? "NOT " : "")IN (\(items.joined(separator: ", "))))"
        case .like(let x, let pattern, let escape, let ci, let negated):
            guard dialect.supports(ci ? .ilike : .like), var v = p(x), let pat = p(pattern) else { return nil }
            // ILIKE folds case by the collation's ctype; meshql folds ASCII only, as "C" does.
            if ci {
                guard let c = dialect.byteOrderedText(v) else { return nil }
                v = c
            }
            var s: SQLText = "(\(v) \(negated ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(pat)"
            if let escape {
                s.append(" ESCAPE \(params.bind(.string(String(escape)), .text, dialect))")
            } else {
                guard let none = dialect.noLikeEscape else { return nil }
                s.append(plain: none)
            }
            return s + ")"
        case .caseWhen(let whens, let otherwise):
            guard dialect.supports(.caseExpression) else { return nil }
            var s: SQLText = "CASE"
            for w in whens {
                guard let c = p(w.condition), let r = p(w.result) else { return nil }
                s.append(" WHEN \(c) THEN \(r)")
            }
            if let otherwise {
                guard let o = p(otherwise) else { return nil }
                s.append(" ELSE \(o)")
            }
            return s + " END"
        case .cast(let x):
            guard dialect.canCast(from: x.type, to: e.type), let name = dialect.castTypeName(e.type), let v = p(x) else { return nil }
            return "CAST(\(v) AS \(name))"
        case .function(let name, let args):
            var printed: [SQLText] = []
            for a in args {
                guard let s = p(a) else { return nil }
                printed.append(s)
            }
            return dialect.functionCall(name, arguments: printed, argumentTypes: args.map(\.type))
        case .aggregate, .subquery, .window:
            return nil
        }
    }

    /// An aggregate call, or nil when the dialect would not give the exact same result.
    /// IN lists longer than this go as one array parameter where the source takes one.
    static let valueSetMinimum = 32

    /// `v IN (constants)` as one parameter. A NULL among them makes a row that matches none
    /// NULL instead of false: `(v = ANY(…) OR NULL)`, which NOT negates as NOT IN requires.
    func valueSet(_ v: SQLText, _ type: DataType, _ list: [BoundExpr], _ params: inout SQLParameters) -> SQLText? {
        var values: [Value] = []
        var hasNull = false
        for item in list {
            guard case .literal(let value) = item.kind else { return nil }
            if value.isNull { hasNull = true } else { values.append(value) }
        }
        guard let parameter = dialect.keySetParameter(values),
              let sql = dialect.valueSetPredicate(v, parameterIndex: params.values.count + 1, type: type) else { return nil }
        params.append(parameter)
        return hasNull ? "(\(sql) OR NULL)" : sql
    }

    func print(_ a: AggregateCall, _ inputs: [ColumnID: SQLText], _ params: inout SQLParameters) -> SQLText? {
        let argType = a.arguments.first?.type
        if a.distinct, !dialect.supports(.distinctAggregates) { return nil }
        switch a.function {
        case .sum, .avg:
            if case .decimal = argType, !dialect.supports(.decimalAggregates) { return nil }
            if a.function == .avg, argType?.isInteger == true, !dialect.supports(.integerAverage) { return nil }
        case .boolAnd, .boolOr:
            guard dialect.supports(.booleanAggregates) else { return nil }
        case .single, .stringAgg:
            return nil
        case .min, .max:
            if let t = argType, [.date, .timestamp, .timestamptz].contains(t), !dialect.supports(.dateComparison) { return nil }
        default: break
        }
        var body: SQLText
        if a.function == .countStar {
            body = "COUNT(*)"
        } else {
            guard let arg = a.arguments.first, var x = print(arg, inputs, &params) else { return nil }
            if a.function == .min || a.function == .max, arg.type.physical == .string {
                guard let ordered = dialect.byteOrderedText(x) else { return nil }
                x = ordered
            }
            let fname = a.function == .count ? "COUNT" : a.function.rawValue.uppercased()
            guard let call = dialect.aggregateCall(fname, argument: x, argumentType: arg.type, distinct: a.distinct) else {
                return nil
            }
            body = call
        }
        if let f = a.filter {
            guard let c = print(f, inputs, &params), let filtered = dialect.filteredAggregate(body, condition: c) else { return nil }
            body = filtered
        }
        return body
    }
}

extension Value {
    /// A numeric zero (integer, decimal or double).
    var isZero: Bool {
        switch self {
        case .int(let i): i == 0
        case .decimal(let v, _): v == 0
        case .double(let d): d == 0
        default: false
        }
    }
}
