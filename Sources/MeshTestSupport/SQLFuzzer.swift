import Foundation

/// Seeded, deterministic hostile SQL for fuzzing meshql: statements of a corpus mutated token
/// by token (dropped, repeated, swapped, a literal replaced by an edge value, an operator or
/// keyword changed), and expressions built from every operator and many functions over the
/// edge values of each type. The same seed gives the same statements, so a failure found by
/// the in-suite test or by `meshql-fuzz` reproduces.
public struct SQLFuzzer {
    private var random: SeededRandom
    public let corpus: [String]
    /// Relations the generated expressions may read, with a column of each kind where known.
    public let tables: [String]

    public init(seed: UInt64, corpus: [String], tables: [String] = []) {
        random = SeededRandom(seed: seed)
        self.corpus = corpus.filter { !$0.isEmpty }
        self.tables = tables
    }

    // MARK: - Randomness

    mutating func below(_ n: Int) -> Int { random.below(n) }
    mutating func pick<T>(_ xs: [T]) -> T { random.pick(xs) }
    mutating func chance(_ percent: Int) -> Bool { random.chance(percent) }

    // MARK: - Statements

    /// The next statement: two in three mutate the corpus, one in three is generated.
    public mutating func nextStatement() -> String {
        if corpus.isEmpty || chance(33) { return generatedSelect() }
        var tokens = Self.tokens(pick(corpus))
        // Mostly one change, mostly a literal swapped for an edge value: statements that still
        // parse and bind reach the executor; the rest exercise the parser's and binder's errors.
        for _ in 0..<(chance(70) ? 1 : 2 + below(3)) {
            if chance(50) { replaceLiteral(&tokens) } else { mutate(&tokens) }
        }
        return tokens.joined(separator: " ")
    }

    /// Values at the edges of each type, as SQL literals.
    public static let edgeValues: [String] = [
        "0", "-1", "1", "32767", "-32768", "2147483647", "-2147483648", "9223372036854775807",
        "-9223372036854775808", "99999999999999999999999999999999999999", "0.0000000000000000000000000000000000001",
        "1e308", "-1e308", "1e-320", "CAST('NaN' AS double precision)", "CAST('Infinity' AS double precision)",
        "''", "'a'", "'é'", "'\u{1F600}'", "'%_\\'", "NULL", "TRUE", "FALSE",
        "DATE '0001-01-01'", "DATE '9999-12-31'", "DATE '2000-02-29'", "TIMESTAMP '1970-01-01 00:00:00'",
        "TIMESTAMP '294276-12-31 23:59:59'", "INTERVAL '1 day'", "INTERVAL '2147483647 days'",
        "CAST(1 AS smallint)", "CAST(1 AS numeric(38,37))", "CAST('12.5' AS numeric(4,1))", "'abcdef'::varchar(3)",
    ]

    static let binaryOperators = ["+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "AND", "OR",
                                  "IS DISTINCT FROM", "LIKE", "ILIKE", "NOT LIKE"]
    static let functions: [(String, Int)] = [
        ("abs", 1), ("round", 1), ("round", 2), ("floor", 1), ("ceil", 1), ("trunc", 2), ("sqrt", 1), ("power", 2),
        ("ln", 1), ("exp", 1), ("mod", 2), ("length", 1), ("lower", 1), ("upper", 1), ("btrim", 1), ("reverse", 1),
        ("replace", 3), ("lpad", 2), ("rpad", 3), ("split_part", 3), ("substring", 3), ("position", 2),
        ("left", 2), ("right", 2), ("coalesce", 2), ("nullif", 2), ("greatest", 2), ("least", 3),
        ("date_part", 2), ("date_trunc", 2), ("concat", 3), ("starts_with", 2),
    ]
    static let types = ["integer", "bigint", "smallint", "numeric", "numeric(10,2)", "double precision", "text",
                        "varchar(2)", "date", "timestamp", "boolean"]

    /// `SELECT <expression>`, sometimes over a table, sometimes aggregated.
    public mutating func generatedSelect() -> String {
        let e = expression(depth: 1 + below(4))
        if !tables.isEmpty, chance(30) {
            let aggregate = pick(["count", "sum", "avg", "min", "max"])
            return "SELECT \(aggregate)(\(e)) FROM \(pick(tables))"
        }
        return "SELECT " + e + (chance(20) ? " WHERE " + expression(depth: 2) : "")
    }

