import MeshCatalog

/// A data product's place among the others: the products it is derived from (a derived
/// product's bases, column by column) and the derived products built on it. Bound as the
/// session's principal: what it cannot read it does not see here either.
public struct ProductLineage: Sendable {
    /// One product of the graph, and its mesh.
    public struct Node: Sendable, Hashable {
        public var product: String
        public var mesh: String
        public var derived: Bool

        public init(product: String, mesh: String, derived: Bool) {
            self.product = product
            self.mesh = mesh
            self.derived = derived
        }
    }

    /// `from` feeds `to`: for each column of `to`, the columns of `from` that feed it.
    public struct Link: Sendable, Hashable {
        public var from: String
        public var to: String
        public var columns: [ColumnLink]

        public init(from: String, to: String, columns: [ColumnLink]) {
            self.from = from
            self.to = to
            self.columns = columns
        }
    }

    public struct ColumnLink: Sendable, Hashable {
        public var from: String
        public var to: String
        public var subtype: String

        public init(from: String, to: String, subtype: String) {
            self.from = from
            self.to = to
            self.subtype = subtype
        }
    }

    public var product: String
    public var nodes: [Node]
    public var links: [Link]
    /// The queries that read the product lately, newest first (when asked for).
    public var recentQueries: [AuditRecord] = []

    public init(product: String, nodes: [Node], links: [Link], recentQueries: [AuditRecord] = []) {
        self.product = product
        self.nodes = nodes
        self.links = links
        self.recentQueries = recentQueries
    }
}
