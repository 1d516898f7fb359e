import MeshCore
import MeshSQL

/// The columns visible while binding one query block: the FROM items' columns in the order
/// of the plan's output, each with the names it can be referred to by.
struct Scope {
    struct Entry {
        /// Table alias or product name (`o`, `orders`).
        var qualifier: String?
        /// `mesh.product` for a product referenced without alias, to allow `mesh.product.col`.
        var fullQualifier: String?
        var name: String
        var type: DataType
        /// The plan column this entry names.
        var id: ColumnID
        /// Hidden from `*` and from unqualified lookup (the right copy of a USING column).
        var mergedAway = false
    }

    var entries: [Entry] = []
    /// The order `*` lists the entries in, when it is not the plan's output order: a USING
    /// join lists its merged columns first, as PostgreSQL does. Nil: entry order.
    var starOrder: [Int]? = nil

    /// `starOrder`, or the entry order.
    var effectiveStarOrder: [Int] { starOrder ?? Array(entries.indices) }

    static func + (a: Scope, b: Scope) -> Scope {
        let order = (a.starOrder == nil && b.starOrder == nil) ? nil
            : a.effectiveStarOrder + b.effectiveStarOrder.map { $0 + a.entries.count }
        return Scope(entries: a.entries + b.entries, starOrder: order)
    }

    /// Finds a column by its parts as written (`col`, `t.col`, `mesh.product.col`).
    func resolve(_ parts: [String], at location: SourceLocation) throws -> (index: Int, type: DataType) {
        let name = parts.last!
        let matches: [Int]
        switch parts.count {
        case 1:
            matches = entries.indices.filter { entries[$0].name == name && !entries[$0].mergedAway }
        case 2:
            matches = entries.indices.filter { entries[$0].name == name && entries[$0].qualifier == parts[0] }
        case 3:
            let q = parts[0] + "." + parts[1]
            matches = entries.indices.filter { entries[$0].name == name && entries[$0].fullQualifier == q }
        default:
            throw MeshError(.syntax, "improper qualified name (too many dotted names): \(parts.joined(separator: "."))", at: location)
        }
        if matches.count > 1 {
            throw MeshError(.ambiguousColumn, "column reference \"\(name)\" is ambiguous", at: location)
        }
        guard let i = matches.first else {
            if parts.count > 1, !entries.contains(where: { $0.qualifier == parts[parts.count - 2] || $0.fullQualifier == parts.dropLast().joined(separator: ".") }) {
                throw MeshError(.undefinedTable, "missing FROM-clause entry for table \"\(parts.dropLast().joined(separator: "."))\"", at: location)
            }
            // PostgreSQL quotes a bare name but not a qualified one: column p.nope does not exist.
            let shown = parts.count == 1 ? "\"\(name)\"" : parts.joined(separator: ".")
            throw MeshError(.undefinedColumn, "column \(shown) does not exist", at: location)
        }
        return (i, entries[i].type)
    }

    /// A reference to the `i`-th entry's column.
    func reference(_ i: Int, at location: SourceLocation? = nil) -> BoundExpr {
        BoundExpr(.column(entries[i].id), type: entries[i].type, at: location)
    }

    /// Entries for the output of a plan, all under one qualifier.
    static func of(_ columns: [PlanColumn], qualifier: String?, fullQualifier: String? = nil) -> Scope {
        Scope(entries: columns.map {
            Entry(qualifier: qualifier, fullQualifier: fullQualifier, name: $0.name, type: $0.type, id: $0.id)
        })
    }

    /// The columns `*` or `q.*` expands to.
    func expand(qualifier: [String]?, at location: SourceLocation) throws -> [Int] {
        guard let qualifier else { return effectiveStarOrder.filter { !entries[$0].mergedAway } }
        let q = qualifier.joined(separator: ".")
        let found = entries.indices.filter { entries[$0].qualifier == q || entries[$0].fullQualifier == q }
        if found.isEmpty {
            throw MeshError(.undefinedTable, "missing FROM-clause entry for table \"\(q)\"", at: location)
        }
        return found
    }
}
