import Foundation
import MeshCore
import MeshExec
import MeshPlan

/// Probe throughput of a local hash join followed by a grouped SUM:
///
///     SELECT p.grp, SUM(p.amount)
///     FROM probe p JOIN build b ON p.key = b.key
///     GROUP BY p.grp
///
/// The plan is a `LogicalPlan` over two in-memory products, column-pruned by the optimizer's
/// `ColumnPruning` rule as the engine would for the SQL above; its scans become
/// `BatchSourceOperator`s and its join and aggregate the executor's `HashJoinOperator` and
/// `HashAggregateOperator`. Inputs are generated before the clock starts; the timed part is
/// building the operators and draining the aggregate (hash table build, probe, SUM).
///
/// Two key layouts run: build keys 0..<rows (the specified benchmark; the join uses its
/// dense table), and the same keys times a large odd number, which the join must hash.
struct JoinBench {
    let rows: Int
    let runs: Int
    static let groups = 1000
    static let seed: UInt64 = 0x5EED_2026
    /// Multiplier of the spread layout: keys far apart, no dense range.
    static let spread: Int64 = 1_000_003

    struct Result {
        var name: String
        var rows: Int
        var seconds: [Double]
        var plan: [String]
        var groupsOut: Int
        var medianSeconds: Double { median(seconds) }
        var probeRowsPerSecond: Double { Double(rows) / medianSeconds }
    }

    static let buildFields = [Field(name: "key", type: .bigint, nullable: false),
                              Field(name: "val", type: .bigint, nullable: false)]
    static let amountType = DataType.decimal(precision: 12, scale: 2)
    static let probeFields = [Field(name: "key", type: .bigint, nullable: false),
                              Field(name: "grp", type: .bigint, nullable: false),
                              Field(name: "amount", type: amountType, nullable: false)]

    func run() async throws -> [Result] {
        // The optimizer's column pruning, as for the SQL above: the build side reads only `key`.
        let plan = try Optimizer(rules: [ColumnPruning()]).optimize(Self.plan()).0
        let planText = PlanPrinter.render(plan)
        var results: [Result] = []
        for (name, factor) in [("keys 0..<\(rows)", Int64(1)), ("keys 0..<\(rows) x \(Self.spread)", Self.spread)] {
            print("Hash join, \(name): generating \(rows) build and \(rows) probe rows (seed \(String(Self.seed, radix: 16)))…")
            let (build, probe, expectedTotal) = generate(keyFactor: factor)
            var times: [Double] = []
            var groupsOut = 0
            // One untimed warm-up run, then the timed ones.
            for i in 0...runs {
                let t0 = now()
                let op = try Self.operators(plan, inputs: ["bench.probe": probe, "bench.build": build])
                var out: [Batch] = []
                while let b = try await op.next() { out.append(b) }
                let t = now() - t0
                groupsOut = try Self.check(out, expectedTotal: expectedTotal)
                if i == 0 {
                    print(String(format: "  warm-up  %@", ms(t)))
                } else {
                    times.append(t)
                    print(String(format: "  run %d    %@   %@ probe rows/s", i, ms(t), rate(Double(rows) / t)))
                }
            }
            print("")
            results.append(Result(name: name, rows: rows, seconds: times, plan: planText, groupsOut: groupsOut))
        }
        return results
    }

    /// SplitMix64: a fixed, fast generator so every run and every machine sees the same data.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Build: key 0..<rows, val = key * 7 mod 1000003. Probe: key uniform in 0..<rows (so every
    /// probe row matches exactly one build row), grp uniform in 0..<1000, amount uniform in
    /// 0.00..<1000.00. Keys of both sides are then multiplied by `keyFactor`. Returns the
    /// expected grand total of amount (scaled).
    func generate(keyFactor: Int64) -> (build: [Batch], probe: [Batch], total: Int128) {
        var rng = SplitMix64(state: Self.seed)
        var build: [Batch] = [], probe: [Batch] = []
        var total: Int128 = 0
        var start = 0
        while start < rows {
            let n = min(Batch.preferredSize, rows - start)
            let keys = (start..<(start + n)).map { Int64($0) }
            build.append(Batch(columns: [Column(type: .bigint, storage: .int(keys.map { $0 &* keyFactor })),
                                         Column(type: .bigint, storage: .int(keys.map { $0 &* 7 % 1_000_003 }))],
                               rowCount: n))
            var pk = [Int64](), pg = [Int64](), pa = [Int128]()
            pk.reserveCapacity(n); pg.reserveCapacity(n); pa.reserveCapacity(n)
            for _ in 0..<n {
                pk.append(Int64(rng.next(below: rows)) &* keyFactor)
                pg.append(Int64(rng.next(below: Self.groups)))
                let a = Int128(rng.next(below: 100_000))
                pa.append(a)
                total += a
            }
            probe.append(Batch(columns: [Column(type: .bigint, storage: .int(pk)),
                                         Column(type: .bigint, storage: .int(pg)),
                                         Column(type: Self.amountType, storage: .decimal(pa))],
                               rowCount: n))
            start += n
        }
        return (build, probe, total)
    }

