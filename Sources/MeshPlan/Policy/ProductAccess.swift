import MeshCore
import MeshSQL

/// What the policies let the querying principal do with one product (SQL.md §5): the binder
/// places the row filters and masks at the product's scan, under a `PolicyGuard`.
public struct ProductAccess: Sendable, Hashable {
    /// Columns denied to the principal: they do not exist for this query.
    public var hiddenColumns: Set<String>
    /// Conditions over the product's raw columns, AND-ed (FILTER statements).
    public var rowFilters: [Expr]
    /// The mask of each masked column, over the product's raw columns (MASK statements).
    public var masks: [String: Expr]
    /// Ids of the policy statements that shaped this access, for EXPLAIN and the audit log.
    public var policyIDs: [String]
    /// Columns whose mask comes from a tag (`MASK COLUMNS TAGGED`): it reads the column as
    /// `value`.
    public var tagMasked: Set<String>
    /// The keys `hash()` masks of this product may use: the product's mesh's own under "", and
    /// each hash domain the mesh belongs to under its name. Empty when the catalog has no key.
    public var hashKeys: [String: [UInt8]]

    public init(hiddenColumns: Set<String> = [], rowFilters: [Expr] = [], masks: [String: Expr] = [:],
                policyIDs: [String] = [], tagMasked: Set<String> = [], hashKeys: [String: [UInt8]] = [:]) {
        self.hiddenColumns = hiddenColumns
        self.rowFilters = rowFilters
        self.masks = masks
        self.policyIDs = policyIDs
        self.tagMasked = tagMasked
        self.hashKeys = hashKeys
    }

    /// Nothing to place: every column visible and unmasked, every row.
    public var isUnrestricted: Bool { hiddenColumns.isEmpty && rowFilters.isEmpty && masks.isEmpty }
}

/// Who a query runs as, for `current_user()` and friends and for the policies' own
/// expressions. No principal: the local superuser.
public struct QueryIdentity: Sendable, Hashable {
    public var org: String
    public var principal: Principal?
    /// The session's mesh (`USE`), what `current_schema()` answers.
    public var currentMesh: String?

    public init(org: String = "default", principal: Principal? = nil, currentMesh: String? = nil) {
        self.org = org
        self.principal = principal
        self.currentMesh = currentMesh
    }

    /// The PostgreSQL version meshql says it speaks (`version()`, the wire protocol's
    /// `server_version`).
    public static let postgresVersion = "15.0"

    public var isSuperuser: Bool { principal == nil }
    public var user: String? { principal?.user }
    public var roles: Set<String> { principal?.roles ?? [] }
    public var attributes: [String: String] { principal?.attributes ?? [:] }
}
