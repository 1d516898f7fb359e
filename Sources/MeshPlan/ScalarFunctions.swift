import MeshCore

/// Signatures of the scalar functions meshql evaluates itself (the executor implements each
/// name listed here). Return nil for an unknown name or wrong argument types, which the binder
/// reports as `function f(types) does not exist`.
public enum ScalarFunctions {
    /// Functions whose result changes from call to call: never folded into a constant.
    public static func isVolatile(_ name: String) -> Bool {
        ["random", "clock_timestamp", "timeofday"].contains(name)
    }

    public static func returnType(_ name: String, _ args: [DataType]) -> DataType? {
        func allText() -> Bool { args.allSatisfy { $0 == .text || $0 == .unknown } }
        switch (name, args.count) {
        case ("coalesce", 1...):
            return args.dropFirst().reduce(Optional(args[0])) { acc, t in acc.flatMap { TypeRules.common($0, t) } }
        case ("nullif", 2): return TypeRules.common(args[0], args[1]).map { _ in args[0] }
        case ("greatest", 1...), ("least", 1...):
            return args.dropFirst().reduce(Optional(args[0])) { acc, t in acc.flatMap { TypeRules.common($0, t) } }
        case ("abs", 1): return args[0].isNumeric ? args[0] : nil
        case ("round", 1), ("floor", 1), ("ceil", 1), ("ceiling", 1), ("trunc", 1):
            if case .decimal = args[0] { return .decimal(precision: 38, scale: 0) }
            return args[0].isNumeric ? (args[0].isInteger ? args[0] : .double) : nil
        case ("round", 2), ("trunc", 2):
            guard args[1].isInteger else { return nil }
            if case .decimal = args[0] { return args[0] }
            if args[0].isInteger { return .decimal(precision: 38, scale: 0) }
            return nil
        case ("sqrt", 1), ("power", 2), ("pow", 2), ("ln", 1), ("exp", 1):
            return args.allSatisfy(\.isNumeric) ? .double : nil
        case ("mod", 2): return TypeRules.arithmetic(.modulo, args[0], args[1])
        case ("length", 1), ("char_length", 1): return allText() ? .integer : nil
        case ("lower", 1), ("upper", 1), ("btrim", 1), ("ltrim", 1), ("rtrim", 1), ("reverse", 1):
            return allText() ? .text : nil
        case ("btrim", 2), ("ltrim", 2), ("rtrim", 2): return allText() ? .text : nil
        case ("replace", 3): return allText() ? .text : nil
        case ("lpad", 2), ("rpad", 2), ("lpad", 3), ("rpad", 3):
            return args[0] == .text && args[1].isInteger && (args.count == 2 || args[2] == .text) ? .text : nil
        case ("split_part", 3): return args[0] == .text && args[1] == .text && args[2].isInteger ? .text : nil
        case ("starts_with", 2): return allText() ? .boolean : nil
        case ("substring", 2), ("substr", 2): return args[0] == .text && args[1].isInteger ? .text : nil
        case ("substring", 3), ("substr", 3):
            return args[0] == .text && args[1].isInteger && args[2].isInteger ? .text : nil
        case ("position", 2), ("strpos", 2): return allText() ? .integer : nil
        case ("concat", _): return .text
        case ("left", 2), ("right", 2): return args[0] == .text && args[1].isInteger ? .text : nil
        case ("date_part", 2):
            guard args[0] == .text, [.date, .timestamp, .timestamptz].contains(args[1]) else { return nil }
            return .bigint
        case ("regexp_like", 2), ("regexp_like", 3): return allText() ? .boolean : nil
        case ("format_type", 2): return args.allSatisfy(\.isInteger) ? .text : nil
        // Arrays are text in PostgreSQL's array form (the emulated catalog's).
        case ("array_contains", 2): return args[0] == .text ? .boolean : nil
        case ("array_item", 1): return allText() ? .text : nil
        case ("int8and", 2), ("int8or", 2): return args.allSatisfy(\.isInteger) ? .bigint : nil
        case ("pg_size_pretty", 1): return args[0].isNumeric ? .text : nil
        case ("array_element", 2): return args[0] == .text && args[1].isInteger ? .text : nil
        case ("unnest_element", 3): return args[0] == .text && args[1].isInteger && args[2].isInteger ? .text : nil
        case ("array_to_string", 2), ("array_to_string", 3): return allText() ? .text : nil
        case ("array_upper", 2), ("array_length", 2): return args[0] == .text && args[1].isInteger ? .integer : nil
        case ("array_lower", 2): return args[0] == .text && args[1].isInteger ? .integer : nil
        case ("cardinality", 1): return args[0] == .text ? .integer : nil
        case ("date_trunc", 2):
            guard args[0] == .text, [.date, .timestamp, .timestamptz].contains(args[1]) else { return nil }
            return args[1] == .date ? .timestamp : args[1]
        default: return nil
        }
    }

    public static let names: Set<String> = [
        "coalesce", "nullif", "greatest", "least", "abs", "round", "floor", "ceil", "ceiling", "trunc", "sqrt",
        "power", "pow", "ln", "exp", "mod", "length", "char_length", "lower", "upper", "btrim", "ltrim", "rtrim",
        "reverse", "replace", "lpad", "rpad", "split_part", "starts_with", "substring", "substr", "position",
        "strpos", "concat", "left", "right", "date_part", "date_trunc", "regexp_like", "format_type",
        "array_contains", "array_item", "unnest_element", "int8and", "int8or", "pg_size_pretty", "array_element", "array_to_string", "array_upper", "array_lower", "array_length", "cardinality",
    ]
}