    /// `Aggregate(grp; sum(amount)) ← Join(probe.key = build.key) ← Scan probe, Scan build`.
    static func plan() -> LogicalPlan {
        func scan(_ name: String, _ fields: [Field]) -> ProductScan {
            ProductScan(productName: "bench." + name, connectorID: "memory", connectorName: "memory",
                        remoteSchema: nil, remoteTable: name, fields: fields,
                        remoteColumns: fields.map(\.name)).withFreshIDs()
        }
        let probe = scan("probe", probeFields), build = scan("build", buildFields)
        let p = probe.columns, b = build.columns
        let condition = BoundExpr(.comparison(.equal, p[0].ref, b[0].ref), type: .boolean)
        let join = LogicalPlan.join(.scan(probe), .scan(build), .inner, condition)
        let sumType = TypeRules.aggregate(.sum, amountType) ?? .decimal(precision: 38, scale: 2)
        let sum = AggregateCall(function: .sum, arguments: [p[2].ref], resultType: sumType)
        return .aggregate(join, groups: [p[1].ref], aggregates: [sum],
                          [.fresh("grp", .bigint, nullable: false), .fresh("sum", sumType)])
    }

    /// The executor's operators for the plan; scans read the given in-memory batches.
    static func operators(_ plan: LogicalPlan, inputs: [String: [Batch]]) throws -> any PhysicalOperator {
        switch plan {
        case .scan(let s):
            // The scan's columns (pruned by the optimizer) out of the generated ones.
            let all = s.productName == "bench.probe" ? probeFields : buildFields
            let picks = try s.remoteColumns.map { name in
                guard let j = all.firstIndex(where: { $0.name == name }) else {
                    throw MeshError(.internalError, "join benchmark: no column \(name)")
                }
                return j
            }
            let batches = (inputs[s.productName] ?? []).map { b in
                Batch(columns: picks.map { b.columns[$0] }, rowCount: b.rowCount)
            }
            return BatchSourceOperator(fields: s.fields, batches: batches)
        case .join(let l, let r, let kind, let condition):
            let layout = (l.columns + r.columns).layout
            return try HashJoinOperator(left: try operators(l, inputs: inputs), right: try operators(r, inputs: inputs),
                                        kind: kind, condition: try condition?.slotted(layout), fields: plan.fields)
        case .aggregate(let c, let groups, let aggregates, let columns):
            let layout = c.columns.layout
            let slotted = try aggregates.map { a -> AggregateCall in
                var a = a
                a.arguments = try a.arguments.map { try $0.slotted(layout) }
                return a
            }
            return try HashAggregateOperator(try operators(c, inputs: inputs), groups: try groups.map { try $0.slotted(layout) },
                                             aggregates: slotted, fields: columns.fields)
        default:
            throw MeshError(.internalError, "the join benchmark plan has an unexpected node")
        }
    }

    /// Every probe row matches exactly one build row, so the groups' sums add up to the total
    /// of all amounts. Returns the number of groups.
    static func check(_ out: [Batch], expectedTotal: Int128) throws -> Int {
        var total: Int128 = 0
        var groups = 0
        for b in out {
            groups += b.rowCount
            guard case .decimal(let sums) = b.columns[1].storage else {
                throw MeshError(.internalError, "join benchmark: SUM did not return decimals")
            }
            total += sums.reduce(0, +)
        }
        guard total == expectedTotal, groups == min(Self.groups, groups) else {
            throw MeshError(.internalError, "join benchmark: wrong result (\(groups) groups)")
        }
        return groups
    }
}
