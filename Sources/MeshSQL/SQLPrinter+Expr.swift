/// Expressions, fully parenthesised so precedence never matters when read back.
extension SQLPrinter {
    public static func print(_ e: Expr) -> String {
        switch e.kind {
        case .literal(let l):
            return literal(l)
        case .column(let parts):
            return name(parts)
        case .parameter(let n):
            return "$\(n)"
        case .unary(let op, let x):
            return "(" + op.rawValue + " " + print(x) + ")"
        case .binary(let op, let l, let r):
            return "(" + print(l) + " " + op.rawValue + " " + print(r) + ")"
        case .isNull(let x, let negated):
            return "(" + print(x) + (negated ? " IS NOT NULL)" : " IS NULL)")
        case .isDistinctFrom(let x, let y, let negated):
            return "(" + print(x) + (negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") + print(y) + ")"
        case .isBoolean(let x, let value, let negated):
            return "(" + print(x) + (negated ? " IS NOT " : " IS ") + (value ? "TRUE)" : "FALSE)")
        case .between(let x, let low, let high, let negated):
            return "(" + print(x) + not(negated) + " BETWEEN " + print(low) + " AND " + print(high) + ")"
        case .inList(let x, let list, let negated):
            return "(" + print(x) + not(negated) + " IN (" + list.map(print).joined(separator: ", ") + "))"
        case .inSubquery(let x, let q, let negated):
            return "(" + print(x) + not(negated) + " IN (" + print(q) + "))"
        case .quantified(let op, let x, let q, let all):
            return "(" + print(x) + " \(op.rawValue) " + (all ? "ALL" : "ANY") + " (" + print(q) + "))"
        case .exists(let q, let negated):
            return "(" + (negated ? "NOT " : "") + "EXISTS (" + print(q) + "))"
        case .subquery(let q):
            return "(" + print(q) + ")"
        case .like(let x, let pattern, let escape, let caseInsensitive, let negated):
            var out = "(" + print(x) + not(negated) + (caseInsensitive ? " ILIKE " : " LIKE ") + print(pattern)
            if let escape { out += " ESCAPE " + print(escape) }
            return out + ")"
        case .caseWhen(let operand, let branches, let otherwise):
            var out = "CASE"
            if let operand { out += " " + print(operand) }
            for b in branches { out += " WHEN " + print(b.when) + " THEN " + print(b.then) }
            if let otherwise { out += " ELSE " + print(otherwise) }
            return out + " END"
        case .cast(let x, let type):
            return "CAST(" + print(x) + " AS " + type + ")"
        case .function(let call):
            return function(call)
        case .extract(let field, let x):
            return "EXTRACT(" + identifier(field) + " FROM " + print(x) + ")"
        case .substring(let x, let from, let count):
            var out = "SUBSTRING(" + print(x)
            if let from { out += " FROM " + print(from) }
            if let count { out += " FOR " + print(count) }
            return out + ")"
        case .position(let needle, let haystack):
            return "POSITION(" + print(needle) + " IN " + print(haystack) + ")"
        case .trim(let x, let side, let characters):
            return "TRIM(" + side.uppercased() + (characters.map { " " + print($0) } ?? "") + " FROM " + print(x) + ")"
        case .currentTime(let which):
            return which.uppercased()
        }
    }

    private static func not(_ negated: Bool) -> String { negated ? " NOT" : "" }

    static func literal(_ l: Literal) -> String {
        switch l {
        case .null: "NULL"
        case .boolean(let b): b ? "TRUE" : "FALSE"
        case .integer(let s), .decimal(let s): s
        case .string(let s): string(s)
        case .typed(let type, let value): type.uppercased() + " " + string(value)
        case .interval(let value, let unit): "INTERVAL " + string(value) + (unit.map { " " + $0.uppercased() } ?? "")
        }
    }

    /// `'text'` with `''` for each quote.
    public static func string(_ s: String) -> String {
        var out = "'"
        for c in s {
            if c == "'" { out.append("'") }
            out.append(c)
        }
        out.append("'")
        return out
    }

    /// Names the parser reads as their own syntax when followed by `(`; called as ordinary
    /// functions they print quoted, which always reads back as an ordinary call.
    private static let specialCallNames: Set<String> = ["exists", "extract", "position", "trim", "cast"]

    private static func functionName(_ n: String) -> String {
        if specialCallNames.contains(n) { return "\"" + n + "\"" }
        if Keywords.functionNames.contains(n) { return n }
        var simple = n.first.map { $0 == "_" || ("a"..."z").contains($0) } ?? false
        for c in n where !(c == "_" || c == "$" || ("a"..."z").contains(c) || ("0"..."9").contains(c)) { simple = false }
        if simple && !Keywords.reserved.contains(n) { return n }
        return identifier(n)
    }

    private static func function(_ call: FunctionCall) -> String {
        // The array forms the parser reads into calls print back as written.
        if call.over == nil, call.filter == nil, !call.distinct, !call.isStar, call.orderBy.isEmpty {
            let args = call.arguments
            switch (call.name, args.count) {
            case ("array", _): return "ARRAY[" + args.map(print).joined(separator: ", ") + "]"
            case ("array_query", 1): return "ARRAY" + print(args[0])
            case ("array_element", 2): return "(" + print(args[0]) + ")[" + print(args[1]) + "]"
            case ("array_contains", 2): return "(" + print(args[1]) + " = ANY (" + print(args[0]) + "))"
            case ("field_select", 2):
                if case .literal(.string(let field)) = args[1].kind { return "(" + print(args[0]) + ")." + identifier(field) }
            default: break
            }
        }
        var out = functionName(call.name) + "("
        if call.isStar {
            out += "*"
        } else {
            if call.distinct { out += "DISTINCT " }
            out += call.arguments.map(print).joined(separator: ", ")
            if !call.orderBy.isEmpty { out += " ORDER BY " + orderItems(call.orderBy) }
        }
        out += ")"
        if let filter = call.filter { out += " FILTER (WHERE " + print(filter) + ")" }
        if let over = call.over {
            var parts: [String] = []
            if !over.partitionBy.isEmpty { parts.append("PARTITION BY " + over.partitionBy.map(print).joined(separator: ", ")) }
            if !over.orderBy.isEmpty { parts.append("ORDER BY " + orderItems(over.orderBy)) }
            out += " OVER (" + parts.joined(separator: " ") + ")"
        }
        return out
    }
}
