/// The policy statements of a mesh's `security_policy` list (SQL.md §5): who may read which
/// products and columns, which rows they see and how values are masked.
public enum PolicyStatement: Sendable, Hashable {
    /// `GRANT SELECT ON mesh.product | mesh.* TO principals`
    case grant(PolicyTarget, to: PrincipalSet)
    /// `DENY SELECT [(c, …)] ON target TO principals`: the whole product, or some columns.
    case deny(PolicyTarget, columns: [String], to: PrincipalSet)
    /// `MASK mesh.product.column USING expr FOR principals`
    case mask(column: QualifiedName, using: Expr, for: PrincipalSet)
    /// `MASK COLUMNS TAGGED 'tag' USING expr FOR principals` (system mesh only)
    case maskTagged(tag: String, using: Expr, for: PrincipalSet, at: SourceLocation)
    /// `FILTER mesh.product USING condition FOR principals`
    case filter(QualifiedName, using: Expr, for: PrincipalSet)

    public var principals: PrincipalSet {
        switch self {
        case .grant(_, let p), .deny(_, _, let p), .mask(_, _, let p), .maskTagged(_, _, let p, _), .filter(_, _, let p): p
        }
    }
}

/// What a GRANT or DENY is about: one product, or every product of a mesh (`mesh.*`).
public enum PolicyTarget: Sendable, Hashable {
    case product(QualifiedName)
    case allProducts(mesh: String, at: SourceLocation)
}

/// One principal pattern of a policy.
public enum PolicyPrincipal: Sendable, Hashable {
    case everyone
    case role(String)
    case user(String)
    case attribute(key: String, value: String)
}

/// `p1, p2 [EXCEPT q1, q2]`: whoever matches any of `include` and none of `except`.
public struct PrincipalSet: Sendable, Hashable {
    public var include: [PolicyPrincipal]
    public var except: [PolicyPrincipal]

    public init(include: [PolicyPrincipal], except: [PolicyPrincipal] = []) {
        self.include = include
        self.except = except
    }
}

extension Parser {
    /// Parses one entry of a `security_policy` list: a policy statement (a trailing `;` is
    /// allowed). Positions are relative to `sql`.
    public static func parsePolicy(_ sql: String) throws(SQLSyntaxError) -> PolicyStatement {
        var p = try Parser(sql)
        guard let policy = try p.parsePolicyStatement() else { throw p.unexpected() }
        _ = p.acceptSymbol(";")
        try p.expectEnd()
        return policy
    }

    /// A policy statement if one starts here (GRANT, DENY, MASK, FILTER), else nil.
    mutating func parsePolicyStatement() throws(SQLSyntaxError) -> PolicyStatement? {
        if acceptWord("grant") {
            try expectWord("select")
            try expectWord("on")
            let target = try parsePolicyTarget()
            try expectWord("to")
            return .grant(target, to: try parsePrincipalSet())
        }
        if acceptWord("deny") {
            try expectWord("select")
            let columns = isSymbol("(") ? try parseIdentifierList() : []
            try expectWord("on")
            let target = try parsePolicyTarget()
            try expectWord("to")
            return .deny(target, columns: columns, to: try parsePrincipalSet())
        }
        if isWord("mask") {
            let start = advance().location
            if acceptWords("columns", "tagged") {
                guard case .string(let tag) = current.kind else { throw unexpected() }
                advance()
                try expectWord("using")
                let using = try parseExpr()
                try expectWord("for")
                return .maskTagged(tag: tag, using: using, for: try parsePrincipalSet(), at: start)
            }
            let column = try parseQualifiedName(minParts: 3, maxParts: 3)
            try expectWord("using")
            let using = try parseExpr()
            try expectWord("for")
            return .mask(column: column, using: using, for: try parsePrincipalSet())
        }
        // FILTER is also a clause word (`count(*) FILTER (WHERE …)`); here it starts a statement.
        if acceptWord("filter") {
            let product = try parseQualifiedName(minParts: 2, maxParts: 2)
            try expectWord("using")
            let using = try parseExpr()
            try expectWord("for")
            return .filter(product, using: using, for: try parsePrincipalSet())
        }
        return nil
    }

    private mutating func parsePolicyTarget() throws(SQLSyntaxError) -> PolicyTarget {
        let start = current.location
        let mesh = try parseIdentifier()
        try expectSymbol(".")
        if acceptSymbol("*") { return .allProducts(mesh: mesh, at: start) }
        return .product(QualifiedName([mesh, try parseIdentifier()], at: start))
    }

    private mutating func parsePrincipalSet() throws(SQLSyntaxError) -> PrincipalSet {
        let include = try parsePrincipalList()
        let except = acceptWord("except") ? try parsePrincipalList() : []
        return PrincipalSet(include: include, except: except)
    }

    private mutating func parsePrincipalList() throws(SQLSyntaxError) -> [PolicyPrincipal] {
        var list = [try parsePrincipal()]
        while acceptSymbol(",") { list.append(try parsePrincipal()) }
        return list
    }

    private mutating func parsePrincipal() throws(SQLSyntaxError) -> PolicyPrincipal {
        if acceptWord("public") { return .everyone }
        if acceptWord("role") { return .role(try parseNameOrString()) }
        if acceptWord("user") {
            guard case .string(let email) = current.kind else { throw unexpected() }
            advance()
            return .user(email)
        }
        if acceptWord("attribute") {
            let key = try parseLabel()
            try expectSymbol("=")
            guard case .string(let value) = current.kind else { throw unexpected() }
            advance()
            return .attribute(key: key, value: value)
        }
        throw unexpected()
    }
}

extension SQLPrinter {
    public static func print(_ p: PolicyStatement) -> String {
        switch p {
        case .grant(let target, let to):
            return "GRANT SELECT ON " + print(target) + " TO " + print(to)
        case .deny(let target, let columns, let to):
            let cols = columns.isEmpty ? "" : " (" + columns.map(identifier).joined(separator: ", ") + ")"
            return "DENY SELECT" + cols + " ON " + print(target) + " TO " + print(to)
        case .mask(let column, let using, let to):
            return "MASK " + name(column.parts) + " USING " + print(using) + " FOR " + print(to)
        case .maskTagged(let tag, let using, let to, _):
            return "MASK COLUMNS TAGGED " + literal(.string(tag)) + " USING " + print(using) + " FOR " + print(to)
        case .filter(let product, let using, let to):
            return "FILTER " + name(product.parts) + " USING " + print(using) + " FOR " + print(to)
        }
    }

    static func print(_ t: PolicyTarget) -> String {
        switch t {
        case .product(let n): name(n.parts)
        case .allProducts(let mesh, _): identifier(mesh) + ".*"
        }
    }

    static func print(_ set: PrincipalSet) -> String {
        func one(_ p: PolicyPrincipal) -> String {
            switch p {
            case .everyone: "PUBLIC"
            case .role(let r): "ROLE " + identifier(r)
            case .user(let u): "USER " + literal(.string(u))
            case .attribute(let k, let v): "ATTRIBUTE " + identifier(k) + " = " + literal(.string(v))
            }
        }
        var s = set.include.map(one).joined(separator: ", ")
        if !set.except.isEmpty { s += " EXCEPT " + set.except.map(one).joined(separator: ", ") }
        return s
    }
}
