import Foundation

/// A SQL type as meshql knows it. Several SQL types share one physical column layout
/// (`PhysicalType`); the SQL type is kept for display, casts and result metadata.
public enum DataType: Sendable, Hashable, CustomStringConvertible {
    case boolean
    case smallint
    case integer
    case bigint
    case double
    /// Exact decimal: precision and scale. Values are scaled 128-bit integers.
    case decimal(precision: Int, scale: Int)
    case text
    case date
    case timestamp
    case timestamptz
    case bytea
    /// The type of a bare NULL literal before it meets context.
    case unknown

    public static let maxDecimalPrecision = 38

    public var physical: PhysicalType {
        switch self {
        case .boolean: .bool
        case .smallint, .integer, .bigint: .int
        case .double: .double
        case .decimal: .decimal
        case .text, .unknown: .string
        case .date: .date
        case .timestamp, .timestamptz: .timestamp
        case .bytea: .bytes
        }
    }

    public var isNumeric: Bool {
        switch self {
        case .smallint, .integer, .bigint, .double, .decimal: true
        default: false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .smallint, .integer, .bigint: true
        default: false
        }
    }

    public var decimalScale: Int {
        if case .decimal(_, let s) = self { return s }
        return 0
    }

    /// The name PostgreSQL would print for this type.
    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .smallint: "smallint"
        case .integer: "integer"
        case .bigint: "bigint"
        case .double: "double precision"
        case .decimal(let p, let s): "numeric(\(p),\(s))"
        case .text: "text"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .bytea: "bytea"
        case .unknown: "unknown"
        }
    }

    /// Parses a SQL type name as written in CAST or a source's catalog, e.g. `DECIMAL(15, 2)`,
    /// `varchar(25)`, `double precision`, `int8`. Returns nil for names meshql does not know.
    public static func parse(_ raw: String) -> DataType? {
        let lowered = raw.lowercased().trimmingCharacters(in: [" ", "\t", "\n"])
        var base = lowered
        var args: [Int] = []
        if let open = lowered.firstIndex(of: "("), let close = lowered.lastIndex(of: ")"), open < close {
            base = String(lowered[..<open]).trimmingCharacters(in: [" "])
            args = lowered[lowered.index(after: open)..<close]
                .split(separator: ",")
                .compactMap { Int($0.trimmingCharacters(in: [" "])) }
        }
        switch base {
        case "bool", "boolean": return .boolean
        case "smallint", "int2", "tinyint": return .smallint
        case "int", "integer", "int4", "mediumint": return .integer
        case "bigint", "int8", "unsigned big int": return .bigint
        case "real", "float4", "float", "float8", "double", "double precision": return .double
        case "decimal", "numeric":
            let p = args.first ?? maxDecimalPrecision
            let s = args.count > 1 ? args[1] : (args.isEmpty ? 6 : 0)
            guard p >= 1, p <= maxDecimalPrecision, s >= 0, s <= p else { return nil }
            return .decimal(precision: p, scale: s)
        case "text", "varchar", "character varying", "char", "character", "bpchar", "string",
             "clob", "nvarchar", "nchar", "name", "varying character", "native character", "uuid", "json", "jsonb":
            return .text
        case "date": return .date
        case "timestamp", "timestamp without time zone", "datetime": return .timestamp
        case "timestamptz", "timestamp with time zone": return .timestamptz
        case "bytea", "blob": return .bytea
        default: return nil
        }
    }
}

/// The physical layout of a column buffer.
public enum PhysicalType: Sendable, Hashable {
    case bool, int, double, decimal, string, date, timestamp, bytes
}
