import Foundation
import MeshCore
import MeshSQL

extension Binder {
    /// Binds a condition (WHERE, ON, HAVING) and checks that it is boolean.
    func bindCondition(_ e: Expr, scope: Scope, clause: String, allowAggregates: Bool = false) throws -> BoundExpr {
        let b = try bindExpr(e, scope: scope, allowAggregates: allowAggregates, clause: clause)
        guard b.type == .boolean || b.type == .unknown else {
            throw MeshError(.typeMismatch, "argument of \(clause) must be type boolean, not type \(b.type)", at: e.location)
        }
        return b.type == .unknown ? Self.coerce(b, to: .boolean) : b
    }

    func bindExpr(_ e: Expr, scope: Scope, allowAggregates: Bool, clause: String = "this context") throws -> BoundExpr {
        func bind(_ x: Expr) throws -> BoundExpr { try bindExpr(x, scope: scope, allowAggregates: allowAggregates, clause: clause) }
        let loc = e.location
        switch e.kind {
        case .literal(let lit):
            return try Self.bindLiteral(lit, at: loc)

        case .column(let parts):
            return try resolveColumn(parts, scope: scope, at: loc)

        case .parameter(let n):
            // A value given beside the statement (the API's `params`), bound as the literal
            // it stands for: never spliced into any text.
            parameterSites.byLocation[loc] = n
            guard n >= 1, n <= parameters.count else {
                throw MeshError(.invalidParameter, "there is no parameter $\(n)", at: loc,
                                hint: parameters.isEmpty ? "give its value in \"params\"" : "\(parameters.count) parameter(s) given")
            }
            return try Self.bindLiteral(parameters[n - 1], at: loc)

        case .unary(let op, let x):
            let v = try bind(x)
            switch op {
            case .not:
                return BoundExpr(.not(try requireBoolean(v, "NOT", at: x.location)), type: .boolean, at: loc)
            case .plus:
                guard v.type.isNumeric || v.type == .unknown else {
                    throw MeshError(.typeMismatch, "operator does not exist: + \(v.type)", at: loc)
                }
                return v
            case .negate:
                guard v.type.isNumeric else {
                    throw MeshError(.typeMismatch, "operator does not exist: - \(v.type)", at: loc)
                }
                if case .literal(let value) = v.kind { return Self.fold(.negate(v), value: value, type: v.type) }
                return BoundExpr(.negate(v), type: v.type, at: loc)
            }

        case .binary(let op, let l, let r):
            // A long OR chain, bound term by term (no recursion down the chain); equalities of
            // one expression with constants become one IN list, which the executor and the
            // sources look up in a set instead of testing each term (40,000 terms took a
            // minute of CPU).
            if op == .or, case let chain = Self.orChain(e), chain.count >= Self.inListMinimum {
                let parts = try chain.map { try requireBoolean(try bind($0), "OR", at: $0.location) }
                return Self.equalitiesAsIn(parts, at: loc) ?? BoundExpr.disjunction(parts)!
            }
            if case .literal(.interval(let value, let unit)) = r.kind, op == .add || op == .subtract {
                return try bindIntervalArithmetic(try bind(l), value: value, unit: unit, negate: op == .subtract, at: loc)
            }
            if case .literal(.interval(let value, let unit)) = l.kind, op == .add {
                return try bindIntervalArithmetic(try bind(r), value: value, unit: unit, negate: false, at: loc)
            }
            return try bindBinary(op, try bind(l), try bind(r), left: l, right: r, at: loc)

        case .isNull(let x, let negated):
            return BoundExpr(.isNull(try bind(x), negated: negated), type: .boolean, at: loc)

        case .isDistinctFrom(let a, let b, let negated):
            let (x, y) = try unify(try bind(a), try bind(b), op: "IS DISTINCT FROM", at: loc)
            return BoundExpr(.isDistinctFrom(x, y, negated: negated), type: .boolean, at: loc)

        case .isBoolean(let x, let value, let negated):
            let v = try requireBoolean(try bind(x), "IS \(value ? "TRUE" : "FALSE")", at: x.location)
            // x IS TRUE ⇔ x IS NOT DISTINCT FROM TRUE.
            return BoundExpr(.isDistinctFrom(v, .literal(.bool(value), .boolean), negated: !negated), type: .boolean, at: loc)

        case .between(let x, let low, let high, let negated):
            let v = try bind(x)
            let ge = try bindBinary(.greaterOrEqual, v, try bind(low), left: x, right: low, at: loc)
            let le = try bindBinary(.lessOrEqual, v, try bind(high), left: x, right: high, at: loc)
            let both = BoundExpr(.and(ge, le), type: .boolean, at: loc)
            return negated ? BoundExpr(.not(both), type: .boolean, at: loc) : both

        case .inList(let x, let list, let negated):
            var v = try bind(x)
            var items = try list.map(bind)
            var t = v.type
            for (i, item) in items.enumerated() {
                guard let c = Self.commonForComparison(t, item) ?? Self.commonForComparison(item.type, v) else {
                    throw MeshError(.typeMismatch, "operator does not exist: \(v.type) = \(item.type)", at: list[i].location)
                }
                t = c
            }
            v = try Self.coerceChecked(v, to: t, at: x.location)
            items = try items.enumerated().map { try Self.coerceChecked($1, to: t, at: list[$0].location) }
            return BoundExpr(.inList(v, items, negated: negated), type: .boolean, at: loc)

        case .exists(let q, let negated):
            return try bindExists(q, negated: negated, scope: scope, at: loc)

        case .inSubquery(let x, let q, let negated):
            return try bindInSubquery(try bind(x), q, negated: negated, scope: scope, at: loc)

        case .quantified(let op, let x, let q, let all):
            guard let comparison = ComparisonOperator(rawValue: op.rawValue) else {
                throw MeshError(.syntax, "\(op.rawValue) \(all ? "ALL" : "ANY") needs a comparison operator", at: loc)
            }
            // x op ALL (q) is true when no value makes x op y false: NOT (x op' ANY (q)),
            // op' the negated operator; NULLs come out as PostgreSQL's.
            return try bindInSubquery(try bind(x), q, negated: all, comparison: all ? comparison.negated : comparison,
                                      written: op.rawValue, scope: scope, at: loc)

        case .subquery(let q):
            return try bindScalarSubquery(q, scope: scope, at: loc)

        case .like(let x, let pattern, let escape, let ci, let negated):
            let v = try Self.coerceChecked(try bind(x), to: .text, at: x.location, implicitOnly: true, op: ci ? "~~*" : "~~")
            let p = try Self.coerceChecked(try bind(pattern), to: .text, at: pattern.location, implicitOnly: true, op: ci ? "~~*" : "~~")
            var esc: Character? = "\\"
            if let escape {
                guard case .literal(.string(let s)) = escape.kind, s.count <= 1 else {
                    throw MeshError(.invalidParameter, "invalid escape string", at: escape.location,
                                    hint: "Escape string must be empty or one character.")
                }
                esc = s.first
            }
            return BoundExpr(.like(v, pattern: p, escape: esc, caseInsensitive: ci, negated: negated), type: .boolean, at: loc)

        case .caseWhen(let operand, let branches, let otherwise):
            let op = try operand.map(bind)
            var conditions: [BoundExpr] = []
            for br in branches {
                if let op {
                    conditions.append(try bindBinary(.equal, op, try bind(br.when), left: operand!, right: br.when, at: br.when.location))
                } else {
                    conditions.append(try requireBoolean(try bind(br.when), "CASE/WHEN", at: br.when.location))
                }
            }
            var results = try branches.map { try bind($0.then) }
            var other = try otherwise.map(bind)
            var t: DataType = .unknown
            for (i, r) in (results + (other.map { [$0] } ?? [])).enumerated() {
                guard let c = TypeRules.common(t, r.type) else {
                    let at = i < branches.count ? branches[i].then.location : otherwise!.location
                    throw MeshError(.typeMismatch, "CASE types \(t) and \(r.type) cannot be matched", at: at)
                }
                t = c
            }
            if t == .unknown { t = .text }
            results = results.map { Self.coerce($0, to: t) }
            other = other.map { Self.coerce($0, to: t) }
            let whens = zip(conditions, results).map { BoundWhen(condition: $0, result: $1) }
            return BoundExpr(.caseWhen(whens, otherwise: other), type: t, at: loc)

        case .cast(let x, let typeName):
            if ["text", "varchar", "name"].contains(typeName), case .cast(let inner, let reg) = x.kind,
               let e = try bindRegName(try bind(inner), reg, at: loc) {
                return e
            }
            let v = try bind(x)
            if let e = try bindPostgresCast(v, typeName, at: loc) { return e }
            guard let target = DataType.parse(typeName) else {
                throw MeshError(.undefinedObject, "type \"\(typeName)\" does not exist", at: loc)
            }
            guard TypeRules.canCast(v.type, to: target) else {
                throw MeshError(.typeMismatch, "cannot cast type \(v.type) to \(target)", at: loc)
            }
            let cast = try Self.castFolding(v, to: target, at: loc)
            // `varchar(n)` keeps its first n characters, as PostgreSQL's explicit cast does.
            if let n = Self.varcharLength(typeName) {
                guard n >= 1 else { throw MeshError(.invalidParameter, "length for type varchar must be at least 1", at: loc) }
                return BoundExpr(.function("left", [cast, .literal(.int(Int64(n)), .integer)]), type: .text, at: loc)
            }
            return cast

        case .function(let call):
            return try bindFunction(call, scope: scope, allowAggregates: allowAggregates, clause: clause, at: loc)

        case .extract(let field, let from):
            let v = try bind(from)
            guard [.date, .timestamp, .timestamptz].contains(v.type) else {
                throw MeshError(.typeMismatch, "function extract(unknown, \(v.type)) does not exist", at: loc)
            }
            let known = ["year", "month", "day", "hour", "minute", "second", "dow", "doy", "quarter", "week", "epoch", "isodow", "decade", "century"]
            guard known.contains(field) else {
                throw MeshError(.invalidParameter, "unit \"\(field)\" not recognized for type \(v.type)", at: loc)
            }
            return BoundExpr(.function("date_part", [.literal(.string(field), .text), v]), type: .bigint, at: loc)

        case .substring(let x, let from, let count):
            var args = [try bind(x), try from.map(bind) ?? .literal(.int(1), .integer)]
            if let count { args.append(try bind(count)) }
            return try scalarCall("substring", args, at: loc)

        case .position(let needle, let haystack):
            return try scalarCall("position", [try bind(haystack), try bind(needle)], at: loc)

        case .trim(let x, let side, let chars):
            let name = side == "leading" ? "ltrim" : side == "trailing" ? "rtrim" : "btrim"
            var args = [try bind(x)]
            if let chars { args.append(try bind(chars)) }
            return try scalarCall(name, args, at: loc)

        case .currentTime(let which):
            clock.read = true
            let micros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded())
            if which == "current_date" {
                let days = Int32((Double(micros) / Double(CivilTime.microsPerDay)).rounded(.down))
                return BoundExpr(.literal(.date(days)), type: .date, at: loc)
            }
            return BoundExpr(.literal(.timestamp(micros)), type: which == "current_timestamp" ? .timestamptz : .timestamp, at: loc)
        }
    }

    func scalarCall(_ name: String, _ args: [BoundExpr], at loc: SourceLocation) throws -> BoundExpr {
        // Untyped string literals act as text.
        let types = args.map { $0.type == .unknown ? DataType.text : $0.type }
        guard let t = ScalarFunctions.returnType(name, types) else {
            throw MeshError(.undefinedFunction,
                            "function \(name)(\(types.map(\.description).joined(separator: ", "))) does not exist", at: loc,
                            hint: "No function matches the given name and argument types.")
        }
        var bound = args
        switch name {
        case "coalesce", "greatest", "least", "nullif":
            bound = args.map { Self.coerce($0, to: t) }
        default:
            break
        }
        return BoundExpr(.function(name, bound), type: t, at: loc)
    }

    func bindFunction(_ call: FunctionCall, scope: Scope, allowAggregates: Bool, clause: String,
                      at loc: SourceLocation) throws -> BoundExpr {
        if let over = call.over {
            return try bindWindow(call, over, scope: scope, allowAggregates: allowAggregates, clause: clause, at: loc)
        }
        if call.name == "now", call.arguments.isEmpty {
            return try bindExpr(Expr(.currentTime("current_timestamp"), at: loc), scope: scope,
                                allowAggregates: allowAggregates, clause: clause)
        }
        if call.name == "array_query", call.arguments.count == 1, case .subquery(let q) = call.arguments[0].kind {
            return try bindExpr(Self.arrayOfRows(q, at: loc), scope: scope, allowAggregates: allowAggregates, clause: clause)
        }
        if call.name == "string_agg" {
            return try bindStringAgg(call, scope: scope, allowAggregates: allowAggregates, clause: clause, at: loc)
        }
        if !call.orderBy.isEmpty {
            throw MeshError(.notSupported, "ORDER BY inside \(call.name)(…) is not supported", at: loc)
        }
        let aggregate: AggregateFunction? = switch call.name {
        case "count": call.isStar ? .countStar : .count
        case "sum": .sum
        case "avg": .avg
        case "min": .min
        case "max": .max
        case "bool_and", "every": .boolAnd
        case "bool_or": .boolOr
        default: nil
        }
        if let aggregate {
            guard allowAggregates else {
                throw MeshError(.groupingError, "aggregate functions are not allowed in \(clause)", at: loc)
            }
            // Arguments of an aggregate may not contain aggregates themselves.
            let args = try call.arguments.map { try bindExpr($0, scope: scope, allowAggregates: false, clause: "arguments of an aggregate") }
            if aggregate != .countStar, args.count != 1 {
                throw MeshError(.undefinedFunction, "function \(call.name) takes exactly one argument", at: loc)
            }
            guard let t = TypeRules.aggregate(aggregate, args.first?.type) else {
                throw MeshError(.undefinedFunction,
                                "function \(call.name)(\(args.map(\.type.description).joined(separator: ", "))) does not exist", at: loc)
            }
            let filter = try call.filter.map { try bindCondition($0, scope: scope, clause: "FILTER") }
            let agg = AggregateCall(function: aggregate, arguments: args, distinct: call.distinct, filter: filter, resultType: t)
            return BoundExpr(.aggregate(agg), type: t, at: loc)
        }
        if call.distinct || call.filter != nil || call.isStar {
            throw MeshError(.syntax, "\(call.name) is not an aggregate function", at: loc)
        }
        let args = try call.arguments.map { try bindExpr($0, scope: scope, allowAggregates: allowAggregates, clause: clause) }
        if let e = try bindIdentityFunction(call.name, args, at: loc) ?? bindMaskFunction(call.name, args, at: loc)
            ?? bindPostgresFunction(call.name, args, at: loc) { return e }
        guard ScalarFunctions.names.contains(call.name) else {
            let types = args.map { $0.type == .unknown ? "unknown" : $0.type.description }
            throw MeshError(.undefinedFunction, "function \(call.name)(\(types.joined(separator: ", "))) does not exist", at: loc,
                            hint: "No function matches the given name and argument types.")
        }
        let name = call.name == "substr" ? "substring" : call.name == "ceiling" ? "ceil" : call.name == "pow" ? "power"
            : call.name == "strpos" ? "position_args" : call.name
        if name == "position_args" {
            return try scalarCall("position", args, at: loc)
        }
        return try scalarCall(name, args, at: loc)
    }

    /// `string_agg(text, separator [ORDER BY …]) [FILTER (WHERE …)]`.
    func bindStringAgg(_ call: FunctionCall, scope: Scope, allowAggregates: Bool, clause: String,
                       at loc: SourceLocation) throws -> BoundExpr {
        guard allowAggregates else {
            throw MeshError(.groupingError, "aggregate functions are not allowed in \(clause)", at: loc)
        }
        func arg(_ e: Expr) throws -> BoundExpr {
            try bindExpr(e, scope: scope, allowAggregates: false, clause: "arguments of an aggregate")
        }
        guard call.arguments.count == 2, !call.isStar else {
            throw MeshError(.undefinedFunction, "function string_agg takes two arguments (value, separator)", at: loc)
        }
        let value = try Self.coerceChecked(try arg(call.arguments[0]), to: .text, at: call.arguments[0].location, implicitOnly: true, op: "string_agg")
        let separator = try Self.coerceChecked(try arg(call.arguments[1]), to: .text, at: call.arguments[1].location, implicitOnly: true, op: "string_agg")
        var keys: [BoundExpr] = []
        var ordering: [AggregateOrdering] = []
        for item in call.orderBy {
            keys.append(try arg(item.expr))
            ordering.append(AggregateOrdering(descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending))
        }
        if call.distinct, !keys.allSatisfy({ $0 == value }) {
            throw MeshError(.syntax, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list", at: loc)
        }
        let filter = try call.filter.map { try bindCondition($0, scope: scope, clause: "FILTER") }
        let agg = AggregateCall(function: .stringAgg, arguments: [value, separator] + keys, distinct: call.distinct,
                                filter: filter, resultType: .text, ordering: ordering)
        return BoundExpr(.aggregate(agg), type: .text, at: loc)
    }

    func requireBoolean(_ e: BoundExpr, _ context: String, at loc: SourceLocation) throws -> BoundExpr {
        if e.type == .boolean { return e }
        if e.type == .unknown { return Self.coerce(e, to: .boolean) }
        throw MeshError(.typeMismatch, "argument of \(context) must be type boolean, not type \(e.type)", at: loc)
    }

    /// n of `varchar(n)` / `character varying(n)`, nil for any other type name.
    static func varcharLength(_ typeName: String) -> Int? {
        let t = typeName.lowercased().replacingOccurrences(of: " ", with: "")
        for prefix in ["varchar(", "charactervarying("] where t.hasPrefix(prefix) && t.hasSuffix(")") {
            return Int(t.dropFirst(prefix.count).dropLast())
        }
        return nil
    }
}

