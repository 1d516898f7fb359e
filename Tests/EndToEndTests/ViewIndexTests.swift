import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import SQLiteDB
import Testing

/// What each view reads is indexed when it is created (`lineage_edges`): DROP's dependency
/// check and the lineage API read the index instead of binding every view of the org per
/// request (the tenancy issue, problem 5: twelve levels of views made every lineage request
/// take 1.6 s), and views of an older catalog are indexed the first time they are needed.
@Suite struct ViewIndexTests {
    @Test func dependenciesAndLineageComeFromTheIndex() async throws {
        let (engine, folder) = try await engineOverSQLite("CREATE TABLE t (k INTEGER, v TEXT); INSERT INTO t VALUES (1, 'a');", then: [
            "CREATE DATA PRODUCT m.v1 AS SELECT k, v FROM m.t",
            "CREATE DATA PRODUCT m.v2 AS SELECT a.k FROM m.v1 a JOIN m.v1 b ON a.k = b.k",
            "CREATE DATA PRODUCT m.other AS SELECT 1 AS one",
        ])
        defer { engine.shutdown() }
        let s = engine.makeSession()
        func dropRefusal(_ sql: String) async -> String {
            do {
                _ = try await s.execute(sql)
                return "dropped"
            } catch let e as MeshError {
                return e.message
            } catch {
                return "\(error)"
            }
        }
        #expect(await dropRefusal("DROP DATA PRODUCT m.t") == "data product \"m.t\" is read by data products m.v1, m.v2")
        #expect(await dropRefusal("DROP DATA PRODUCT m.v1") == "data product \"m.v1\" is read by data product m.v2")
        let lineage = try s.productLineage("m.t")
        #expect(lineage.nodes.map(\.product) == ["m.t", "m.v1", "m.v2"])
        // An older catalog has no index: it is built when first needed, with the same answers.
        try SQLiteDatabase(path: folder + "/c.db").execute("DELETE FROM lineage_edges")
        let fresh = try Engine(catalogPath: folder + "/c.db")
        defer { fresh.shutdown() }
        let again = fresh.makeSession()
        do {
            _ = try await again.execute("DROP DATA PRODUCT m.t")
            Issue.record("dropped a product views read")
        } catch let e as MeshError {
            #expect(e.message == "data product \"m.t\" is read by data products m.v1, m.v2")
        }
        #expect(try again.productLineage("m.t").nodes.map(\.product) == ["m.t", "m.v1", "m.v2"])
        // Dropping with CASCADE takes the views and their index rows.
        _ = try await again.execute("DROP DATA PRODUCT m.t CASCADE")
        let count = try SQLiteDatabase(path: folder + "/c.db").prepare("SELECT count(*) FROM lineage_edges WHERE transform = 'reads'")
        #expect(try count.step() && count.int64(0) == 0)
    }
}
