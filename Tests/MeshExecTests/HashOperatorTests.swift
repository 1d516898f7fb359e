import MeshCore
@testable import MeshExec
import MeshPlan
import Testing

/// Hash join and hash aggregate against naive reference implementations, on random inputs
/// with NULL keys, duplicate keys, several key types and many small batches.
@Suite struct HashOperatorTests {
    /// A fixed generator so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let dec = DataType.decimal(precision: 12, scale: 2)
    /// a: int key, b: text key, c: decimal key, d: double key, v: int payload.
    static let types: [DataType] = [.bigint, .text, dec, .double, .bigint]

    static func randomRows(_ n: Int, domain: Int, nulls: Int, _ rng: inout Rng) -> [[Value]] {
        (0..<n).map { _ in
            func maybeNull(_ v: Value) -> Value { rng.below(100) < nulls ? .null : v }
            let k = rng.below(domain)
            return [
                maybeNull(.int(Int64(k))),
                maybeNull(.string("s\(rng.below(domain))")),
                maybeNull(.decimal(Int128(rng.below(domain)) * 25, scale: 2)),
                // -0.0 and 0.0 must join.
                maybeNull(.double(k == 0 && rng.below(2) == 0 ? -0.0 : Double(k) / 2)),
                .int(Int64(rng.below(1000))),
            ]
        }
    }

    /// Splits rows into batches of random sizes (including empty ones).
    static func batches(_ rows: [[Value]], _ rng: inout Rng, maxSize: Int = 40) -> [Batch] {
        var out: [Batch] = []
        var start = 0
        while start < rows.count {
            let n = min(rows.count - start, rng.below(maxSize + 1))
            out.append(Batch.fromRows(Array(rows[start..<(start + n)]), types: types))
            start += n
        }
        return out
    }

    static func fields(_ prefix: String) -> [Field] {
        ["a", "b", "c", "d", "v"].enumerated().map { Field(name: prefix + $0.element, type: types[$0.offset]) }
    }

    static func run(_ op: any PhysicalOperator) async throws -> [[Value]] {
        var rows: [[Value]] = []
        while let b = try await op.next() {
            #expect(b.columns.count == op.fields.count)
            for i in 0..<b.rowCount { rows.append(b.row(i)) }
        }
        return rows
    }

    static func sorted(_ rows: [[Value]]) -> [String] {
        rows.map { $0.map { $0.isNull ? "∅" : $0.description }.joined(separator: "|") }.sorted()
    }

    static func sqlEqual(_ x: Value, _ y: Value) -> Bool {
        if x.isNull || y.isNull { return false }
        if case .double(let p) = x, case .double(let q) = y { return p == q }
        return x == y
    }

    /// Nested-loop reference: equality on `keys` (pairs of left and right column positions),
    /// plus `l.v < r.v` when `residual`.
    static func reference(_ l: [[Value]], _ r: [[Value]], kind: PlanJoinKind, keys: [(Int, Int)],
                          residual: Bool) -> [[Value]] {
        let nulls = [Value](repeating: .null, count: types.count)
        var out: [[Value]] = []
        var rightMatched = [Bool](repeating: false, count: r.count)
        for x in l {
            var matched = false
            for (j, y) in r.enumerated() {
                guard keys.allSatisfy({ sqlEqual(x[$0.0], y[$0.1]) }) else { continue }
                if residual {
                    guard case .int(let p) = x[4], case .int(let q) = y[4], p < q else { continue }
                }
                out.append(x + y)
                matched = true
                rightMatched[j] = true
            }
            if !matched, kind == .left || kind == .full { out.append(x + nulls) }
        }
        if kind == .right || kind == .full {
            for (j, y) in r.enumerated() where !rightMatched[j] { out.append(nulls + y) }
        }
        return out
    }

    static func condition(keys: [(Int, Int)], residual: Bool) -> BoundExpr? {
        let w = types.count
        var parts = keys.map { k in
            BoundExpr(.comparison(.equal, .slot(k.0, types[k.0]), .slot(w + k.1, types[k.1])), type: .boolean)
        }
        if residual {
            parts.append(BoundExpr(.comparison(.less, .slot(4, .bigint), .slot(w + 4, .bigint)), type: .boolean))
        }
        return BoundExpr.conjunction(parts)
    }

