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
    ///
    /// Parameters (`$n`: the API's `params`, a PostgreSQL client's Bind) are slots too, after
    /// the literals: their sentinels are given as the parameters' values (integers or text,
    /// in the form the client sent), and a later run's values are converted to the type each
    /// took in the plan, as binding would.
    func cachedPlan(_ query: Query) async throws -> PlannedQuery {
        // Planning reads the catalog (on a cache miss, SQLite): off the pool. A plan from the
        // cache needs no catalog read and no hop.
        guard usesPlanCache, let shape = statementShape, shape.slots.count + parameters.count <= 1_000,
              let parameterKinds = Self.parameterKinds(parameters) else {
            return try await offThePool { try await self.plan(query) }
        }
        let generation = try catalog.metadataGeneration()
        let key = PlanCache.Key(org: org, principal: principal, currentMesh: currentMesh, pushdown: pushdownEnabled,
                                shape: shape.key + parameterKinds)
        let cache = engine.planCache
        switch cache.entry(key, generation: generation) {
        case .template(let t)?:
            // A number the binder would refuse (out of range) is planned, to say so.
            var values = shape.slots.compactMap(Self.value)
            for (p, type) in zip(parameters, t.parameterTypes) {
                guard let v = try? Binder.parameterValue(p, as: type) else { break }
                values.append(v)
            }
            guard values.count == t.sentinels.count else { return try await offThePool { try await self.plan(query) } }
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
        guard var aValues = Self.values(a), var bValues = Self.values(b),
              var realValues = Optional(shape.slots.compactMap(Self.value)), realValues.count == shape.slots.count else { return nil }
        // The parameters' sentinels, of the type each took in the real plan.
        let given = parameters
        var types: [DataType] = [], aParameters: [Literal] = [], bParameters: [Literal] = []
        for (i, p) in given.enumerated() {
            guard let type = real.parameterTypes[i + 1], let sa = Self.parameterSentinel(p, type, index: i, positive: true),
                  let sb = Self.parameterSentinel(p, type, index: 0, positive: false),
                  let va = try? Binder.parameterValue(sa, as: type), let vb = try? Binder.parameterValue(sb, as: type),
                  let vr = try? Binder.parameterValue(p, as: type) else { return nil }
            types.append(type)
            aParameters.append(sa)
            bParameters.append(sb)
            aValues.append(va)
            bValues.append(vb)
            realValues.append(vr)
        }
        guard Set(aValues).count == aValues.count else { return nil }
        defer { parameters = given }
        parameters = aParameters
        let planA = try await plan(try Self.singleQuery(shape.text(with: a.map(\.text))), now: now, foldable: Self.notReading(Set(aValues)))
        let factsA = auditFacts
        parameters = bParameters
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
                                  facts: factsA, sentinels: aValues, parameterTypes: types)
    }

    /// The kinds of the parameters' values, part of the cache's key (an integer and a string
    /// bind differently); nil when one cannot be a slot (NULL, a boolean, a typed value).
    static func parameterKinds(_ parameters: [Literal]) -> String? {
        guard !parameters.isEmpty else { return "" }
        var out = "\u{1}$"
        for p in parameters {
            switch p {
            case .integer(let s): out += Int32(s) != nil ? "i" : "l"
            case .string: out += "s"
            default: return nil
            }
        }
        return out
    }

    /// A sentinel for parameter `p` (in its form: integer or string) that converts to `type`
    /// as `p` does; nil for a type whose values are not slots here.
    private static func parameterSentinel(_ p: Literal, _ type: DataType, index: Int, positive: Bool) -> Literal? {
        // An integer literal is typed by its size (integer or bigint): the sentinel is as wide.
        let wide = if case .integer(let s) = p { Int32(s) == nil } else { type == .bigint }
        let number: String
        switch type {
        case .smallint: number = String(positive ? 20_000 + index : -20_000)
        case .integer, .bigint:
            number = wide ? String(positive ? 8_000_000_000_000_000_000 + Int64(index) : -7_000_000_000_000_000_000)
                : String(positive ? 1_900_000_000 + index : -1_800_000_000)
        case .text:
            guard case .string = p else { return nil }
            return .string(positive ? "\u{2}meshql sentinel \(index)" : "\u{2}meshql sentinel")
        default: return nil
        }
        switch p {
        case .integer: return .integer(number)
        case .string: return .string(number)
        default: return nil
        }
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
