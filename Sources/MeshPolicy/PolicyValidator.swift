import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshSQL

/// Checks a mesh's `security_policy` list before it is saved (SQL.md §5 rule 8): every entry
/// parses, names only products and columns that exist (of this mesh, unless it is the system
/// mesh), binds, and no two masks compete for one column. The first bad entry rejects the
/// whole list with its index and position; nothing is saved.
public struct PolicyValidator {
    public let catalog: CatalogStore
    public let org: String

    public init(catalog: CatalogStore, org: String) {
        self.catalog = catalog
        self.org = org
    }

    public func validate(_ entries: [String], for mesh: Mesh) throws {
        var masks = try existingMasks(excluding: mesh)
        for (i, text) in entries.enumerated() {
            let label = "security_policy[\(i)]"
            let entry: PolicyEntry
            do {
                entry = try PolicyEntry.parse(text)
            } catch {
                throw MeshError(.syntax, "\(label): \(error.message)", at: error.location)
            }
            guard case .statement(let s) = entry else { continue }
            do {
                try check(s, in: mesh, label: label, masks: &masks)
            } catch let e as MeshError {
                throw MeshError(e.code, "\(label): \(e.message)", at: e.location, hint: e.hint)
            }
        }
    }

    /// Checks the statements of a named policy: they parse and name what exists.
    public func validateNamed(_ body: String) throws {
        let statements: [PolicyStatement]
        do {
            statements = try PolicyStatement.parseBody(body)
        } catch {
            throw MeshError(.syntax, "in the policy's text: \(error.message)", at: error.location)
        }
        var masks: [String: String] = [:]
        for s in statements { try check(s, in: nil, label: "this policy", masks: &masks) }
    }

    /// Column masks (`mesh.product.column` or `tag:t`) already in force outside `mesh`'s own
    /// list that could compete with its masks: the system mesh's, or for the system mesh
    /// every other mesh's.
    private func existingMasks(excluding mesh: Mesh) throws -> [String: String] {
        var out: [String: String] = [:]
        for m in try catalog.meshes(org: org) where m.id != mesh.id && (m.isSystem || mesh.isSystem) {
            for (i, text) in m.securityPolicy.enumerated() {
                guard case .statement(let s)? = try? PolicyEntry.parse(text), let key = Self.maskKey(s) else { continue }
                out[key] = "\(m.sqlName)#\(i + 1)"
            }
        }
        return out
    }

    public static func maskKey(_ s: PolicyStatement) -> String? {
        switch s {
        case .mask(let c, _, _): c.description
        case .maskTagged(let tag, _, _, _): "tag:" + tag.lowercased()
        default: nil
        }
    }

    /// - Parameter mesh: the mesh whose list holds the statement; nil for a named policy.
    private func check(_ s: PolicyStatement, in mesh: Mesh?, label: String, masks: inout [String: String]) throws {
        switch s {
        case .grant(let target, _):
            try checkTarget(target, in: mesh)
        case .deny(let target, let columns, _):
            let products = try checkTarget(target, in: mesh)
            for c in columns {
                for p in products where !p.record.columns.contains(where: { $0.name == c }) {
                    throw MeshError(.undefinedColumn, "column \"\(c)\" of data product \"\(p.name)\" does not exist", at: target.location)
                }
            }
        case .filter(let name, let condition, _):
            let p = try product(name, in: mesh)
            try PolicyExpressionCheck.filter(condition, columns: Self.columns(p.record))
        case .mask(let column, let expr, _):
            let p = try product(QualifiedName(Array(column.parts.prefix(2)), at: column.location), in: mesh)
            let cols = Self.columns(p.record)
            guard let target = cols.first(where: { $0.name == column.parts[2] }) else {
                throw MeshError(.undefinedColumn, "column \"\(column.parts[2])\" of data product \"\(p.name)\" does not exist", at: column.location)
            }
            // `hash(x, 'domain')` only under a domain the product's mesh belongs to.
            let domains = try catalog.hashDomains(org: org).filter { $0.meshIDs.contains(p.record.meshId) }
            try PolicyExpressionCheck.mask(expr, column: target, columns: cols, hashDomains: Set(domains.map(\.name)))
        case .maskTagged(_, let expr, _, let at):
            if let mesh, !mesh.isSystem {
                throw MeshError(.invalidParameter, "MASK COLUMNS TAGGED is org-wide: it belongs in the system mesh's policies", at: at)
            }
            // A tag mask reads the masked column as `value` (and nothing else). Bound here
            // against a text column; a mask that does not fit another column's type fails
            // closed when applied to it.
            // It may name any of the org's hash domains: on a product of a mesh outside the
            // domain, the mask fails closed when applied.
            try PolicyExpressionCheck.mask(expr, column: PlanColumn(id: .fresh(), name: "value", type: .text),
                                           columns: [PlanColumn(id: .fresh(), name: "value", type: .text)],
                                           hashDomains: Set(try catalog.hashDomains(org: org).map(\.name)))
        }
        if let key = Self.maskKey(s) {
            if let other = masks[key] {
                throw MeshError(.invalidParameter, "this mask conflicts with the one in \(other): one mask per column",
                                hint: "give the two masks' principals to one MASK statement, or drop one")
            }
            masks[key] = label
        }
    }

    @discardableResult
    private func checkTarget(_ target: PolicyTarget, in mesh: Mesh?) throws -> [(name: String, record: ProductRecord)] {
        switch target {
        case .product(let name):
            return [try product(name, in: mesh)]
        case .allProducts(let meshName, let at):
            if let mesh, !mesh.isSystem, meshName != mesh.sqlName {
                throw MeshError(.invalidParameter, "a mesh's policies may name only its own products (\(mesh.sqlName).*)", at: at)
            }
            guard let m = try catalog.mesh(sqlName: meshName, org: org) else {
                throw MeshError(.undefinedObject, "mesh \"\(meshName)\" does not exist", at: at)
            }
            return try catalog.products(meshId: m.id, org: org).map { ("\(m.sqlName).\($0.name)", $0) }
        }
    }

    private func product(_ name: QualifiedName, in mesh: Mesh?) throws -> (name: String, record: ProductRecord) {
        let meshName = name.parts[0], productName = name.parts[1]
        if let mesh, !mesh.isSystem, meshName != mesh.sqlName {
            throw MeshError(.invalidParameter, "a mesh's policies may name only its own products, not \"\(name)\"", at: name.location)
        }
        guard let m = try catalog.mesh(sqlName: meshName, org: org),
              let p = try catalog.product(meshId: m.id, name: productName, org: org) else {
            throw MeshError(.undefinedTable, "data product \"\(name)\" does not exist", at: name.location)
        }
        return (name.description, p)
    }

    public static func columns(_ p: ProductRecord) -> [PlanColumn] {
        p.columns.compactMap { c in c.dataType.map { PlanColumn(id: .fresh(), name: c.name, type: $0, nullable: c.nullable) } }
    }
}

extension PolicyTarget {
    public var location: SourceLocation {
        switch self {
        case .product(let n): n.location
        case .allProducts(_, let at): at
        }
    }
}
