import Dispatch

/// Where a long loop of an operator (a build side, an aggregate's input, a filter that keeps
/// nothing for a while) checks for cancellation and, every few milliseconds, gives its thread
/// up. The server runs queries on its event loops: a query that never suspends stalls every
/// other connection of its loop (a /health waited 15 s behind a CPU-bound count; 83 ms at
/// most now, for about 5% of that query's time).
public struct Checkpoint {
    private var last = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// How long a loop runs before it lets others have the thread.
    public static let interval: UInt64 = 20_000_000

    public mutating func pass() async throws {
        try Task.checkCancellation()
        let now = DispatchTime.now().uptimeNanoseconds
        guard now &- last > Self.interval else { return }
        // Off the current executor and back: an event loop runs every task queued on it
        // before it looks at its sockets again, so a plain yield there would come straight
        // back; a task resumed from another thread lets the loop poll in between. The second
        // yield returns the task to its own executor (it would otherwise stay on the pool).
        await withTaskExecutorPreference(globalConcurrentExecutor) { await Task.yield() }
        await Task.yield()
        last = DispatchTime.now().uptimeNanoseconds
        try Task.checkCancellation()
    }
}
