import MeshCore
import MeshSQL

/// The casts and functions PostgreSQL clients use on its catalog (`'pg_class'::regclass`,
/// `format_type`, `pg_get_userbyid`, `obj_description`, `current_schemas`, …), bound over the
/// emulated catalog the principal sees. Arrays are text in PostgreSQL's array form.
extension Binder {
    func catalogFacts(at loc: SourceLocation) throws -> PostgresCatalogFacts {
        guard let facts = try catalog.postgresCatalog() else {
            throw MeshError(.notSupported, "PostgreSQL's catalog is not available here", at: loc)
        }
        sessionState.read = true
        return facts
    }

    /// `x::regclass` and the other casts to PostgreSQL's object-identifier types, and to array
    /// types (arrays are text); nil for any other type.
    func bindPostgresCast(_ v: BoundExpr, _ typeName: String, at loc: SourceLocation) throws -> BoundExpr? {
        if typeName.hasSuffix("[]") { return Self.coerce(v, to: .text, explicit: true) }
        let constant: String?? = if case .literal(let value) = v.kind {
            value.isNull ? .some(nil) : .some(value.description)
        } else {
            nil
        }
        func oid(_ n: Int64?) -> BoundExpr { .literal(n.map(Value.int) ?? .null, .bigint) }
        switch typeName {
        case "regproc", "regprocedure":
            if v.type.isInteger { return Self.coerce(v, to: .bigint) }
            if let constant { return oid(constant.map { Int64($0) ?? PostgresType.procedureOID($0.lowercased()) }) }
            throw MeshError(.notSupported, "cast to \(typeName) is not supported", at: loc)
        case "oid", "xid", "cid", "regoper", "regoperator", "regconfig", "regdictionary", "regcollation":
            if v.type.isInteger { return Self.coerce(v, to: .bigint) }
            // A function or operator named in text: none exists here.
            if let constant { return oid(constant.flatMap { Int64($0) }) }
            throw MeshError(.notSupported, "cast to \(typeName) is not supported", at: loc)
        case "regclass", "regnamespace", "regtype", "regrole":
            let facts = try catalogFacts(at: loc)
            // A name in text is looked up (`'pg_class'::regclass`, compared with OIDs); an OID
            // becomes its name, as the cast prints it (`c.oid::regclass`).
            if !v.type.isInteger, let constant {
                guard let name = constant else { return oid(nil) }
                if let n = Int64(name) { return oid(n) }
                switch typeName {
                case "regclass":
                    guard let n = facts.relationOID(name) else {
                        throw MeshError(.undefinedTable, "relation \"\(name)\" does not exist", at: loc)
                    }
                    return oid(n)
                case "regnamespace":
                    guard let n = facts.schemaOID(name) else {
                        throw MeshError(.undefinedObject, "schema \"\(name)\" does not exist", at: loc)
                    }
                    return oid(n)
                case "regtype":
                    guard let n = Self.typeOID(name) else {
                        throw MeshError(.undefinedObject, "type \"\(name)\" does not exist", at: loc)
                    }
                    return oid(n)
                default:
                    guard name == facts.user else { throw MeshError(.undefinedObject, "role \"\(name)\" does not exist", at: loc) }
                    return oid(PostgresCatalogFacts.userRoleOID)
                }
            }
            guard v.type.isInteger else { throw MeshError(.notSupported, "cast to \(typeName) is not supported", at: loc) }
            // An OID as its name: what the cast prints.
            let x = Self.coerce(v, to: .bigint)
            switch typeName {
            case "regtype": return try scalarCall("format_type", [x, .literal(.int(-1), .bigint)], at: loc)
            case "regclass":
                return nameByOID(x, facts.relations.map { ($0.oid, facts.searchPath.contains($0.schema) ? $0.name : "\($0.schema).\($0.name)") }, at: loc)
            case "regnamespace": return nameByOID(x, facts.schemas.map { ($0.oid, $0.name) }, at: loc)
            default: return nameByOID(x, [(PostgresCatalogFacts.userRoleOID, facts.user)], at: loc)
            }
        default:
            return nil
        }
    }

    /// `x::regclass::text` (and regtype, regnamespace, regrole): the name whatever `x` is.
    func bindRegName(_ v: BoundExpr, _ reg: String, at loc: SourceLocation) throws -> BoundExpr? {
        guard ["regclass", "regnamespace", "regtype", "regrole"].contains(reg),
              let named = try bindPostgresCast(v, reg, at: loc) else { return nil }
        if named.type == .text { return named }
        return try bindPostgresCast(named, reg, at: loc)
    }

