import Foundation
import MeshCore

/// One statement's entry in the audit log: who ran what, what it touched, which policies
/// decided, and how it ended. Refused statements are recorded too. The statement is kept with
/// its literals replaced by `?`, so the log never holds a value someone typed.
public struct AuditRecord: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable, Codable {
        /// Ran to the end.
        case allowed
        /// Refused before it ran: an unknown or hidden product or column, a permission.
        case refused
        /// Allowed, then failed while running (a source error, a runtime error, cancelled).
        case failed
    }

    public var id: Int64?
    public var queryID: String
    public var at: Date
    /// The user's email; `meshql` for the local superuser.
    public var principal: String
    public var roles: [String]
    /// `query`, `explain`, or the catalog statement's kind (`create connector` …).
    public var kind: String
    /// The statement with every literal replaced by `?`.
    public var statement: String
    /// `mesh.product` of every product read.
    public var products: [String]
    /// `mesh.product.column` of every column read.
    public var columns: [String]
    /// Ids of the policy statements that applied (`sales#2`, `system#1`).
    public var policies: [String]
    public var decision: Decision
    public var sqlstate: String?
    public var rowCount: Int?
    public var elapsedMilliseconds: Double?
    /// The SQL sent to each source, by connector name (placeholders, never values).
    public var remoteQueries: [RemoteQuery]

    public struct RemoteQuery: Sendable, Hashable, Codable {
        public var connector: String
        public var sql: String
        public init(connector: String, sql: String) {
            self.connector = connector
            self.sql = sql
        }
    }

    public init(id: Int64? = nil, queryID: String = UUID.newQueryID(), at: Date = Date(), principal: String,
                roles: [String] = [], kind: String, statement: String, products: [String] = [], columns: [String] = [],
                policies: [String] = [], decision: Decision, sqlstate: String? = nil, rowCount: Int? = nil,
                elapsedMilliseconds: Double? = nil, remoteQueries: [RemoteQuery] = []) {
        self.id = id
        self.queryID = queryID
        self.at = CatalogTimestamp.normalized(at)
        self.principal = principal
        self.roles = roles
        self.kind = kind
        self.statement = statement
        self.products = products
        self.columns = columns
        self.policies = policies
        self.decision = decision
        self.sqlstate = sqlstate
        self.rowCount = rowCount
        self.elapsedMilliseconds = elapsedMilliseconds
        self.remoteQueries = remoteQueries
    }

    /// What `details` holds as JSON: the fields without a column of their own.
    struct Details: Codable {
        var columns: [String]
        var remoteQueries: [RemoteQuery]
        enum CodingKeys: String, CodingKey {
            case columns
            case remoteQueries = "remote_queries"
        }
    }
}
