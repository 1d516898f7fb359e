import MeshCore
import MeshEngine

extension FuzzVerdict {
    /// Runs one fuzzed statement in a fresh session of `engine` (with its own memory limit)
    /// and reads at most 100,000 of its rows: the fuzzing invariant judges how it ends, not
    /// how much it returns.
    /// With a `principal`, the statement runs as them: policies apply. `grace`: how long a
    /// cancelled statement may take to stop before it counts as a hang.
    public static func run(_ sql: String, on engine: Engine, memoryLimit: Int, timeout: Duration,
                           grace: Duration = .seconds(5), principal: Principal? = nil) async -> FuzzVerdict {
        let session = engine.makeSession()
        session.memoryLimit = memoryLimit
        session.principal = principal
        return await run(sql: sql, timeout: timeout, grace: grace) {
            guard case .rows(let r) = try await session.execute(sql) else { return }
            defer { r.close() }
            var rows = 0
            while let b = try await r.next() {
                rows += b.rowCount
                if rows > 100_000 { break }
            }
        }
    }
}
