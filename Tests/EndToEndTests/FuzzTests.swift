import Foundation
import MeshCore
import MeshEngine
import MeshTestSupport
import Testing

/// Seeded fuzzing in the suite: the golden and TPC-H statements mutated, and generated
/// expressions over the edge values of every type, run through parse, bind, plan and execute
/// against SQLite and PostgreSQL sources. Each must return rows or a SQL error: never crash,
/// hang, raise an internal error or show an internal name. (`meshql-fuzz` runs the same for
/// hours.)
@Suite("Fuzz")
struct FuzzTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var placement: E2EFixture.Placement
        var seed: UInt64
        var testDescription: String { "\(placement), seed \(seed)" }
    }

    static let statementsPerCase = 1_500

    /// One statement's verdict, with a minute's grace after the cancel: a statement past its
    /// 10 s is only `.slow` (too big for the data, as on any machine); beside the rest of the
    /// suite on two busy cores, one cancelled mid-work can take seconds more to unwind, and
    /// that must not count as a hang. One that ignores its cancel still fails.
    static func verdict(_ sql: String, on engine: Engine, principal: Principal? = nil) async -> FuzzVerdict {
        await FuzzVerdict.run(sql, on: engine, memoryLimit: 256 << 20, timeout: .seconds(10), grace: .seconds(60),
                              principal: principal)
    }

    /// The limits guard against a hang only: every statement that runs past its 10 s costs
    /// those 10 s, and a busy machine makes more of them do so.
    @Test(.timeLimit(.minutes(10)), arguments: [
        Case(placement: .init(shop: .sqlite, crm: .sqlite), seed: 0x5EED_0001),
        Case(placement: .init(shop: .postgres, crm: .postgres), seed: 0x5EED_0002),
    ])
    func statementsGiveRowsOrSQLErrors(_ c: Case) async throws {
        guard let engine = try await E2EFixture.engine(c.placement) else {
            print("SKIP (no PostgreSQL): fuzz")
            return
        }
        let corpus = SQLFuzzer.loadCorpus([E2EFixture.packageRoot + "/sql/tests"])
        #expect(corpus.count > 100)
        var fuzzer = SQLFuzzer(seed: c.seed, corpus: corpus,
                               tables: ["shop.orders", "shop.products", "crm.customers", "crm.countries"])
        var counts: [String: Int] = [:]
        for _ in 0..<Self.statementsPerCase {
            let sql = fuzzer.nextStatement()
            let verdict = await Self.verdict(sql, on: engine)
            counts[String(describing: verdict).prefix(8).description, default: 0] += 1
            if verdict.isFailure { Issue.record(Comment(rawValue: "\(verdict)\nSQL: \(sql)")) }
        }
        print("fuzz \(c): \(counts.sorted { $0.key < $1.key })")
    }

    /// The same under policies: guards in every plan, masks, row filters, a denied column.
    @Test(.timeLimit(.minutes(10)), arguments: [
        Case(placement: .init(shop: .sqlite, crm: .postgres), seed: 0x5EED_0003),
    ])
    func statementsUnderPoliciesGiveRowsOrSQLErrors(_ c: Case) async throws {
        guard let sql = try await E2EFixture.registrationSQL(c.placement) else {
            print("SKIP (no PostgreSQL): fuzz under policies")
            return
        }
        let engine = try Engine(catalogPath: tempDirectory() + "/catalog.db")
        defer { engine.shutdown() }
        let admin = engine.makeSession()
        for s in sql.split(separator: "\n").map(String.init) + PolicyAttackTests.policies {
            _ = try await admin.execute(String(s))
        }
        _ = try await admin.execute("MASK crm.customers.full_name USING show_first(full_name, 2) FOR ROLE analyst")
        _ = try await admin.execute("FILTER shop.orders USING status <> 'cancelled' FOR PUBLIC")
        let corpus = SQLFuzzer.loadCorpus([E2EFixture.packageRoot + "/sql/tests"])
        var fuzzer = SQLFuzzer(seed: c.seed, corpus: corpus,
                               tables: ["shop.orders", "shop.products", "crm.customers", "crm.countries"])
        var counts: [String: Int] = [:]
        for _ in 0..<(Self.statementsPerCase * 2 / 3) {
            let sql = fuzzer.nextStatement()
            let verdict = await Self.verdict(sql, on: engine, principal: PolicyAttackTests.analyst)
            counts[String(describing: verdict).prefix(8).description, default: 0] += 1
            if verdict.isFailure { Issue.record(Comment(rawValue: "\(verdict)\nSQL: \(sql)")) }
        }
        print("fuzz under policies \(c): \(counts.sorted { $0.key < $1.key })")
    }
}
