import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshPlan
import MeshSQL

/// One policy statement in force, with where it comes from.
public struct PolicyRule: Sendable {
    /// `sales#2` (entry 2 of mesh `sales`), `sales#1.3` (statement 3 of the named policy in
    /// entry 1).
    public var id: String
    /// The mesh whose list holds it.
    public var mesh: Mesh
    public var statement: PolicyStatement
}

/// Every policy of an org, read from the catalog for one statement: each mesh's list, with
/// named policies looked up in the library. It answers what a principal may do with a product.
public struct PolicyBook: Sendable {
    public var rules: [PolicyRule] = []
    /// Per mesh id, the names its list uses that the library does not define (or entries that
    /// no longer parse): the mesh denies everything until they are fixed.
    public var broken: [UUID: [String]] = [:]
    public var systemMeshID: UUID?
    /// Per mesh id, the keys its products' `hash()` masks use (`ProductAccess.hashKeys`):
    /// empty when the catalog has no secret key to derive them from.
    public var hashKeys: [UUID: [String: [UInt8]]] = [:]
    /// Products over the same source table, and the tags of each source column.
    public var sources = SourceMap(products: [], meshNames: [:], sourceOf: [:])

    /// Parsed once per catalog state, not per statement (the catalog's cache drops it on a
    /// write).
    /// - Parameter locate: where a connector reads (to tell which products share a source).
    public static func load(catalog: CatalogStore, org: String, locate: (ConnectorRecord) -> SourceAddress) throws -> PolicyBook {
        try catalog.memoized("policy book\u{1}" + org) { try parse(catalog: catalog, org: org, locate: locate) }
    }

    private static func parse(catalog: CatalogStore, org: String, locate: (ConnectorRecord) -> SourceAddress) throws -> PolicyBook {
        let library = Dictionary(try catalog.namedPolicies(org: org).map { ($0.name, $0.body) }) { a, _ in a }
        var book = PolicyBook()
        book.sources = try SourceMap.load(catalog: catalog, org: org, locate: locate)
        let domains = try catalog.hashDomains(org: org)
        for mesh in try catalog.meshes(org: org) {
            if mesh.isSystem { book.systemMeshID = mesh.id }
            if let own = try? catalog.maskingKey(org: org, meshID: mesh.id) {
                var keys = ["": own]
                for d in domains where d.meshIDs.contains(mesh.id) {
                    keys[d.name] = try? catalog.maskingKey(org: org, domain: d)
                }
                book.hashKeys[mesh.id] = keys
            }
            for (i, text) in mesh.securityPolicy.enumerated() {
                let id = "\(mesh.sqlName)#\(i + 1)"
                switch try? PolicyEntry.parse(text) {
                case .statement(let s):
                    book.rules.append(PolicyRule(id: id, mesh: mesh, statement: s))
                case .named(PolicyEntry.defaultPolicy):
                    book.rules.append(PolicyRule(id: id, mesh: mesh, statement: Self.defaultPolicy(for: mesh)))
                case .named(let name):
                    guard let body = library[name], let statements = try? PolicyStatement.parseBody(body) else {
                        book.broken[mesh.id, default: []].append(name)
                        continue
                    }
                    for (k, s) in statements.enumerated() {
                        book.rules.append(PolicyRule(id: "\(id).\(k + 1)", mesh: mesh, statement: s))
                    }
                case nil:
                    // Stored before validation, or damaged: fail closed.
                    book.broken[mesh.id, default: []].append("entry \(i + 1)")
                }
            }
        }
        return book
    }

    /// `default_policy` spelled out: the owner, the assignees and the org admins.
    public static func defaultPolicy(for mesh: Mesh) -> PolicyStatement {
        var who: [PolicyPrincipal] = [.role(Principal.adminRole)]
        if let owner = mesh.owner, !owner.isEmpty { who.append(.user(owner)) }
        who += mesh.assignees.map { .user($0.email) }
        return .grant(.allProducts(mesh: mesh.sqlName, at: SourceLocation(line: 0, column: 0)), to: PrincipalSet(include: who))
    }

    /// The org-wide tag masks, by tag (lower case).
    public var tagMasks: [String: [PolicyRule]] {
        var out: [String: [PolicyRule]] = [:]
        for r in rules where r.mesh.isSystem {
            if case .maskTagged(let tag, _, _, _) = r.statement { out[tag.lowercased(), default: []].append(r) }
        }
        return out
    }

    /// Why a mesh's policies deny everything, or nil when they are whole.
    public func brokenReason(_ mesh: Mesh) -> String? {
        guard let names = broken[mesh.id], !names.isEmpty else { return nil }
        return "security policy names an undefined policy: " + names.joined(separator: ", ")
            + " (access to its products is denied until it is defined)"
    }

