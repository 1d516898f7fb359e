import Foundation
import MeshCore
import MeshEngine
import MeshSQL
import MeshTestSupport
import SQLiteDB
import Testing

/// The plan cache (`Session.cachedPlan`) may only ever give the rows a fresh plan gives. Every
/// golden query runs with its numbers changed, several times over — so the cache makes a
/// template on the second run and fills it in on the later ones — beside a session that plans
/// each statement afresh.
@Suite struct PlanCacheTests {
    func rowsOrError(_ s: Session, _ sql: String) async -> [String] {
        do {
            guard case .rows(let r) = try await s.execute(sql) else { return [] }
            return try await r.collectRows().map { $0.map(\.description).joined(separator: "|") }.sorted()
        } catch let e as MeshError {
            return ["error " + e.sqlState]
        } catch {
            return ["error \(error)"]
        }
    }

    /// The statement with each number changed: the same, +1, 0, then 2n+3.
    static func variants(_ sql: String) -> [String] {
        guard let shape = QueryShape(sql), !shape.slots.isEmpty else { return [sql, sql] }
        let changes: [(String) -> String] = [
            { $0 },
            { Self.shifted($0, by: 1) },
            { _ in "0" },
            { Self.shifted(Self.shifted($0, by: $0), by: 3) },
        ]
        return changes.map { change in shape.text(with: shape.slots.map { slot in
            if case .decimal = slot.class { return slot.text }   // kept: scale is part of the class
            return change(slot.text)
        }) }
    }

    static func shifted(_ text: String, by other: String) -> String {
        shifted(text, by: Int64(other) ?? 0)
    }

    static func shifted(_ text: String, by n: Int64) -> String {
        guard let v = Int64(text) else { return text }
        let (sum, overflow) = v.addingReportingOverflow(n)
        // Keep the class: a number that fitted 32 bits must still fit.
        if overflow || (Int32(exactly: v) != nil && Int32(exactly: sum) == nil) { return text }
        return String(sum)
    }

    /// The time limit only guards against a hang: every golden query is planned several
    /// times over, beside the rest of the suite on two cores.
    @Test(.timeLimit(.minutes(10)), arguments: [true, false])
    func goldenQueriesWithOtherNumbersGiveFreshPlansRows(_ pushdown: Bool) async throws {
        let placement = E2EFixture.Placement(shop: .sqlite, crm: .sqlite)
        let sql = try #require(try await E2EFixture.registrationSQL(placement))
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db")
        defer { engine.shutdown() }
        let setup = engine.makeSession()
        for statement in sql.split(separator: "\n") { _ = try await setup.execute(String(statement)) }
        let cached = engine.makeSession(), fresh = engine.makeSession()
        fresh.usesPlanCache = false
        cached.pushdownEnabled = pushdown
        fresh.pushdownEnabled = pushdown
        var compared = 0
        for file in try GoldenFiles.load() {
            for record in file.records {
                guard case .query = record.kind else { continue }
                for text in Self.variants(record.sql) {
                    let expected = await rowsOrError(fresh, text)
                    let got = await rowsOrError(cached, text)
                    #expect(got == expected, "\(record.whereText): \(text)")
                    compared += 1
                }
            }
        }
        #expect(compared > 100)
    }

    /// A small catalog over one SQLite file: mesh `m`, product `t` with ids 1…20.
    func makeEngine() async throws -> (Engine, Session) {
        let folder = tempDirectory()
        let db = try SQLiteDatabase(path: folder + "/m.db")
        try db.execute("CREATE TABLE t (id INTEGER, grp TEXT, amount NUMERIC(10,2), day DATE)")
        for i in 1...20 {
            try db.execute("INSERT INTO t VALUES (\(i), '\(i % 2 == 0 ? "even" : "odd")', \(i).25, '2024-01-\(String(format: "%02d", i))')")
        }
        let engine = try Engine(catalogPath: folder + "/catalog.db")
        let admin = engine.makeSession()
        for s in ["CREATE MESH m", "CREATE CONNECTOR m_src FOR MESH m TYPE sqlite OPTIONS (path '\(folder)/m.db')",
                  "IMPORT DATA PRODUCTS FROM CONNECTOR m_src"] {
            _ = try await admin.execute(s)
        }
        return (engine, admin)
    }

    @Test func numbersThatShapeThePlanAreNotSwappedIn() async throws {
        let (engine, s) = try await makeEngine()
        defer { engine.shutdown() }
        // LIMIT, OFFSET and ORDER BY positions are part of the plan, not values in it.
        for n in [2, 3, 1, 5] {
            #expect(await rowsOrError(s, "SELECT id FROM m.t ORDER BY 1 LIMIT \(n)").count == n)
            #expect(await rowsOrError(s, "SELECT id FROM m.t ORDER BY id OFFSET \(n)").count == 20 - n)
        }
        for (position, first) in [(1, "1|odd"), (2, "2|even"), (1, "1|odd"), (2, "2|even")] {
            let rows = await rowsOrError(s, "SELECT id, grp FROM m.t WHERE id <= 2 ORDER BY \(position) DESC")
            #expect(rows.contains(first))
        }
        // Numbers in filters, arithmetic and decimals.
        for n in [4, 7, 11, 0, -3] {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE id > \(n)") == ["\(min(20, max(0, 20 - n)))"])
            #expect(await rowsOrError(s, "SELECT id + \(n) FROM m.t WHERE id = 1") == ["\(1 + n)"])
        }
        for (x, count) in [("5.25", "5"), ("10.25", "10"), ("0.50", "0")] {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE amount <= \(x)") == [count])
        }
        // Comparisons of two numbers, and functions of one, fold to a constant in one plan
        // and not in another: never a template's.
        for (a, b, id, count) in [(5, 0, 5, "1"), (7, 3, 7, "1"), (0, 0, 0, "20"), (4, 4, 1, "20"), (9, 1, 2, "1")] {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE (\(a) = \(b) OR id = \(id))") == [count])
        }
        for (x, count) in [(0, "0"), (2, "0"), (1, "20"), (0, "0")] {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE 1 = \(x)") == [count])
        }
        for (x, count) in [(5, "20"), (6, "20"), (2, "0"), (9, "20")] {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE abs(\(x)) > 3") == [count])
        }
        // CURRENT_DATE is read when the statement is planned, never kept in a plan.
        for _ in 0..<3 {
            #expect(await rowsOrError(s, "SELECT count(*) FROM m.t WHERE day < current_date - 1") == ["20"])
        }
    }

