import Foundation
import MeshCore
import Testing
@testable import MeshCatalog

@Suite("Catalog model types")
struct ModelTests {
    @Test("slugs", arguments: [
        ("Sales Analytics", "sales_analytics"),
        ("  Customer -- Experience  ", "customer_experience"),
        ("Financial Reporting (EU)", "financial_reporting_eu"),
        ("Café Crème", "cafe_creme"),
        ("2024 Budget", "_2024_budget"),
        ("already_a_slug", "already_a_slug"),
        ("!!!", ""),
    ])
    func slug(input: String, expected: String) {
        #expect(SQLName.slug(input) == expected)
    }

    @Test("a mesh's SQL name is its slug unless given")
    func meshSQLName() {
        #expect(Mesh(name: "Sales Analytics").sqlName == "sales_analytics")
        #expect(Mesh(sqlName: "sales", name: "Sales Analytics").sqlName == "sales")
    }

    @Test("URNs follow the seed")
    func urns() throws {
        let meshId = try #require(UUID(uuidString: "BC2F439D-C142-4044-BF57-7DDA09975266"))
        let mesh = Mesh(id: meshId, name: "Mesh Example")
        #expect(mesh.urn == "urn:meshx:backend:data:root:mesh:bc2f439d-c142-4044-bf57-7dda09975266")
        let cid = UUID()
        let connector = ConnectorRecord(id: cid, meshId: meshId, name: "pg", type: "postgres")
        #expect(connector.urn == "urn:meshx:backend:data:mesh:bc2f439d-c142-4044-bf57-7dda09975266:connector:"
                + cid.uuidString.lowercased())
        let pid = UUID()
        let product = ProductRecord(id: pid, meshId: meshId, name: "orders", viewSQL: "SELECT 1")
        #expect(product.urn == "urn:meshx:backend:data:mesh:bc2f439d-c142-4044-bf57-7dda09975266:product:"
                + pid.uuidString.lowercased())
    }

    @Test("mesh JSON uses the seed's keys and decodes a seed request body")
    func meshJSON() throws {
        let body = """
            {"name": "Mesh Example", "label": "TME", "description": "This is an example for a Mesh",
             "purpose": "Enterprise data organization and governance",
             "assignees": [{"email": "admin@example.com", "full_name": "Mesh Administrator", "role": "Role"}],
             "security_policy": ["statement_1"],
             "entity_info": {"owner": "admin@example.com", "contact_ids": ["Mesh Support Contact"], "links": []}}
            """
        let mesh = try JSONDecoder().decode(Mesh.self, from: Data(body.utf8))
        #expect(mesh.sqlName == "mesh_example")
        #expect(mesh.assignees == [Assignee(email: "admin@example.com", fullName: "Mesh Administrator", role: "Role")])
        #expect(mesh.entityInfo.contactIds == ["Mesh Support Contact"])
        #expect(mesh.state == .created)

        let json = String(decoding: try JSONEncoder().encode(mesh), as: UTF8.self)
        for key in ["\"full_name\"", "\"security_policy\"", "\"entity_info\"", "\"contact_ids\"", "\"is_system\"",
                    "\"created_at\"", "\"sql_name\"", "\"owner\":null"] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(try JSONDecoder().decode(Mesh.self, from: Data(json.utf8)) == mesh)
    }

    @Test("a product column knows its DataType")
    func columnType() {
        let column = ProductColumn(name: "price", dataType: .decimal(precision: 15, scale: 2), nativeType: "NUMERIC(15,2)")
        #expect(column.type == "numeric(15,2)")
        #expect(column.dataType == .decimal(precision: 15, scale: 2))
        #expect(ProductColumn(name: "x", type: "geometry").dataType == nil)
    }

    @Test("catalog timestamps format and parse with microseconds")
    func timestamps() throws {
        let date = try #require(CatalogTimestamp.parse("2025-04-10T13:30:27.416441Z"))
        #expect(CatalogTimestamp.format(date) == "2025-04-10T13:30:27.416441Z")
        #expect(CatalogTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        let now = CatalogTimestamp.normalized(Date())
        #expect(CatalogTimestamp.parse(CatalogTimestamp.format(now)) == now)
    }
}
