import Foundation
import MeshCore
import MeshDialect

/// A source of one mesh: a PostgreSQL database, a SQLite file. Connectors run the SQL the
/// planner pushes down and stream the results back as columnar batches.
public protocol Connector: Sendable {
    /// The registry type name: "postgres", "sqlite".
    var typeName: String { get }
    /// How this source spells SQL; the planner prints pushed-down fragments with it.
    var dialect: any SQLDialect { get }
    /// Lists the tables and views of a schema (nil: the source's default schema) with their
    /// columns and meshql types.
    func discover(schema: String?) async throws -> [RemoteTable]
    /// Starts the query; batches arrive as the source produces them. Cancelling the stream
    /// (or the task consuming it) stops the query at the source.
    func execute(_ query: RemoteQuery) -> BatchStream
    /// Connects and reports latency and server version.
    func check() async throws -> ConnectorHealth
    /// Estimated row count of a table, for join ordering. Nil when unknown.
    func estimatedRowCount(schema: String, table: String) async throws -> Int?
    /// The pages a table fills, where the source counts them (for cutting a big read into
    /// row ranges, see `SQLDialect.rowRanges`); nil when unknown.
    func estimatedPageCount(schema: String, table: String) async throws -> Int?
    /// The number of distinct non-NULL values of each of a table's `columns`, from the
    /// source's statistics or counted where that is cheap (all in one pass over the table);
    /// a column left out is unknown. Join ordering and grouping estimates use them.
    func distinctCounts(schema: String, table: String, columns: [String]) async throws -> [String: Double]
    /// How OpenLineage names a table of this source (its naming spec: namespace and name);
    /// nil when the source has no such name.
    func lineageName(schema: String?, table: String) -> LineageDatasetName?
    /// Releases pooled connections; those still lent close when they come back.
    func shutdown()
    /// Waits up to `timeout` for lent connections to come back (after `shutdown`): a query
    /// being cancelled returns its connection once the source acknowledged the cancel.
    func drain(timeout: TimeInterval)
}

extension Connector {
    public func estimatedRowCount(schema: String, table: String) async throws -> Int? { nil }
    public func estimatedPageCount(schema: String, table: String) async throws -> Int? { nil }
    public func distinctCounts(schema: String, table: String, columns: [String]) async throws -> [String: Double] { [:] }
    public func shutdown() {}
    public func drain(timeout: TimeInterval) {}
    public func lineageName(schema: String?, table: String) -> LineageDatasetName? { nil }
}

/// A dataset as OpenLineage names it.
public struct LineageDatasetName: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
}

/// SQL text plus its bound values, and the types the results must be decoded into.
public struct RemoteQuery: Sendable, CustomStringConvertible {
    public var sql: String
    public var parameters: [Value]
    /// One per output column, in order. The connector converts the source's values into these
    /// types (e.g. a PostgreSQL `numeric` with any scale into `decimal(38,2)`).
    public var outputTypes: [DataType]
    /// Rows the planner expects; a hint, never a limit.
    public var expectedRows: Double?
    /// What the user calls each output column, for error messages: the SQL names its columns
    /// `c0, c1, …`, which mean nothing to the user.
    public var outputNames: [String]
    /// Session settings the SQL reads (`current_setting(name)`), set first, their values
    /// bound as parameters: how a query without parameters (a PostgreSQL COPY, which takes
    /// none) gets the bounds of its row range (see `SQLDialect.rowRangeCondition`).
    public var settings: [(name: String, value: String)]

    public init(sql: String, parameters: [Value] = [], outputTypes: [DataType], expectedRows: Double? = nil,
                outputNames: [String] = [], settings: [(name: String, value: String)] = []) {
        self.sql = sql
        self.parameters = parameters
        self.outputTypes = outputTypes
        self.expectedRows = expectedRows
        self.outputNames = outputNames
        self.settings = settings
    }

    /// How an error names output column `i` (0-based): `"amount"`, or `column 3` when the
    /// column has no name of the user's.
    public func columnLabel(_ i: Int) -> String {
        if i < outputNames.count, !outputNames[i].isEmpty, outputNames[i] != "?column?" {
            return "column \"\(outputNames[i])\""
        }
        return "column \(i + 1)"
    }

    public var description: String {
        parameters.isEmpty ? sql : sql + "  -- params: [" + parameters.map { $0.isNull ? "NULL" : $0.description }.joined(separator: ", ") + "]"
    }
}

public struct RemoteColumn: Sendable, Hashable {
    public var name: String
    public var type: DataType
    /// The type as the source names it (`numeric(15,2)`, `DECIMAL(15,2)`, `int4`).
    public var nativeType: String
    public var nullable: Bool

    public init(name: String, type: DataType, nativeType: String, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nativeType = nativeType
        self.nullable = nullable
    }
}

public struct RemoteTable: Sendable, Hashable {
    public enum Kind: String, Sendable { case table, view }
    public var schema: String
    public var name: String
    public var kind: Kind
    public var columns: [RemoteColumn]

    public init(schema: String, name: String, kind: Kind, columns: [RemoteColumn]) {
        self.schema = schema
        self.name = name
        self.kind = kind
        self.columns = columns
    }
}

public struct ConnectorHealth: Sendable {
    public var latencyMilliseconds: Double
    public var version: String

    public init(latencyMilliseconds: Double, version: String) {
        self.latencyMilliseconds = latencyMilliseconds
        self.version = version
    }
}