    /// `$n` parameters are slots too: a prepared statement run with value after value is
    /// planned three times, then each run takes the template with its values converted as
    /// binding converts them (text '7' compared with an integer column is 7).
    @Test func parametersAreSlots() async throws {
        let (engine, s) = try await makeEngine()
        defer { engine.shutdown() }
        func run(_ sql: String, _ parameters: [Literal]) async -> [String] {
            s.parameters = parameters
            defer { s.parameters = [] }
            return await rowsOrError(s, sql)
        }
        let count = "SELECT count(*) FROM m.t WHERE id <= $1 AND grp <> $2"
        for n in [3, 8, 12, 20, 0, 5] {
            #expect(await run(count, [.integer(String(n)), .string("none")]) == ["\(n)"])
            #expect(await run(count, [.string(String(n)), .string("odd")]) == ["\(n / 2)"])
        }
        #expect(engine.planCacheHolds(principal: nil))
        // A value that does not convert is planned, and refused as binding refuses it.
        #expect(await run(count, [.string("x"), .string("odd")]) == ["error 22P02"])
        // Text shapes LIKE's plan: a pattern is not a slot.
        for (pattern, n) in [("od%", "10"), ("%en", "10"), ("e%", "10"), ("z%", "0")] {
            #expect(await run("SELECT count(*) FROM m.t WHERE grp LIKE $1", [.string(pattern)]) == [n])
        }
        // NULL is never a slot's value.
        #expect(await run(count, [.null, .string("odd")]) == ["0"])
        #expect(await run("SELECT id FROM m.t WHERE grp = $1 ORDER BY id LIMIT 2", [.string("even")]) == ["2", "4"])
        #expect(await run("SELECT id FROM m.t WHERE grp = $1 ORDER BY id LIMIT 2", [.string("odd")]) == ["1", "3"])
        #expect(await run("SELECT id FROM m.t WHERE grp = $1 ORDER BY id LIMIT 2", [.string("even")]) == ["2", "4"])
    }

    @Test func eachPrincipalGetsItsOwnPlanAndACatalogChangeEmptiesTheCache() async throws {
        let (engine, admin) = try await makeEngine()
        defer { engine.shutdown() }
        _ = try await admin.execute("GRANT SELECT ON m.t TO ROLE analyst")
        _ = try await admin.execute("FILTER m.t USING grp = 'even' FOR ROLE analyst")
        let ann = engine.makeSession()
        ann.principal = Principal(user: "ann@acme.test", roles: ["analyst"])
        // A user name that reads like another principal's roles must not share its plans.
        let mallory = engine.makeSession()
        mallory.principal = Principal(user: "ann@acme.test role analyst", roles: [])
        for n in [10, 12, 14, 16] {
            #expect(await rowsOrError(admin, "SELECT count(*) FROM m.t WHERE id <= \(n)") == ["\(n)"])
            #expect(await rowsOrError(ann, "SELECT count(*) FROM m.t WHERE id <= \(n)") == ["\(n / 2)"])
            #expect(await rowsOrError(mallory, "SELECT count(*) FROM m.t WHERE id <= \(n)") == ["error 42P01"])
        }
        // A policy that reads the clock: the plan holds the day it was made, so none is kept
        // (an expired grant must not live on in a cached plan).
        _ = try await admin.execute("FILTER m.t USING day < current_date FOR ROLE clerk")
        _ = try await admin.execute("GRANT SELECT ON m.t TO ROLE clerk")
        let clerk = engine.makeSession()
        clerk.principal = Principal(user: "cleo@acme.test", roles: ["clerk"])
        for n in [3, 4, 5] { #expect(await rowsOrError(clerk, "SELECT count(*) FROM m.t WHERE id <= \(n)") == ["\(n)"]) }
        for n in [3, 4, 5] { #expect(await rowsOrError(ann, "SELECT count(*) FROM m.t WHERE id <= \(n)") == ["\(n / 2)"]) }
        #expect(engine.planCacheHolds(principal: clerk.principal) == false)
        #expect(engine.planCacheHolds(principal: ann.principal) == true)
        _ = try await admin.execute("DROP POLICY 2 ON MESH m")
        #expect(await rowsOrError(ann, "SELECT count(*) FROM m.t WHERE id <= 18") == ["18"])
        _ = try await admin.execute("DROP DATA PRODUCT m.t")
        #expect(await rowsOrError(admin, "SELECT count(*) FROM m.t WHERE id <= 18") == ["error 42P01"])
    }
}
