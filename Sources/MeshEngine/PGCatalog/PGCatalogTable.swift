import MeshCore
import MeshPlan

/// One relation of the emulated catalog: its columns (as PostgreSQL declares them) and how its
/// rows follow from what the principal may see. Columns a row leaves out take their type's
/// empty value: false, 0, or NULL for text.
struct PGCatalogTable: Sendable {
    let schema: String
    let name: String
    let oid: Int64
    let columns: [Field]
    private let rows: @Sendable (PGCatalogSnapshot) -> [[String: Value]]

    /// - Parameter columns: `name pgtype, …` in PostgreSQL's order; arrays and other types
    ///   meshql has no values of are text.
    init(_ schema: String, _ name: String, oid: Int64, _ columns: String,
         rows: @escaping @Sendable (PGCatalogSnapshot) -> [[String: Value]] = { _ in [] }) {
        self.schema = schema
        self.name = name
        self.oid = oid
        self.columns = columns.split(separator: ",").map { spec in
            let parts = spec.split(separator: " ", omittingEmptySubsequences: true)
            return Field(name: String(parts[0]), type: Self.type(String(parts[1])), nullable: true)
        }
        self.rows = rows
    }

    static func type(_ pg: String) -> DataType {
        switch pg {
        case "oid", "int8", "xid", "regproc": .bigint
        case "int2": .smallint
        case "int4": .integer
        case "float4", "float8": .double
        case "bool": .boolean
        case "timestamptz": .timestamptz
        default: .text
        }
    }

    /// The relation's rows, each in `columns` order.
    func values(_ snapshot: PGCatalogSnapshot) -> [[Value]] {
        rows(snapshot).map { row in
            columns.map { f in
                if let v = row[f.name] { return v }
                switch f.type {
                case .boolean: return .bool(false)
                case .smallint, .integer, .bigint: return .int(0)
                case .double: return .double(0)
                default: return .null
                }
            }
        }
    }

    func relation(_ snapshot: PGCatalogSnapshot) -> ValuesRelation {
        ValuesRelation(name: "\(schema).\(name)",
                       columns: columns.map { .fresh($0.name, $0.type) },
                       rows: values(snapshot))
    }
}
