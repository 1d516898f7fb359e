import Logging
import ServiceLifecycle

/// What `meshql serve` does on SIGTERM or SIGINT before its server stops: running queries get
/// `grace` to finish, then are cancelled (at their sources too), so that shutting down takes
/// about `grace`, not as long as the longest query.
struct QueryDrain: Service {
    let running: RunningQueries
    let grace: Duration
    let logger: Logger

    func run() async throws {
        // Off the event loops, which a CPU-bound query can keep busy past the grace period.
        try await withTaskExecutorPreference(globalConcurrentExecutor) {
            // Returns once a graceful shutdown starts (throws if the group is cancelled instead).
            do { try await gracefulShutdown() } catch { return }
            let deadline = ContinuousClock.now + grace
            while running.count > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            let cancelled = running.cancelAll()
            if cancelled > 0 { logger.notice("shutting down: cancelled \(cancelled) running queries") }
        }
    }
}