    /// What `principal` may do with `product` of `mesh`; nil when the product does not exist
    /// for them. GRANTs name the product (or its mesh); DENY, FILTER and MASK rules, whichever
    /// mesh's list holds them, also hold for every other product over the same source table,
    /// and tag masks see the tags its source columns carry in any product.
    public func access(to product: ProductRecord, in mesh: Mesh, for principal: Principal) throws -> ProductAccess? {
        if broken[mesh.id] != nil { return nil }
        if let sys = systemMeshID, broken[sys] != nil { return nil }
        let full = "\(mesh.sqlName).\(product.name)"
        var access = ProductAccess(hashKeys: hashKeys[mesh.id] ?? [:])
        var granted = false
        var columnMasks: [String: [(id: String, expr: Expr)]] = [:]
        var tagMasks: [String: [(id: String, expr: Expr)]] = [:]
        /// A restriction's target: this product, another over the same data, or all of a
        /// mesh's products where that mesh reads the same data.
        func restricts(_ target: PolicyTarget) -> Bool {
            switch target {
            case .product(let n): sources.sameData(n.description, full)
            case .allProducts(let m, _): m == mesh.sqlName || sources.meshReadsSameData(m, full)
            }
        }
        for rule in rules {
            let ownOrOrgWide = rule.mesh.id == mesh.id || rule.mesh.isSystem
            guard principal.matches(rule.statement.principals) else { continue }
            switch rule.statement {
            case .grant(let target, _):
                guard ownOrOrgWide, target.covers(full, mesh: mesh.sqlName) else { continue }
                granted = true
            case .deny(let target, let cols, _):
                guard restricts(target) else { continue }
                if cols.isEmpty { return nil }
                access.hiddenColumns.formUnion(cols)
            case .filter(let name, let condition, _):
                guard sources.sameData(name.description, full) else { continue }
                access.rowFilters.append(condition)
            case .mask(let column, let expr, _):
                guard sources.sameData(column.parts.prefix(2).joined(separator: "."), full) else { continue }
                columnMasks[column.parts[2], default: []].append((rule.id, expr))
            case .maskTagged(let tag, let expr, _, _):
                guard ownOrOrgWide else { continue }
                tagMasks[tag.lowercased(), default: []].append((rule.id, expr))
                continue
            }
            access.policyIDs.append(rule.id)
        }
        guard granted else { return nil }
        for c in product.columns where !access.hiddenColumns.contains(c.name) {
            var candidates = columnMasks[c.name] ?? []
            // A column-specific mask beats a tag mask (SQL.md §5 rule 3).
            if candidates.isEmpty {
                candidates = (c.tags + sources.inheritedTags(c, of: full)).flatMap { tagMasks[$0.lowercased()] ?? [] }
                if !candidates.isEmpty { access.tagMasked.insert(c.name) }
            }
            guard let first = candidates.first else { continue }
            if candidates.contains(where: { $0.expr != first.expr }) {
                throw MeshError(.permission, "conflicting masks apply to column \"\(c.name)\" of data product \"\(full)\" (\(candidates.map(\.id).joined(separator: ", ")))",
                                hint: "ask the managers of its mesh to keep one mask per column")
            }
            access.masks[c.name] = first.expr
            for m in candidates where !access.policyIDs.contains(m.id) { access.policyIDs.append(m.id) }
        }
        return access
    }
}

extension PolicyTarget {
    public func covers(_ product: String, mesh: String) -> Bool {
        switch self {
        case .product(let n): n.description == product
        case .allProducts(let m, _): m == mesh
        }
    }
}

extension Principal {
    /// Whether this principal is one of `set` (any of its principals, none of its exceptions).
    public func matches(_ set: PrincipalSet) -> Bool {
        set.include.contains(where: matches) && !set.except.contains(where: matches)
    }

    public func matches(_ p: PolicyPrincipal) -> Bool {
        switch p {
        case .everyone: true
        case .role(let r): roles.contains(r.lowercased())
        case .user(let email): !user.isEmpty && user.lowercased() == email.lowercased()
        case .attribute(let k, let v): attributes[k.lowercased()] == v
        }
    }

    /// Whether this principal manages `mesh`: its owner, an assignee, or an org admin.
    public func manages(_ mesh: Mesh) -> Bool {
        if isAdmin { return true }
        guard !user.isEmpty else { return false }
        let me = user.lowercased()
        return mesh.owner?.lowercased() == me || mesh.assignees.contains { $0.email.lowercased() == me }
    }
}
