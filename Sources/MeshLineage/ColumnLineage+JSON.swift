import Foundation
import MeshPlan

extension ColumnLineage {
    /// The lineage as the query API's `"lineage"` shows it: per answer column the product
    /// columns that feed it, and those that shape the rows (`type` DIRECT or INDIRECT,
    /// OpenLineage's subtypes, and whether a mask applied).
    public var jsonObject: [String: Any] {
        func edge(_ e: Edge) -> [String: Any] {
            ["product": e.source.product, "column": e.source.column, "type": e.subtype.type,
             "subtype": e.subtype.rawValue, "masked": e.masked]
        }
        return [
            "columns": fields.map { ["name": $0.name, "inputs": $0.inputs.map(edge)] as [String: Any] },
            "dataset": dataset.map(edge),
        ]
    }

    /// `jsonObject` as compact JSON text (made for every plan, so by the lineage events'
    /// own writer rather than JSONSerialization).
    public var jsonText: String {
        String(decoding: CompactJSON.data(jsonObject), as: UTF8.self)
    }
}
