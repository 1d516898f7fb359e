import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// Listings show a reader only what the reader may know (the tenancy issue, problem 4): no
/// policy text in the mesh API, no children links or counts for products and connectors the
/// reader cannot see, no source tables in SHOW DATA PRODUCTS. The mesh's managers see all.
@Suite struct ReaderListingTests {
    static func world() async throws -> Engine {
        try await engineOverSQLite("""
            CREATE TABLE open_t (id INTEGER, region TEXT); INSERT INTO open_t VALUES (1, 'EU');
            CREATE TABLE hidden_t (id INTEGER); INSERT INTO hidden_t VALUES (2);
            """, then: ["ALTER MESH m SET (owner = 'own@acme.test')",
                        "GRANT SELECT ON m.open_t TO ROLE analyst",
                        "FILTER m.open_t USING region = current_attr('region') FOR ROLE analyst",
                        "DENY SELECT ON m.hidden_t TO ROLE analyst"]).engine
    }

    static func rows(_ s: Session, _ sql: String) async throws -> [[String]] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows().map { $0.map(\.description) }
    }

    static func values(_ s: Session, _ sql: String) async throws -> [[Value]] {
        guard case .rows(let r) = try await s.execute(sql) else { return [] }
        return try await r.collectRows()
    }

    @Test func aReaderSeesNoPolicyTextNoSourcesAndOnlyItsProducts() async throws {
        let engine = try await Self.world()
        defer { engine.shutdown() }
        let reader = engine.makeSession()
        reader.principal = Principal(user: "ann@acme.test", roles: ["analyst"], attributes: ["region": "EU"])
        let owner = engine.makeSession()
        owner.principal = Principal(user: "own@acme.test")

        let mesh = try #require(try reader.visibleMeshes().first { $0.sqlName == "m" })
        #expect(reader.shownMesh(mesh).securityPolicy.isEmpty)
        #expect(owner.shownMesh(mesh).securityPolicy.count == 3)
        let openID = try #require(try engine.catalog.products(meshId: mesh.id, org: "default").first { $0.name == "open_t" }).id
        let readerChildren = try reader.meshChildren(mesh)
        #expect(readerChildren == ["urn:meshx:backend:data:mesh:\(mesh.id.uuidString.lowercased()):product:\(openID.uuidString.lowercased())"])
        #expect(try owner.meshChildren(mesh).count == 3)   // the connector and both products

        // The superuser stands for the managers here: SHOW DATA PRODUCTS lists what one may read.
        let op = engine.makeSession()
        #expect(try await Self.values(reader, "SHOW DATA PRODUCTS") == [[.string("m"), .string("open_t"), .null, .int(2), .null]])
        #expect(try await Self.rows(op, "SHOW DATA PRODUCTS").map { $0[2] }.sorted() == ["src.main.hidden_t", "src.main.open_t"])
        let readerMeshes = try await Self.values(reader, "SHOW MESHES").first { $0[0] == .string("m") }
        #expect(readerMeshes?[4] == .null && readerMeshes?[5] == .int(1), "\(readerMeshes ?? [])")
        let ownerMeshes = try await Self.values(owner, "SHOW MESHES").first { $0[0] == .string("m") }
        #expect(ownerMeshes?[4] == .int(1), "\(ownerMeshes ?? [])")
    }
}