    static let keySets: [[(Int, Int)]] = [[(0, 0)], [(1, 1)], [(2, 2)], [(3, 3)], [(0, 0), (1, 1)], [(3, 3), (2, 2), (0, 0)]]

    @Test(arguments: [PlanJoinKind.inner, .left, .right, .full])
    func joinMatchesNestedLoop(kind: PlanJoinKind) async throws {
        var rng = Rng(state: 42)
        for (s, keys) in Self.keySets.enumerated() {
            for residual in [false, true] {
                let domain = [3, 8, 25][s % 3]
                let l = Self.randomRows(150 + rng.below(100), domain: domain, nulls: 10, &rng)
                let r = Self.randomRows(100 + rng.below(100), domain: domain, nulls: 10, &rng)
                let op = try HashJoinOperator(
                    left: BatchSourceOperator(fields: Self.fields("l"), batches: Self.batches(l, &rng)),
                    right: BatchSourceOperator(fields: Self.fields("r"), batches: Self.batches(r, &rng)),
                    kind: kind, condition: Self.condition(keys: keys, residual: residual),
                    fields: Self.fields("l") + Self.fields("r"))
                let got = try await Self.run(op)
                let want = Self.reference(l, r, kind: kind, keys: keys, residual: residual)
                #expect(Self.sorted(got) == Self.sorted(want), "keys \(keys) residual \(residual)")
            }
        }
    }

    @Test(arguments: [PlanJoinKind.inner, .left, .right, .full])
    func joinWithEmptySides(kind: PlanJoinKind) async throws {
        var rng = Rng(state: 7)
        let rows = Self.randomRows(50, domain: 5, nulls: 20, &rng)
        for (l, r) in [(rows, [[Value]]()), ([], rows), ([], [])] {
            let op = try HashJoinOperator(
                left: BatchSourceOperator(fields: Self.fields("l"), batches: Self.batches(l, &rng)),
                right: BatchSourceOperator(fields: Self.fields("r"), batches: Self.batches(r, &rng)),
                kind: kind, condition: Self.condition(keys: [(0, 0)], residual: false),
                fields: Self.fields("l") + Self.fields("r"))
            let got = try await Self.run(op)
            #expect(Self.sorted(got) == Self.sorted(Self.reference(l, r, kind: kind, keys: [(0, 0)], residual: false)))
        }
    }

    /// Semi and anti joins keep left rows by whether a right row matches. An anti join on keys
    /// alone with a small left side is built on that side (`OuterBuiltAntiJoin`); past
    /// `maxOuterRows` it goes the usual way after reading that many left rows first. Either
    /// way the left rows come out in their order.
    @Test(arguments: [PlanJoinKind.semi, .anti])
    func semiAndAntiJoinsMatchReference(kind: PlanJoinKind) async throws {
        var rng = Rng(state: 23)
        let big = OuterBuiltAntiJoin.maxOuterRows + 500
        for (s, keys) in Self.keySets.enumerated() {
            for residual in [false, true] {
                for leftRows in [0, 180, s == 0 && !residual ? big : 90] {
                    let domain = [3, 8, 25, 300][leftRows == big ? 3 : s % 3]
                    let l = Self.randomRows(leftRows, domain: domain, nulls: 10, &rng)
                    let r = Self.randomRows(100 + rng.below(100), domain: domain, nulls: 10, &rng)
                    let op = try HashJoinOperator(
                        left: BatchSourceOperator(fields: Self.fields("l"),
                                                  batches: Self.batches(l, &rng, maxSize: leftRows == big ? 4096 : 40)),
                        right: BatchSourceOperator(fields: Self.fields("r"), batches: Self.batches(r, &rng)),
                        kind: kind, condition: Self.condition(keys: keys, residual: residual), fields: Self.fields("l"))
                    let got = try await Self.run(op)
                    let want = l.filter { x in
                        let matched = r.contains { y in
                            guard keys.allSatisfy({ Self.sqlEqual(x[$0.0], y[$0.1]) }) else { return false }
                            guard residual else { return true }
                            guard case .int(let p) = x[4], case .int(let q) = y[4] else { return false }
                            return p < q
                        }
                        return kind == .semi ? matched : !matched
                    }
                    #expect(Self.sorted(got) == Self.sorted(want), "keys \(keys) residual \(residual) left \(leftRows)")
                    #expect(got.map { Self.sorted([$0]) } == want.map { Self.sorted([$0]) }, "order")
                    let outerBuilt = kind == .anti && !residual && leftRows <= OuterBuiltAntiJoin.maxOuterRows
                    #expect(op.analyzeNotes.contains { $0.hasPrefix("built on the outer side") } == outerBuilt)
                }
            }
        }
    }