    mutating func expression(depth: Int) -> String {
        if depth <= 0 || chance(20) { return pick(Self.edgeValues) }
        switch below(7) {
        case 0, 1: return "(\(expression(depth: depth - 1)) \(pick(Self.binaryOperators)) \(expression(depth: depth - 1)))"
        case 2:
            let (f, n) = pick(Self.functions)
            return f + "(" + (0..<n).map { _ in expression(depth: depth - 1) }.joined(separator: ", ") + ")"
        case 3: return "CAST(\(expression(depth: depth - 1)) AS \(pick(Self.types)))"
        case 4: return "CASE WHEN \(expression(depth: depth - 1)) THEN \(expression(depth: depth - 1)) ELSE \(expression(depth: depth - 1)) END"
        case 5: return "\(expression(depth: depth - 1)) IN (\(expression(depth: depth - 1)), \(pick(Self.edgeValues)))"
        default: return "-\(expression(depth: depth - 1))"
        }
    }

    // MARK: - Mutation

    static let keywords = ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "UNION ALL", "JOIN", "ON",
                           "AND", "OR", "NOT", "NULL", "IN", "EXISTS", "(", ")", ",", "*", "DISTINCT", "HAVING",
                           "CASE", "END", "AS", "OFFSET", "INTERSECT", "EXCEPT", "OVER", "PARTITION BY", "::"]

    mutating func mutate(_ tokens: inout [String]) {
        guard !tokens.isEmpty else { return }
        let i = below(tokens.count)
        switch below(6) {
        case 0: tokens.remove(at: i)
        case 1: tokens.insert(tokens[i], at: i)
        case 2: if i + 1 < tokens.count { tokens.swapAt(i, i + 1) }
        case 3:
            // A literal (or anything) becomes an edge value.
            let literals = tokens.indices.filter { Self.isLiteral(tokens[$0]) }
            tokens[literals.isEmpty ? i : pick(literals)] = pick(Self.edgeValues)
        case 4: tokens.insert(pick(Self.keywords), at: i)
        default:
            let ops = tokens.indices.filter { Self.binaryOperators.contains(tokens[$0].uppercased()) }
            if !ops.isEmpty { tokens[pick(ops)] = pick(Self.binaryOperators) } else { tokens[i] = pick(Self.keywords) }
        }
    }

    mutating func replaceLiteral(_ tokens: inout [String]) {
        let literals = tokens.indices.filter { Self.isLiteral(tokens[$0]) }
        guard !literals.isEmpty else { return mutate(&tokens) }
        tokens[pick(literals)] = pick(Self.edgeValues)
    }

    static func isLiteral(_ t: String) -> Bool {
        t.first == "'" || t.first.map { $0.isNumber } == true
    }

    /// Splits SQL into tokens: quoted strings and identifiers whole, numbers and words whole,
    /// each other character alone. Good enough to mutate; never used to understand SQL.
    public static func tokens(_ sql: String) -> [String] {
        var out: [String] = []
        let chars = Array(sql)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            var j = i + 1
            if c == "'" || c == "\"" {
                while j < chars.count {
                    if chars[j] == c {
                        if j + 1 < chars.count, chars[j + 1] == c { j += 2; continue }
                        j += 1
                        break
                    }
                    j += 1
                }
            } else if c.isLetter || c == "_" || c.isNumber {
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." { j += 1 }
            } else if c == ":" || c == "<" || c == ">" || c == "|" || c == "!" {
                while j < chars.count, "=<>|:".contains(chars[j]) { j += 1 }
            }
            out.append(String(chars[i..<j]))
            i = j
        }
        return out
    }

    // MARK: - Corpus

    /// Statements of the `.slt` and `.sql` files in `directories`: each query or statement
    /// record of an `.slt` file, each `;`-separated statement of a `.sql` file.
    public static func loadCorpus(_ directories: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for dir in directories {
            for name in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                guard let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) else { continue }
                if name.hasSuffix(".slt") {
                    out += sltStatements(text)
                } else if name.hasSuffix(".sql"), !name.hasPrefix("catalog"), !name.hasPrefix("load") {
                    out += text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                        .filter { !$0.isEmpty && !$0.hasPrefix("--") }
                }
            }
        }
        return out
    }

    static func sltStatements(_ text: String) -> [String] {
        var out: [String] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("query ") || line.hasPrefix("statement ") {
                current = []
            } else if var c = current {
                if line == "----" || line.trimmingCharacters(in: .whitespaces).isEmpty {
                    if !c.isEmpty { out.append(c.joined(separator: "\n")) }
                    current = nil
                } else {
                    c.append(line)
                    current = c
                }
            }
        }
        if let c = current, !c.isEmpty { out.append(c.joined(separator: "\n")) }
        return out
    }
}