    /// The OID of a type named as SQL names it (`integer`, `int4`, `character varying`).
    static func typeOID(_ name: String) -> Int64? {
        let lowered = name.lowercased()
        let bare = lowered.hasPrefix("pg_catalog.") ? String(lowered.dropFirst(11)) : lowered
        if let t = PostgresType.named(bare) { return t.oid }
        switch bare {
        case "character varying", "varchar": return 1043
        case "character", "char": return 1042
        case "real": return 700
        default: return DataType.parse(bare)?.postgresOID
        }
    }

    /// `CASE x WHEN oid THEN name … END` (NULL for an OID not listed; the text of the number,
    /// as PostgreSQL prints an OID that names nothing, would need a cast per row).
    func nameByOID(_ x: BoundExpr, _ names: [(Int64, String)], at loc: SourceLocation) -> BoundExpr {
        let whens = names.map { o, name in
            BoundWhen(condition: BoundExpr(.comparison(.equal, x, .literal(.int(o), .bigint)), type: .boolean, at: loc),
                      result: .literal(.string(name), .text))
        }
        if whens.isEmpty { return .literal(.null, .text) }
        return BoundExpr(.caseWhen(whens, otherwise: .literal(.null, .text)), type: .text, at: loc)
    }

    /// The catalog functions of PostgreSQL clients; nil when `name` is not one of them.
    func bindPostgresFunction(_ name: String, _ args: [BoundExpr], at loc: SourceLocation) throws -> BoundExpr? {
        func constant(_ i: Int) -> String?? {
            guard i < args.count, case .literal(let v) = args[i].kind else { return nil }
            return v.isNull ? .some(nil) : .some(v.description)
        }
        let text = { (s: String?) in BoundExpr.literal(Value.text(s), .text) }
        switch name {
        case "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "pg_collation_is_visible",
             "pg_opclass_is_visible", "pg_operator_is_visible", "pg_conversion_is_visible",
             "has_schema_privilege", "has_table_privilege", "has_database_privilege", "has_column_privilege",
             "has_any_column_privilege", "has_function_privilege", "has_type_privilege", "has_sequence_privilege":
            // Every product listed is one the principal may read, and one `\dt` shows: the
            // catalog lists only what its policies let it read.
            return .literal(.bool(true), .boolean)
        case "pg_relation_is_publishable", "pg_is_in_recovery", "pg_is_other_temp_schema":
            return .literal(.bool(false), .boolean)
        case "pg_encoding_to_char":
            return text("UTF8")
        case "pg_get_expr", "pg_get_constraintdef", "pg_get_indexdef", "pg_get_serial_sequence",
             "pg_get_statisticsobjdef_columns", "pg_get_triggerdef", "pg_get_ruledef", "pg_get_viewdef",
             "pg_get_function_arguments", "pg_get_function_result", "pg_get_function_identity_arguments",
             "pg_get_partkeydef":
            // Products have no defaults, constraints, indexes, triggers or functions.
            return text(nil)
        case "pg_get_userbyid":
            guard args.count == 1, args[0].type.isInteger || args[0].type == .unknown else { return nil }
            let facts = try catalogFacts(at: loc)
            return nameByOID(Self.coerce(args[0], to: .bigint), [(PostgresCatalogFacts.userRoleOID, facts.user)], at: loc)
        case "obj_description", "col_description", "shobj_description":
            guard (1...2).contains(args.count), args.allSatisfy({ $0.type.isInteger || $0.type == .unknown || $0.type == .text }) else { return nil }
            return try describe(name, args, at: loc)
        case "current_schemas":
            let facts = try catalogFacts(at: loc)
            let implicit = constant(0).flatMap { $0 }.map { $0 == "true" || $0 == "t" } ?? false
            let path = implicit ? facts.searchPath : Array(facts.searchPath.dropFirst())
            return text(PostgresArrayText.format(path))
        case "current_setting":
            guard let name = constant(0) else {
                throw MeshError(.notSupported, "current_setting takes a constant name here", at: loc)
            }
            guard let setting = name?.lowercased() else { return text(nil) }
            let facts = try catalogFacts(at: loc)
            guard let value = facts.settings[setting] else {
                if constant(1).flatMap({ $0 }).map({ $0 == "true" || $0 == "t" }) == true { return text(nil) }
                throw MeshError(.undefinedObject, "unrecognized configuration parameter \"\(setting)\"", at: loc)
            }
            return text(value)
        case "to_regtype", "to_regclass", "to_regnamespace":
            guard let value = constant(0) else { throw MeshError(.notSupported, "\(name) takes a constant here", at: loc) }
            guard let value else { return .literal(.null, .bigint) }
            let facts = try catalogFacts(at: loc)
            let found: Int64? = switch name {
            case "to_regtype": Self.typeOID(value)
            case "to_regclass": facts.relationOID(value)
            default: facts.schemaOID(value)
            }
            return .literal(found.map(Value.int) ?? .null, .bigint)
        case "pg_backend_pid":
            return .literal(.int(try catalogFacts(at: loc).backendPID), .integer)
        case "format_type":
            // Not strict in PostgreSQL: a NULL modifier is "none".
            guard args.count == 2 else { return nil }
            let modifier = BoundExpr(.function("coalesce", [Self.coerce(args[1], to: .bigint), .literal(.int(-1), .bigint)]), type: .bigint, at: loc)
            return try scalarCall("format_type", [Self.coerce(args[0], to: .bigint), modifier], at: loc)
        case "array":
            var items: [String?] = []
            for i in args.indices {
                guard let c = constant(i) else {
                    throw MeshError(.notSupported, "ARRAY[…] of other than constants is not supported", at: loc)
                }
                items.append(c)
            }
            return text(PostgresArrayText.format(items))
        case "array_contains":
            guard args.count == 2 else { return nil }
            return try scalarCall("array_contains", [Self.coerce(args[0], to: .text), Self.coerce(args[1], to: .text, explicit: true)], at: loc)
        case "pg_table_size", "pg_relation_size", "pg_total_relation_size", "pg_indexes_size", "pg_database_size":
            // Sizes are the sources' to know.
            return .literal(.null, .bigint)
        case "array_query", "unnest", "generate_series", "generate_subscripts", "array_agg", "json_build_object",
             "json_agg", "row_to_json", "_pg_expandarray", "array_in", "field_select":
            throw MeshError(.notSupported, "function \(name) is not supported", at: loc)
        default:
            return nil
        }
    }