    /// Large enough for hash collisions and long duplicate runs; build rows of one key must come
    /// out in their original order for each probe row.
    @Test func largeJoinKeepsBuildOrderPerProbeRow() async throws {
        var rng = Rng(state: 99)
        let l = Self.randomRows(2500, domain: 1500, nulls: 2, &rng)
        let r = Self.randomRows(3000, domain: 1500, nulls: 2, &rng)
        let op = try HashJoinOperator(
            left: BatchSourceOperator(fields: Self.fields("l"), batches: Self.batches(l, &rng, maxSize: 4096)),
            right: BatchSourceOperator(fields: Self.fields("r"), batches: Self.batches(r, &rng, maxSize: 4096)),
            kind: .left, condition: Self.condition(keys: [(0, 0)], residual: false),
            fields: Self.fields("l") + Self.fields("r"))
        let got = try await Self.run(op)
        let want = Self.reference(l, r, kind: .left, keys: [(0, 0)], residual: false)
        #expect(Self.sorted(got) == Self.sorted(want))
        // Per left row (identified by all its values), the right rows in original order.
        func runs(_ rows: [[Value]]) -> [String: [String]] {
            var d: [String: [String]] = [:]
            for row in rows {
                d[Self.sorted([Array(row[0..<5])])[0], default: []].append(Self.sorted([Array(row[5...])])[0])
            }
            return d
        }
        #expect(runs(got) == runs(want))
    }

    @Test func groupedSumsMatchReference() async throws {
        var rng = Rng(state: 5)
        for domain in [1, 7, 3000] {
            let rows = Self.randomRows(9000, domain: domain, nulls: 15, &rng)
            let sumDec = DataType.decimal(precision: 38, scale: 2)
            let groups: [BoundExpr] = [.slot(0, .bigint), .slot(1, .text)]
            let aggs = [
                AggregateCall(function: .sum, arguments: [.slot(4, .bigint)], resultType: .bigint),
                AggregateCall(function: .sum, arguments: [.slot(2, Self.dec)], resultType: sumDec),
                AggregateCall(function: .countStar, arguments: [], resultType: .bigint),
                AggregateCall(function: .count, arguments: [.slot(2, Self.dec)], resultType: .bigint),
            ]
            let fields = [Field(name: "a", type: .bigint), Field(name: "b", type: .text),
                          Field(name: "s1", type: .bigint), Field(name: "s2", type: sumDec),
                          Field(name: "n", type: .bigint), Field(name: "nc", type: .bigint)]
            let op = try HashAggregateOperator(
                BatchSourceOperator(fields: Self.fields(""), batches: Self.batches(rows, &rng, maxSize: 5000)),
                groups: groups, aggregates: aggs, fields: fields)
            let got = try await Self.run(op)

            // NULL keys form one group, as in SQL.
            struct Acc { var s1: Int64 = 0; var s2: Int128 = 0; var n: Int64 = 0; var nc: Int64 = 0 }
            var ref: [[Value]: Acc] = [:]
            var order: [[Value]] = []
            for row in rows {
                let key = [row[0], row[1]]
                if ref[key] == nil { order.append(key) }
                var a = ref[key] ?? Acc()
                if case .int(let v) = row[4] { a.s1 += v }
                if case .decimal(let v, _) = row[2] { a.s2 += v; a.nc += 1 }
                a.n += 1
                ref[key] = a
            }
            let want: [[Value]] = order.map { key in
                let a = ref[key]!
                return key + [.int(a.s1), a.nc > 0 ? .decimal(a.s2, scale: 2) : .null, .int(a.n), .int(a.nc)]
            }
            // Groups come out in order of first appearance.
            #expect(got.map { Self.sorted([$0]) } == want.map { Self.sorted([$0]) }, "domain \(domain)")
        }
    }

