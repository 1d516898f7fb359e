import ConnectorKit
import Foundation
import MeshCatalog
import MeshCore
import MeshPlan

/// A product a query read, as its OpenLineage input dataset: the source's table, named by
/// the connector (`Connector.lineageName`), with the product as a symlink.
public struct LineageInput: Sendable, Hashable {
    public var product: String
    public var dataset: LineageDatasetName?
    public var fields: [Field]

    public init(product: String, dataset: LineageDatasetName?, fields: [Field]) {
        self.product = product
        self.dataset = dataset
        self.fields = fields
    }
}

/// OpenLineage RunEvents (spec 2-0-2) of one query: START when it begins, then COMPLETE or
/// FAIL. The run is the query (its id), the job the statement's shape (literals redacted, so
/// runs of one query with other values are one job); inputs are the products read, the output
/// the answer, with the `columnLineage` facet.
public enum OpenLineageEvent {
    public enum Phase: String, Sendable { case start = "START", complete = "COMPLETE", fail = "FAIL" }

    static let producer = "https://github.com/meshql/meshql"
    static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    static let facetSpec = "https://openlineage.io/spec/facets/"
    /// Our run facet: who ran the query, in which organisation, under which policies.
    static let runFacetSchema = "https://github.com/meshql/meshql/blob/main/docs/MeshqlRunFacet.json#/$defs/MeshqlRunFacet"

    public struct Query: Sendable {
        /// The run's id: made here for each query (a client names its query ids, so one
        /// could name another's run), the query id going in our run facet.
        public var runID: String
        public var record: AuditRecord
        public var org: String
        public var inputs: [LineageInput] = []
        public var output: [Field] = []
        public var lineage: ColumnLineage?
        /// The failure's SQLSTATE: its message may quote a value, the events never do.
        public var errorState: String?

        public init(runID: String, record: AuditRecord, org: String, inputs: [LineageInput] = [], output: [Field] = [],
                    lineage: ColumnLineage? = nil, errorState: String? = nil) {
            self.runID = runID
            self.record = record
            self.org = org
            self.inputs = inputs
            self.output = output
            self.lineage = lineage
            self.errorState = errorState
        }
    }

    /// The event as a JSON object.
    static func json(_ phase: Phase, _ q: Query, at time: Date) -> [String: Any] {
        var run: [String: Any] = ["runId": q.runID]
        var runFacets: [String: Any] = [
            "meshql": facet(runFacetSchema, ["org": q.org, "user": q.record.principal, "roles": q.record.roles,
                                             "policies": q.record.policies, "queryId": q.record.queryID]),
        ]
        if phase == .fail {
            let message = "the query failed with SQLSTATE " + (q.errorState ?? "XX000")
            runFacets["errorMessage"] = facet(facetSpec + "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                                              ["message": message, "programmingLanguage": "SQL"])
        }
        run["facets"] = runFacets
        let job: [String: Any] = [
            "namespace": namespace(q.org),
            "name": "query." + shapeHash(q.record.statement),
            "facets": [
                "sql": facet(facetSpec + "1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet", ["query": q.record.statement]),
                "jobType": facet(facetSpec + "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                                 ["processingType": "BATCH", "integration": "MESHQL", "jobType": "QUERY"]),
            ],
        ]
        var event: [String: Any] = [
            "eventType": phase.rawValue, "eventTime": CatalogTimestamp.format(time), "producer": producer, "schemaURL": schemaURL,
            "run": run, "job": job,
        ]
        guard phase != .start else { return event }
        event["inputs"] = q.inputs.map { input(q.org, $0) }
        event["outputs"] = [output(q)]
        return event
    }

    /// The event as one line of JSON.
    static func line(_ phase: Phase, _ q: Query, at time: Date) -> Data? {
        CompactJSON.data(json(phase, q, at: time))
    }

    static func namespace(_ org: String) -> String { "meshql://" + org }

    private static func facet(_ schema: String, _ fields: [String: Any]) -> [String: Any] {
        fields.merging(["_producer": producer, "_schemaURL": schema]) { a, _ in a }
    }

    private static func schemaFacet(_ fields: [Field]) -> [String: Any] {
        facet(facetSpec + "1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
              ["fields": fields.map { ["name": $0.name, "type": $0.type.description] }])
    }

    /// Where a product's columns come from in the events: its source table, or the product
    /// itself where the source names none.
    private static func datasetName(_ org: String, _ input: LineageInput?, product: String) -> LineageDatasetName {
        input?.dataset ?? LineageDatasetName(namespace: namespace(org), name: product)
    }

    private static func input(_ org: String, _ i: LineageInput) -> [String: Any] {
        let name = datasetName(org, i, product: i.product)
        var facets: [String: Any] = ["schema": schemaFacet(i.fields)]
        if i.dataset != nil {
            facets["symlinks"] = facet(facetSpec + "1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet",
                                       ["identifiers": [["namespace": namespace(org), "name": i.product, "type": "DATA_PRODUCT"]]])
        }
        return ["namespace": name.namespace, "name": name.name, "facets": facets]
    }

    private static func output(_ q: Query) -> [String: Any] {
        var facets: [String: Any] = ["schema": schemaFacet(q.output)]
        if let lineage = q.lineage {
            let byProduct = Dictionary(q.inputs.map { ($0.product, $0) }) { a, _ in a }
            func edge(_ e: ColumnLineage.Edge) -> [String: Any] {
                let name = datasetName(q.org, byProduct[e.source.product], product: e.source.product)
                return ["namespace": name.namespace, "name": name.name, "field": e.source.column,
                        "transformations": [["type": e.subtype.type, "subtype": e.subtype.rawValue, "masking": e.masked]]]
            }
            var fields: [String: Any] = [:]
            for f in lineage.fields where !f.inputs.isEmpty { fields[f.name] = ["inputFields": f.inputs.map(edge)] }
            facets["columnLineage"] = facet(facetSpec + "1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
                                            ["fields": fields, "dataset": lineage.dataset.map(edge)])
        }
        return ["namespace": namespace(q.org), "name": "result." + q.runID, "facets": facets]
    }

    /// FNV-1a of the redacted statement, as 16 hex digits: one job per query shape.
    static func shapeHash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