    /// `ARRAY(SELECT x …)`: the rows' values as an array's text, `{}` for none —
    /// `(SELECT coalesce('{' || string_agg(coalesce(array_item(x::text), 'NULL'), ',') || '}', '{}')
    /// FROM (SELECT x …) AS a(x))`. The subquery's order is the array's.
    static func arrayOfRows(_ q: Query, at loc: SourceLocation) -> Expr {
        func e(_ k: Expr.Kind) -> Expr { Expr(k, at: loc) }
        func call(_ name: String, _ args: [Expr]) -> Expr { e(.function(FunctionCall(name: name, arguments: args))) }
        func string(_ s: String) -> Expr { e(.literal(.string(s))) }
        let item = call("coalesce", [call("array_item", [e(.cast(e(.column(["x"])), type: "text"))]), string("NULL")])
        let joined = e(.binary(.concat, e(.binary(.concat, string("{"), call("string_agg", [item, string(",")]))), string("}")))
        let select = Select(items: [.expr(call("coalesce", [joined, string("{}")]), alias: "array")],
                            from: [.derived(q, alias: "a", columnAliases: ["x"], location: loc)], at: loc)
        return e(.subquery(Query(body: .select(select), at: loc)))
    }

    /// `SELECT f(…) [AS c]` with nothing else, for a set-returning function over constants
    /// (`generate_series(1, 32)`, `unnest('{a,b}')`, `generate_subscripts('{a,b}', 1)`): its
    /// rows. A function in FROM reads this way (see `Parser.parseFunctionTable`).
    mutating func bindSetReturningSelect(_ select: Select) throws -> LogicalPlan? {
        guard select.from.isEmpty, select.whereClause == nil, select.groupBy.isEmpty, select.having == nil,
              select.items.count == 1, case .expr(let e, let alias) = select.items[0], case .function(let f) = e.kind,
              ["generate_series", "unnest", "generate_subscripts"].contains(f.name), f.over == nil else { return nil }
        let args = try f.arguments.map { try bindExpr($0, scope: Scope(), allowAggregates: false) }
        var values: [Value] = []
        for a in args {
            if case .literal(let v) = a.kind {
                values.append(v)
                continue
            }
            guard a.referencedColumns.isEmpty, !a.containsSubquery, let v = evaluateConstant?(a) else {
                if f.name == "unnest", f.arguments.count == 1 {
                    return try bindQuery(Self.unnestByIndex(f.arguments[0], name: alias ?? f.name, at: e.location))
                }
                throw MeshError(.notSupported, "\(f.name) over other than constants is not supported", at: e.location)
            }
            values.append(v)
        }
        let name = alias ?? f.name
        func integer(_ v: Value) throws -> Int64 {
            if case .int(let i) = v { return i }
            if case .string(let s) = v, let i = Int64(s) { return i }
            throw MeshError(.undefinedFunction, "function \(f.name) takes integers here", at: e.location)
        }
        var rows: [[Value]] = []
        var type = DataType.integer
        switch (f.name, values.count) {
        case ("generate_series", 2), ("generate_series", 3):
            if values.contains(where: \.isNull) { break }
            let (from, to) = (try integer(values[0]), try integer(values[1]))
            let step = values.count > 2 ? try integer(values[2]) : 1
            guard step != 0 else { throw MeshError(.invalidParameter, "step size cannot equal zero", at: e.location) }
            let count = step > 0 ? (to >= from ? (to - from) / step + 1 : 0) : (from >= to ? (from - to) / -step + 1 : 0)
            guard count <= 1_000_000 else {
                throw MeshError(.programLimitExceeded, "generate_series here makes at most 1,000,000 rows", at: e.location)
            }
            if args.contains(where: { $0.type == .bigint }) { type = .bigint }
            rows = (0..<count).map { [.int(from + $0 * step)] }
        case ("unnest", 1), ("generate_subscripts", 2), ("generate_subscripts", 3):
            guard case .string(let text) = values[0] else { break }
            guard let items = PostgresArrayText.elements(text) else {
                throw MeshError(.invalidText, "malformed array literal", at: e.location)
            }
            if f.name == "unnest" {
                type = .text
                rows = items.map { [Value.text($0)] }
            } else {
                rows = items.indices.map { [.int(Int64($0 + 1))] }
            }
        default:
            throw MeshError(.undefinedFunction, "function \(f.name) does not take \(values.count) arguments", at: e.location)
        }
        return .values(ValuesRelation(name: f.name, columns: [.fresh(name, type)], rows: rows))
    }