    /// Integer keys spread far apart take the hashed table (the tests above mostly meet the
    /// dense one): same reference, all join kinds.
    @Test(arguments: [PlanJoinKind.inner, .left, .right, .full])
    func sparseIntegerKeysMatchNestedLoop(kind: PlanJoinKind) async throws {
        var rng = Rng(state: 77)
        func spread(_ rows: [[Value]]) -> [[Value]] {
            rows.map { row in
                var row = row
                if case .int(let k) = row[0] { row[0] = .int(k &* 1_000_000_007 &- 4_000_000_000_000) }
                return row
            }
        }
        for residual in [false, true] {
            let l = spread(Self.randomRows(300, domain: 40, nulls: 10, &rng))
            let r = spread(Self.randomRows(250, domain: 40, nulls: 10, &rng))
            let op = try HashJoinOperator(
                left: BatchSourceOperator(fields: Self.fields("l"), batches: Self.batches(l, &rng)),
                right: BatchSourceOperator(fields: Self.fields("r"), batches: Self.batches(r, &rng)),
                kind: kind, condition: Self.condition(keys: [(0, 0)], residual: residual),
                fields: Self.fields("l") + Self.fields("r"))
            let got = try await Self.run(op)
            let want = Self.reference(l, r, kind: kind, keys: [(0, 0)], residual: residual)
            #expect(Self.sorted(got) == Self.sorted(want), "residual \(residual)")
        }
    }

    /// Probe keys outside the dense table's range, extremes included, match nothing.
    @Test func denseTableIgnoresKeysOutsideItsRange() async throws {
        let build: [Int64] = [-3, -2, -1, 0, 1, 2, 2]
        let probe: [Int64] = [.min, .min + 1, -4, -3, 2, 3, .max, .max - 1, 0]
        let fields = [Field(name: "k", type: .bigint)]
        func batch(_ keys: [Int64]) -> [Batch] { [Batch(columns: [Column(type: .bigint, storage: .int(keys))])] }
        let op = try HashJoinOperator(
            left: BatchSourceOperator(fields: fields, batches: batch(probe)),
            right: BatchSourceOperator(fields: fields, batches: batch(build)),
            kind: .inner,
            condition: BoundExpr(.comparison(.equal, .slot(0, .bigint), .slot(1, .bigint)), type: .boolean),
            fields: fields + fields)
        let got = try await Self.run(op).map { $0.map(\.description).joined(separator: "|") }
        #expect(got.sorted() == ["-3|-3", "0|0", "2|2", "2|2"])
    }

    /// Every probe row shares its key with every build row: 2,048 × 1,500 = 3 M pairs from
    /// one probe batch, listed `hashPairs` at a time (all at once, a shared key of a million
    /// build rows took the machine's memory), pairs in the same order as before; the outer,
    /// semi and anti joins still see each row's match. Dense and hashed tables (a text key).
    @Test(arguments: [PlanJoinKind.inner, .full, .semi, .anti])
    func sharedKeyIsJoinedInBoundedSteps(kind: PlanJoinKind) async throws {
        let probeRows = 2048, buildRows = 1500
        for type in [DataType.bigint, .text] {
            let key: Value = type == .bigint ? .int(7) : .string("k")
            let fields = [Field(name: "k", type: type), Field(name: "v", type: .bigint)]
            func side(_ n: Int, nulls: Bool) -> [Batch] {
                let rows = (0..<n).map { i -> [Value] in [nulls && i % 1000 == 0 ? .null : key, .int(Int64(i))] }
                return [Batch.fromRows(rows, types: [type, .bigint])]
            }
            let op = try HashJoinOperator(
                left: BatchSourceOperator(fields: fields, batches: side(probeRows, nulls: true)),
                right: BatchSourceOperator(fields: fields, batches: side(buildRows, nulls: true)),
                kind: kind,
                condition: BoundExpr(.comparison(.equal, .slot(0, type), .slot(2, type)), type: .boolean),
                fields: kind.outputsRight ? fields + fields : fields)
            var count = 0
            var previous: (Int64, Int64) = (-1, -1)
            var ordered = true
            while let b = try await op.next() {
                #expect(b.rowCount <= HashJoinOperator.hashPairs + probeRows)
                count += b.rowCount
                guard kind == .inner, case .int(let l) = b.columns[1].storage,
                      case .int(let r) = b.columns[3].storage else { continue }
                for (x, y) in zip(l, r) {
                    if (x, y) <= previous { ordered = false }
                    previous = (x, y)
                }
            }
            let probeKeyed = probeRows - 3, buildKeyed = buildRows - 2
            switch kind {
            case .inner: #expect(count == probeKeyed * buildKeyed)
            case .full: #expect(count == probeKeyed * buildKeyed + 3 + 2)
            case .semi: #expect(count == probeKeyed)
            default: #expect(count == 3)
            }
            #expect(ordered, "probe rows in order, and per probe row build rows in build order")
        }
    }

