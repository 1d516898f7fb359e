import MeshCore
@testable import MeshExec
import MeshPlan
import Synchronization
import Testing

/// A join that sends its probe side no filter has the probe's first work done while it reads
/// its build side; one that filters its probe leaves the probe alone until the build is done.
@Suite struct PrepareBesideBuildTests {
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    /// Sets `flag` when asked to prepare, then passes everything to `inner`.
    final class Preparing: OperatorBase, PhysicalOperator {
        let inner: any PhysicalOperator
        let flag: Flag
        init(_ inner: any PhysicalOperator, _ flag: Flag) { self.inner = inner; self.flag = flag }
        var fields: [Field] { inner.fields }
        var children: [any PhysicalOperator] { [inner] }
        func next() async throws -> Batch? { try await inner.next() }
        func close() { inner.close() }
        func prepare() async throws { flag.set() }
    }

    /// Holds back its first batch until `flag` is set or `patience` runs out, and notes which.
    final class Waiting: OperatorBase, PhysicalOperator {
        let inner: any PhysicalOperator
        let flag: Flag
        let patience: Duration
        private(set) var sawFlag: Bool?
        init(_ inner: any PhysicalOperator, _ flag: Flag, patience: Duration) {
            self.inner = inner; self.flag = flag; self.patience = patience
        }
        var fields: [Field] { inner.fields }
        var children: [any PhysicalOperator] { [inner] }
        func next() async throws -> Batch? {
            if sawFlag == nil {
                let clock = ContinuousClock(), deadline = clock.now + patience
                while !flag.isSet, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                sawFlag = flag.isSet
            }
            return try await inner.next()
        }
        func close() { inner.close() }
    }

    static let fields = [Field(name: "k", type: .bigint)]
    static func source(_ keys: [Int64]) -> BatchSourceOperator {
        BatchSourceOperator(fields: fields, batches: [Batch.fromRows(keys.map { [.int($0)] }, types: [.bigint])])
    }

    func run(_ kind: PlanJoinKind, keys: Bool, patience: Duration) async throws -> (rows: Int, sawProbePrepared: Bool?) {
        let flag = Flag()
        let build = Waiting(Self.source([1, 2, 3]), flag, patience: patience)
        let condition = keys ? BoundExpr(.comparison(.equal, .slot(0, .bigint), .slot(1, .bigint)), type: .boolean) : nil
        let join = try HashJoinOperator(left: Preparing(Self.source([2, 3, 4, 5]), flag), right: build, kind: kind,
                                        condition: condition, fields: Self.fields + Self.fields)
        var rows = 0
        while let b = try await join.next() { rows += b.rowCount }
        return (rows, build.sawFlag)
    }

    @Test func aNestedLoopReadiesItsProbeWhileItBuilds() async throws {
        // The build side goes on only once the probe was asked to prepare: one at a time,
        // this would wait out its whole patience and see no flag.
        let r = try await run(.inner, keys: false, patience: .seconds(20))
        #expect(r.sawProbePrepared == true)
        #expect(r.rows == 12)
        let left = try await run(.left, keys: true, patience: .seconds(20))
        #expect(left.sawProbePrepared == true)
        #expect(left.rows == 4)
    }

    @Test func aFilteringJoinLeavesItsProbeAlone() async throws {
        let r = try await run(.inner, keys: true, patience: .milliseconds(200))
        #expect(r.sawProbePrepared == false)
        #expect(r.rows == 2)
    }
}
