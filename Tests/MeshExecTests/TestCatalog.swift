import MeshCore
import MeshPlan

/// An in-memory catalog of two products for binder and planner tests.
struct TestCatalog: CatalogResolver {
    static let orders = ProductScan(
        productName: "sales.orders", connectorID: "pg1", connectorName: "sales_pg", remoteSchema: "public",
        remoteTable: "orders",
        fields: [Field(name: "id", type: .integer), Field(name: "customer_id", type: .integer),
                 Field(name: "amount", type: .decimal(precision: 12, scale: 2)), Field(name: "ordered_on", type: .date),
                 Field(name: "status", type: .text)],
        remoteColumns: ["id", "customer_id", "amount", "ordered_on", "status"])
    static let customers = ProductScan(
        productName: "crm.customers", connectorID: "lite1", connectorName: "crm_file", remoteSchema: nil,
        remoteTable: "customers",
        fields: [Field(name: "id", type: .integer), Field(name: "name", type: .text), Field(name: "region", type: .text)],
        remoteColumns: ["id", "name", "region"])

    func resolve(mesh: String?, product: String) throws -> ResolvedRelation? {
        switch (mesh, product) {
        case ("sales", "orders"): .table(Self.orders, access: nil)
        case ("crm", "customers"): .table(Self.customers, access: nil)
        default: nil
        }
    }
}