    /// A build side big enough for the table to live in its own mapping (`TableMemory`), run
    /// twice so the second table reuses the first one's block, which must come back cleared;
    /// with dense keys and with keys spread far apart (the hashed table).
    @Test(arguments: [Int64(1), 1_000_003])
    func bigBuildSideMatchesCountsTwice(spread: Int64) async throws {
        let n = 200_000
        // Keys 0..<150_000 times `spread`; the first 50_000 have two build rows.
        let build = (0..<n).map { Int64($0 % 150_000) * spread }
        var rng = Rng(state: 11)
        let probe = (0..<n).map { _ in Int64(rng.below(300_000)) * spread }
        let fields = [Field(name: "k", type: .bigint)]
        func batches(_ keys: [Int64]) -> [Batch] {
            stride(from: 0, to: keys.count, by: 4096).map { start in
                let part = Array(keys[start..<min(keys.count, start + 4096)])
                return Batch(columns: [Column(type: .bigint, storage: .int(part))], rowCount: part.count)
            }
        }
        var want = 0
        for k in probe where k < 150_000 * spread { want += k < 50_000 * spread ? 2 : 1 }
        for _ in 0..<2 {
            let op = try HashJoinOperator(
                left: BatchSourceOperator(fields: fields, batches: batches(probe)),
                right: BatchSourceOperator(fields: fields, batches: batches(build)),
                kind: .inner,
                condition: BoundExpr(.comparison(.equal, .slot(0, .bigint), .slot(1, .bigint)), type: .boolean),
                fields: fields + fields)
            var got = 0
            while let b = try await op.next() {
                got += b.rowCount
                guard case .int(let l) = b.columns[0].storage, case .int(let r) = b.columns[1].storage else {
                    Issue.record("join output is not integers")
                    return
                }
                #expect(l == r)
            }
            #expect(got == want)
        }
    }
}

/// A probe input that records whether the join above asked it to start early.
final class RecordingProbe: PhysicalOperator {
    let inner: BatchSourceOperator
    private(set) var startedEarly = false
    init(_ inner: BatchSourceOperator) { self.inner = inner }
    var fields: [Field] { inner.fields }
    var rowsProduced: Int { inner.rowsProduced }
    var children: [any PhysicalOperator] { [] }
    func next() async throws -> Batch? { try await inner.next() }
    func close() { inner.close() }
    func startEarly() { startedEarly = true }
}

@Suite struct ProbeStartTests {
    static func side(keys: [Int64]) -> BatchSourceOperator {
        let fields = [Field(name: "k", type: .bigint)]
        let batches = stride(from: 0, to: keys.count, by: Batch.preferredSize).map { start in
            Batch.fromRows(keys[start..<min(keys.count, start + Batch.preferredSize)].map { [.int($0)] }, types: [.bigint])
        }
        return BatchSourceOperator(fields: fields, batches: batches)
    }

    func run(buildKeys: [Int64]) async throws -> (startedEarly: Bool, rows: Int) {
        let probe = RecordingProbe(Self.side(keys: [1, 2, 3]))
        let join = try HashJoinOperator(
            left: probe, right: Self.side(keys: buildKeys), kind: .inner,
            condition: BoundExpr(.comparison(.equal, .slot(0, .bigint), .slot(1, .bigint)), type: .boolean),
            fields: [Field(name: "k", type: .bigint), Field(name: "k", type: .bigint)])
        var rows = 0
        while let b = try await join.next() { rows += b.rowCount }
        return (probe.startedEarly, rows)
    }

    /// More distinct build keys than a dynamic filter carries: the probe need not wait.
    @Test func manyBuildKeysStartTheProbeEarly() async throws {
        let r = try await run(buildKeys: (0..<120_000).map { Int64($0) })
        #expect(r.startedEarly)
        #expect(r.rows == 3)
    }

    /// Many rows but few keys: the probe waits for its filter.
    @Test func fewBuildKeysKeepTheProbeWaiting() async throws {
        let r = try await run(buildKeys: (0..<120_000).map { Int64($0 % 1000) })
        #expect(!r.startedEarly)
        #expect(r.rows == 3 * 120)
    }
}
