import MeshCore

/// PostgreSQL built-in type OIDs (pg_type.dat; stable across versions) and their meshql types.
enum PGType {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let char: UInt32 = 18
    static let name: UInt32 = 19
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let json: UInt32 = 114
    static let xml: UInt32 = 142
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let unknown: UInt32 = 705
    static let bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043
    static let date: UInt32 = 1082
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let numeric: UInt32 = 1700
    static let uuid: UInt32 = 2950
    static let jsonb: UInt32 = 3802

    /// Types whose binary form is their UTF-8 text.
    static let textLike: Set<UInt32> = [text, varchar, bpchar, name, json, xml, unknown, char]

    /// The meshql type of a column of type `oid` with modifier `typmod`. `numeric` without a
    /// precision becomes `decimal(38,6)` (as `DataType.parse("numeric")` does): meshql decimals
    /// need a fixed scale, and six digits covers money-like and most measured values; reads
    /// round half away from zero at that scale. Types meshql has no equivalent for map to text
    /// (their values are read through a server-side `::text` cast).
    static func dataType(oid: UInt32, typmod: Int32) -> DataType {
        switch oid {
        case bool: return .boolean
        case int2: return .smallint
        case int4: return .integer
        case int8: return .bigint
        case float4, float8: return .double
        case numeric: return numericType(typmod: typmod)
        case date: return .date
        case timestamp: return .timestamp
        case timestamptz: return .timestamptz
        case bytea: return .bytea
        default: return .text
        }
    }

    /// `numeric(p,s)` from its typmod: ((p << 16) | s) + 4, the scale an 11-bit signed field
    /// since PostgreSQL 15. Precision beyond 38 digits is capped; a negative scale becomes 0.
    static func numericType(typmod: Int32) -> DataType {
        guard typmod >= 4 else { return .decimal(precision: DataType.maxDecimalPrecision, scale: 6) }
        let t = typmod - 4
        let precision = Int((t >> 16) & 0xffff)
        let scale = Int(((t & 0x7ff) ^ 1024) - 1024)
        if scale < 0 {
            return .decimal(precision: min(DataType.maxDecimalPrecision, precision - scale), scale: 0)
        }
        let p = min(DataType.maxDecimalPrecision, max(precision, 1))
        return .decimal(precision: p, scale: min(scale, p))
    }

    /// The type name for a `$n::type` placeholder or a `::type` cast on the server.
    static func castName(_ type: DataType, withTypmod: Bool) -> String {
        switch type {
        case .boolean: "boolean"
        case .smallint: "smallint"
        case .integer: "integer"
        case .bigint: "bigint"
        case .double: "double precision"
        case .decimal(let p, let s): withTypmod ? "numeric(\(p),\(s))" : "numeric"
        case .text, .unknown: "text"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .bytea: "bytea"
        }
    }
}
