import Foundation
import MeshCore
import MeshPlan
import MeshSQL

extension Session {
    /// The plan of `query`, from the engine's plan cache when a statement of its shape (its
    /// text with other numbers, `QueryShape`) was planned before for the same principal, org,
    /// mesh and settings, under the same catalog.
    ///
    /// The second time a shape comes, it is planned three times: as written, and twice with
    /// sentinel numbers in its slots — distinct large positive ones, then one large negative
    /// one for all — with CURRENT_DATE a day apart, and without folding any constant
    /// expression a sentinel is part of. The plan is kept only if every sentinel is still in
    /// it and all three plans are the same once the sentinels are swapped for each other's
    /// values and for the real ones: then the plan depends on the slots only through their
    /// values, which are swapped in on each later use. Anything else — a number used as a
    /// LIMIT or an ORDER BY position, compared or folded with another constant, written into
    /// SQL text — makes the plans differ, and so does a plan that read the clock (in the
    /// query, a view or a policy): such shapes are planned afresh each time.
    func cachedPlan(_ query: Query) async throws -> PlannedQuery {
        // Planning reads the catalog (on a cache miss, SQLite): off the pool. A plan from the
        // cache needs no catalog read and no hop.
        // Parameters' values are bound into the plan, and are not part of the shape.
        guard usesPlanCache, parameters.isEmpty, let shape = statementShape, shape.slots.count <= 1_000 else {
            return try await offThePool { try await self.plan(query) }
        }
        let generation = try catalog.metadataGeneration()
        let key = PlanCache.Key(org: org, principal: principal, currentMesh: currentMesh, pushdown: pushdownEnabled, shape: shape.key)
        let cache = engine.planCache
        switch cache.entry(key, generation: generation) {
        case .template(let t)?:
            // A number the binder would refuse (out of range) is planned, to say so.
            let values = shape.slots.compactMap(Self.value)
            guard values.count == shape.slots.count else { return try await offThePool { try await self.plan(query) } }
            let map = Dictionary(zip(t.sentinels, values), uniquingKeysWith: { a, _ in a })
            auditFacts = t.facts
            return PlannedQuery(plan: t.plan.mappingLiteralValues { map[$0] }, connectors: t.connectors, rulesApplied: t.rulesApplied)
        case .uncacheable?:
            return try await offThePool { try await self.plan(query) }
        case nil:
            let planned = try await offThePool { try await self.plan(query) }
            cache.store(key, planned.readsClock ? .uncacheable : .seen, generation: generation)
            return planned
        case .seen?:
            return try await offThePool {
                let now = Date()
                let planned = try await self.plan(query, now: now)
                let facts = self.auditFacts
                let template = planned.readsClock ? nil : try? await self.template(shape, matching: planned, now: now)
                self.auditFacts = facts
                cache.store(key, template.map { .template($0) } ?? .uncacheable, generation: generation)
                return planned
            }
        }
    }

    /// A template for `shape` (see `cachedPlan`), or nil when its plan depends on more than
    /// its slots' values.
    private func template(_ shape: QueryShape, matching real: PlannedQuery, now: Date) async throws -> PlanCache.Template? {
        let a = shape.slots.enumerated().map { Self.sentinel($0.element.class, index: $0.offset, positive: true) }
        let b = shape.slots.map { Self.sentinel($0.class, index: 0, positive: false) }
        guard let aValues = Self.values(a), let bValues = Self.values(b), Set(aValues).count == aValues.count,
              let realValues = Optional(shape.slots.compactMap(Self.value)), realValues.count == shape.slots.count else { return nil }
        let planA = try await plan(try Self.singleQuery(shape.text(with: a.map(\.text))), now: now, foldable: Self.notReading(Set(aValues)))
        let factsA = auditFacts
        let planB = try await plan(try Self.singleQuery(shape.text(with: b.map(\.text))), now: now.addingTimeInterval(86_401.5),
                                   foldable: Self.notReading(Set(bValues)))
        guard !planA.readsClock, !planB.readsClock else { return nil }
        // Every slot still there: none was folded away (a comparison of two literals).
        var seen = Set<Value>()
        _ = planA.plan.mappingLiteralValues { v in seen.insert(v); return nil }
        guard Set(aValues).isSubset(of: seen) else { return nil }
        let toB = Dictionary(zip(aValues, bValues), uniquingKeysWith: { x, _ in x })
        let toReal = Dictionary(zip(aValues, realValues), uniquingKeysWith: { x, _ in x })
        guard planA.plan.mappingLiteralValues({ toB[$0] }).canonicalColumnIDs() == planB.plan.canonicalColumnIDs(),
              planA.plan.mappingLiteralValues({ toReal[$0] }).canonicalColumnIDs() == real.plan.canonicalColumnIDs()
        else { return nil }
        return PlanCache.Template(plan: planA.plan, connectors: planA.connectors, rulesApplied: planA.rulesApplied,
                                  facts: factsA, sentinels: aValues)
    }

    /// Folds only constant expressions that read none of `sentinels`.
    private static func notReading(_ sentinels: Set<Value>) -> @Sendable (BoundExpr) -> Bool {
        { e in
            func reads(_ x: BoundExpr) -> Bool {
                if case .literal(let v) = x.kind { return sentinels.contains(v) }
                return x.children.contains(where: reads)
            }
            return !reads(e)
        }
    }

    /// The one query of `text`.
    private static func singleQuery(_ text: String) throws -> Query {
        let statements = try Parser.parseStatements(text)
        guard statements.count == 1, case .query(let q) = statements[0].statement else {
            throw MeshError(.internalError, "a sentinel statement is not one query")
        }
        return q
    }

    /// A sentinel literal of `class`: text to write into the statement, and the value the
    /// binder makes of it. Far from everyday numbers, one per slot; the negative ones in
    /// parentheses (`- -1` would start a comment).
    private static func sentinel(_ c: QueryShape.Slot.Class, index: Int, positive: Bool) -> (text: String, value: Value?) {
        let digits: String
        switch c {
        case .int32: digits = String((positive ? 1_900_000_000 : 1_800_000_000) + index)
        case .int64: digits = String((positive ? 8_000_000_000_000_000_000 : 7_000_000_000_000_000_000) + Int64(index))
        case .decimal(let scale):
            digits = String((positive ? 190_000_000 : 180_000_000) + index) + "." + String(repeating: positive ? "7" : "3", count: scale)
        }
        let signed = positive ? digits : "-" + digits
        return (positive ? digits : "(" + signed + ")", value(c, signed))
    }

    private static func values(_ sentinels: [(text: String, value: Value?)]) -> [Value]? {
        let vs = sentinels.compactMap(\.value)
        return vs.count == sentinels.count ? vs : nil
    }

    /// The value the binder makes of a slot's literal (`Binder.bindLiteral`); nil for one it
    /// would refuse.
    static func value(_ slot: QueryShape.Slot) -> Value? {
        value(slot.class, slot.text)
    }

    private static func value(_ c: QueryShape.Slot.Class, _ text: String) -> Value? {
        switch c {
        case .int32, .int64: Int64(text).map { .int($0) }
        case .decimal(let scale): Decimal128.parse(text, scale: scale).map { .decimal($0, scale: scale) }
        }
    }
}