    /// Arrays `unnest` reads element by element when it is not over a constant.
    static let unnestLimit = 1_000

    /// `unnest(a)` over a value of each row (psql's `\d+` unnests another table's options):
    /// `SELECT unnest_element(a, i) FROM generate_series(1, 1000) AS s(i) WHERE i <= cardinality(a)`,
    /// a subquery the optimizer decorrelates. `unnest_element` refuses an array longer than
    /// the series rather than leave elements out.
    static func unnestByIndex(_ array: Expr, name: String, at loc: SourceLocation) -> Query {
        func e(_ k: Expr.Kind) -> Expr { Expr(k, at: loc) }
        func call(_ n: String, _ args: [Expr]) -> Expr { e(.function(FunctionCall(name: n, arguments: args))) }
        let i = e(.column(["unnest_index", "i"]))
        let limit = e(.literal(.integer(String(unnestLimit))))
        let series = Select(items: [.expr(call("generate_series", [e(.literal(.integer("1"))), limit]), alias: "i")], at: loc)
        let select = Select(items: [.expr(call("unnest_element", [array, i, limit]), alias: name)],
                            from: [.derived(Query(body: .select(series), at: loc), alias: "unnest_index", columnAliases: ["i"], location: loc)],
                            whereClause: e(.binary(.lessOrEqual, i, call("cardinality", [array]))), at: loc)
        return Query(body: .select(select), at: loc)
    }

    /// `obj_description(oid [, 'pg_class'])`, `col_description(table, column)`: the comments
    /// the principal's catalog holds, as a CASE over them.
    private func describe(_ name: String, _ args: [BoundExpr], at loc: SourceLocation) throws -> BoundExpr {
        let facts = try catalogFacts(at: loc)
        let object = Self.coerce(args[0], to: .bigint)
        var candidates = facts.descriptions
        var second: BoundExpr?
        if name == "col_description" {
            guard args.count == 2 else { throw MeshError(.undefinedFunction, "col_description takes two arguments", at: loc) }
            candidates = candidates.filter { $0.classOID == PostgresCatalogFacts.pgClassOID && $0.subID != 0 }
            second = Self.coerce(args[1], to: .bigint)
        } else {
            candidates = candidates.filter { $0.subID == 0 }
            if args.count == 2 {
                guard case .literal(let v) = args[1].kind else {
                    throw MeshError(.notSupported, "\(name) takes a constant catalog name here", at: loc)
                }
                let classOID = facts.relationOID(v.description)
                candidates = candidates.filter { $0.classOID == classOID }
            }
        }
        func equal(_ a: BoundExpr, _ n: Int64) -> BoundExpr {
            BoundExpr(.comparison(.equal, a, .literal(.int(n), .bigint)), type: .boolean, at: loc)
        }
        let whens = candidates.map { d in
            var condition = equal(object, d.objectOID)
            if let second { condition = BoundExpr(.and(condition, equal(second, d.subID)), type: .boolean, at: loc) }
            return BoundWhen(condition: condition, result: .literal(.string(d.text), .text))
        }
        if whens.isEmpty { return .literal(.null, .text) }
        return BoundExpr(.caseWhen(whens, otherwise: .literal(.null, .text)), type: .text, at: loc)
    }
}
