import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// A one-part name in a view (derived product) is a product of the view's own mesh, for
/// everyone who reads it: it used to resolve against the reader's current mesh (`USE`), so a
/// view read different data depending on who asked.
@Suite struct ViewMeshTests {
    @Test func oneNameMeansTheViewsOwnMesh() async throws {
        let dir = tempDirectory()
        try SQLiteDatabase(path: dir + "/a.db").execute("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1), (2), (3);")
        try SQLiteDatabase(path: dir + "/b.db").execute("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (10);")
        let engine = try Engine(catalogPath: dir + "/c.db")
        defer { engine.shutdown() }
        let s = engine.makeSession()
        for sql in ["CREATE MESH a", "CREATE MESH b",
                    "CREATE CONNECTOR ca FOR MESH a TYPE sqlite OPTIONS (path '\(dir)/a.db')",
                    "CREATE CONNECTOR cb FOR MESH b TYPE sqlite OPTIONS (path '\(dir)/b.db')",
                    "IMPORT DATA PRODUCTS FROM CONNECTOR ca", "IMPORT DATA PRODUCTS FROM CONNECTOR cb",
                    "USE a", "CREATE DATA PRODUCT a.v AS SELECT count(*) AS n FROM orders",
                    // Made from another current mesh: still a's orders.
                    "USE b", "CREATE DATA PRODUCT a.w AS SELECT count(*) AS n FROM orders"] {
            _ = try await s.execute(sql)
        }
        func n(_ sql: String) async throws -> String {
            guard case .rows(let r) = try await s.execute(sql) else { return "" }
            return try await r.collectRows().first?.first?.description ?? ""
        }
        for current in ["a", "b"] {
            _ = try await s.execute("USE \(current)")
            #expect(try await n("SELECT n FROM a.v") == "3", "USE \(current)")
            #expect(try await n("SELECT n FROM a.w") == "3", "USE \(current)")
            #expect(try await n("SELECT count(*) FROM orders") == (current == "a" ? "3" : "1"))
        }
    }
}
