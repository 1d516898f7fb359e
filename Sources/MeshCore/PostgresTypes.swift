/// PostgreSQL's built-in types as meshql presents them to PostgreSQL clients: the type OIDs a
/// RowDescription carries and the rows of the emulated `pg_catalog.pg_type`.
public struct PostgresType: Sendable {
    public let oid: Int64
    public let name: String
    /// Bytes of a value, -1 for variable length (`typlen`).
    public let length: Int
    /// `typcategory`: B boolean, N numeric, S string, D date/time, U user, A array, …
    public let category: String
    /// The array type's OID (`typarray`), 0 when none; an array type's element (`typelem`).
    public let array: Int64
    public let element: Int64

    init(_ oid: Int64, _ name: String, _ length: Int, _ category: String, array: Int64 = 0, element: Int64 = 0) {
        self.oid = oid
        self.name = name
        self.length = length
        self.category = category
        self.array = array
        self.element = element
    }

    /// The types meshql's values take, and those the catalog's own columns and clients'
    /// casts name.
    public static let all: [PostgresType] = [
        .init(16, "bool", 1, "B", array: 1000), .init(17, "bytea", -1, "U", array: 1001),
        .init(18, "char", 1, "Z", array: 1002), .init(19, "name", 64, "S", array: 1003),
        .init(20, "int8", 8, "N", array: 1016), .init(21, "int2", 2, "N", array: 1005),
        .init(22, "int2vector", -1, "A", array: 1006, element: 21), .init(23, "int4", 4, "N", array: 1007),
        .init(24, "regproc", 4, "N", array: 1008), .init(25, "text", -1, "S", array: 1009),
        .init(26, "oid", 4, "N", array: 1028), .init(30, "oidvector", -1, "A", array: 1013, element: 26),
        .init(114, "json", -1, "U", array: 199), .init(700, "float4", 4, "N", array: 1021),
        .init(701, "float8", 8, "N", array: 1022), .init(705, "unknown", -2, "X"),
        .init(1000, "_bool", -1, "A", element: 16), .init(1001, "_bytea", -1, "A", element: 17),
        .init(1003, "_name", -1, "A", element: 19), .init(1005, "_int2", -1, "A", element: 21),
        .init(1007, "_int4", -1, "A", element: 23), .init(1009, "_text", -1, "A", element: 25),
        .init(1016, "_int8", -1, "A", element: 20), .init(1021, "_float4", -1, "A", element: 700),
        .init(1022, "_float8", -1, "A", element: 701), .init(1028, "_oid", -1, "A", element: 26),
        .init(1042, "bpchar", -1, "S", array: 1014), .init(1043, "varchar", -1, "S", array: 1015),
        .init(1082, "date", 4, "D", array: 1182), .init(1083, "time", 8, "D", array: 1183),
        .init(1114, "timestamp", 8, "D", array: 1115), .init(1184, "timestamptz", 8, "D", array: 1185),
        .init(1186, "interval", 16, "T", array: 1187), .init(1700, "numeric", -1, "N", array: 1231),
        .init(2205, "regclass", 4, "N", array: 2210), .init(2206, "regtype", 4, "N", array: 2211),
        .init(2249, "record", -1, "P"), .init(2278, "void", 4, "P"), .init(2950, "uuid", 16, "U", array: 2951),
        .init(3802, "jsonb", -1, "U", array: 3807),
    ]

    public static func named(_ name: String) -> PostgresType? { all.first { $0.name == name } }

    /// The OID `'name'::regproc` gives a type's input/output function (`typinput`): PostgreSQL's
    /// own for `array_in` (drivers compare with it to find array types), a stable number from the
    /// name for the others.
    public static func procedureOID(_ name: String) -> Int64 {
        let bare = name.hasPrefix("pg_catalog.") ? String(name.dropFirst(11)) : name
        if bare == "array_in" { return 750 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bare.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return 100_000 + Int64(h % 1_000_000)
    }
    public static func withOID(_ oid: Int64) -> PostgresType? { all.first { $0.oid == oid } }

    /// `format_type(oid, typmod)`: the type's name as SQL writes it (`numeric(12,2)`,
    /// `character varying(40)`, `integer`).
    public static func format(oid: Int64, modifier: Int64?) -> String? {
        guard let t = withOID(oid) else { return nil }
        let mod = modifier ?? -1
        switch t.name {
        case "bool": return "boolean"
        case "int2": return "smallint"
        case "int4": return "integer"
        case "int8": return "bigint"
        case "float4": return "real"
        case "float8": return "double precision"
        case "varchar": return mod >= 4 ? "character varying(\(mod - 4))" : "character varying"
        case "bpchar": return mod >= 4 ? "character(\(mod - 4))" : "bpchar"
        case "char": return "\"char\""
        case "numeric":
            guard mod >= 4 else { return "numeric" }
            return "numeric(\((mod - 4) >> 16),\((mod - 4) & 0xFFFF))"
        case "timestamp": return "timestamp without time zone"
        case "timestamptz": return "timestamp with time zone"
        case "time": return "time without time zone"
        default:
            if t.element != 0, let e = withOID(t.element), t.category == "A", t.name.hasPrefix("_") {
                return (format(oid: e.oid, modifier: -1) ?? e.name) + "[]"
            }
            return t.name
        }
    }
}

extension DataType {
    /// The PostgreSQL type a value of this type is sent as.
    public var postgresOID: Int64 {
        switch self {
        case .boolean: 16
        case .smallint: 21
        case .integer: 23
        case .bigint: 20
        case .double: 701
        case .decimal: 1700
        case .date: 1082
        case .timestamp: 1114
        case .timestamptz: 1184
        case .bytea: 17
        case .text, .unknown: 25
        }
    }

    /// The type modifier PostgreSQL gives it (`atttypmod`): numeric's precision and scale,
    /// -1 otherwise.
    public var postgresModifier: Int64 {
        if case .decimal(let p, let s) = self { return Int64((p << 16) | s) + 4 }
        return -1
    }
}