extension Binder {
    /// OR chains at least this long are bound as a list (and as IN when they can be).
    static let inListMinimum = 16

    /// The terms of an OR tree (the parser balances long chains), left to right, found
    /// without recursion.
    static func orChain(_ e: Expr) -> [Expr] {
        var out: [Expr] = []
        var stack = [e]
        while let x = stack.popLast() {
            if case .binary(.or, let l, let r) = x.kind {
                stack.append(r)
                stack.append(l)
            } else {
                out.append(x)
            }
        }
        return out
    }

    /// `x = c1 OR x = c2 OR …` (each constant on either side, x the same deterministic
    /// expression in every term) as `x IN (c1, c2, …)`: the same in three-valued logic.
    static func equalitiesAsIn(_ parts: [BoundExpr], at loc: SourceLocation) -> BoundExpr? {
        var subject: BoundExpr?
        var values: [BoundExpr] = []
        values.reserveCapacity(parts.count)
        for p in parts {
            guard case .comparison(.equal, let a, let b) = p.kind else { return nil }
            let constant: (BoundExpr) -> Bool = { $0.referencedColumns.isEmpty && $0.isDeterministic && !$0.containsSubquery }
            let (x, v): (BoundExpr, BoundExpr)
            if constant(b), !constant(a) { (x, v) = (a, b) } else if constant(a), !constant(b) { (x, v) = (b, a) } else { return nil }
            guard x.isDeterministic, !x.containsSubquery else { return nil }
            if let s = subject {
                guard s == x, v.type == values[0].type else { return nil }
            } else {
                subject = x
            }
            values.append(v)
        }
        guard let subject else { return nil }
        return BoundExpr(.inList(subject, values, negated: false), type: .boolean, at: loc)
    }
}
