import Foundation

/// The threads that run blocking source work (libpq and sqlite3 calls), never Swift's
/// cooperative pool, which blocking C calls would starve.
///
/// Bounded: at most `limit` jobs run at once; the rest wait in order (first come, first
/// served). Threads are kept for reuse (a point query should not pay for a new thread) and
/// end after `keepAlive` idle.
///
/// A job that waits for another job to make progress — a producer blocked on a full
/// `BatchStream` until its reader takes a batch, a borrower waiting for a pooled connection —
/// does so through `blocking`, which gives its place up while it waits (as Java's
/// `ForkJoinPool.managedBlock` does). Otherwise a query whose reader waits on a job still
/// queued behind `limit` blocked producers would wait forever.
///
/// `@unchecked Sendable`: every mutable field is only touched under `condition`.
public final class SourceThreads: @unchecked Sendable {
    /// The process's pool. `MESHQL_SOURCE_THREADS` sets its limit (default 64: source work
    /// mostly waits on the network, so more jobs than cores should run).
    public static let shared = SourceThreads(
        limit: ProcessInfo.processInfo.environment["MESHQL_SOURCE_THREADS"].flatMap { Int($0) }.map { max(1, $0) } ?? 64)

    public let limit: Int
    private let keepAlive: TimeInterval
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    /// Jobs running and not inside `blocking`.
    private var running = 0
    /// Threads waiting for a job, and how many of them have been signalled already.
    private var idle = 0
    private var wakes = 0
    /// Threads alive, and those started that have not yet looked for a job.
    private var threads = 0
    private var starting = 0

    /// What a pool thread knows of itself: its pool (so `blocking` finds it, and on any other
    /// thread changes nothing) and the job handed to it (`runNext`). Kept in a pthread key:
    /// `Thread.threadDictionary` cost more than the hand-off saved.
    private final class Worker {
        unowned let pool: SourceThreads
        var handoff: (@Sendable () -> Void)?
        init(_ pool: SourceThreads) { self.pool = pool }
    }

    private static let workerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the calling thread is one of the pool's (tests of where work runs).
    public static var onSourceThread: Bool { currentWorker != nil }

    private static var currentWorker: Worker? {
        pthread_getspecific(workerKey).map { Unmanaged<Worker>.fromOpaque($0).takeUnretainedValue() }
    }

    public init(limit: Int, keepAlive: TimeInterval = 10) {
        self.limit = limit
        self.keepAlive = keepAlive
    }

    /// Queues `job`; it runs on a pool thread when fewer than `limit` jobs run.
    public func run(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        let spawn = wakeOrSpawnLocked()
        condition.unlock()
        if spawn { startThread() }
    }

    /// Like `run`, but on one of this pool's threads the job runs on that thread as soon as
    /// the current job returns, without waking another: a query handing its connection to the
    /// next one in line starts that one's work itself.
    public func runNext(_ job: @escaping @Sendable () -> Void) {
        if let worker = Self.currentWorker, worker.pool === self, worker.handoff == nil {
            worker.handoff = job
            return
        }
        run(job)
    }

    /// The job `runNext` left for this thread, taken.
    private static func takeHandoff() -> (@Sendable () -> Void)? {
        guard let worker = currentWorker, let job = worker.handoff else { return nil }
        worker.handoff = nil
        return job
    }

    /// Threads alive and jobs waiting to start (tests, metrics).
    public var counts: (threads: Int, running: Int, queued: Int) {
        condition.lock(); defer { condition.unlock() }
        return (threads, running, jobs.count - head)
    }

    /// Runs `body`, which waits on other jobs, without holding a place among the `limit`.
    /// On a thread that is not the pool's it just runs `body`.
    public static func blocking<T>(_ body: () throws -> T) rethrows -> T {
        guard let pool = currentWorker?.pool else { return try body() }
        // A job handed to this thread (`runNext`) must not wait for this one's wait: it may
        // hold what this one waits for (a connection's permit).
        if let next = takeHandoff() { pool.run(next) }
        pool.leave()
        defer { pool.reenter() }
        return try body()
    }

    // MARK: internals

    /// Wakes an idle thread for a queued job, or says a thread must be started. Under the lock.
    private func wakeOrSpawnLocked() -> Bool {
        guard head < jobs.count, running < limit else { return false }
        if idle > wakes {
            wakes += 1
            condition.signal()
            return false
        }
        // A thread on its way takes the job: no more than `limit` will run.
        guard running + starting < limit else { return false }
        threads += 1
        starting += 1
        return true
    }

    private func leave() {
        condition.lock()
        running -= 1
        let spawn = wakeOrSpawnLocked()
        condition.unlock()
        if spawn { startThread() }
    }

    /// Takes the place back at once: the job was running; making it wait for a place again
    /// could only slow its reader.
    private func reenter() {
        condition.lock()
        running += 1
        condition.unlock()
    }

    private func startThread() {
        let thread = Thread { [self] in
            let worker = Unmanaged.passRetained(Worker(self))
            pthread_setspecific(Self.workerKey, worker.toOpaque())
            defer {
                pthread_setspecific(Self.workerKey, nil)
                worker.release()
            }
            work()
        }
        thread.name = "meshql-source"
        // As a default thread's: planning runs here too (`BlockingTaskExecutor`), and binding a
        // long statement recurses deeply.
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func work() {
        condition.lock()
        starting -= 1
        while true {
            if head < jobs.count, running < limit {
                let job = jobs[head]
                head += 1
                if head > 256, head * 2 > jobs.count { jobs.removeFirst(head); head = 0 }
                running += 1
                condition.unlock()
                job()
                while let next = Self.takeHandoff() { next() }
                condition.lock()
                running -= 1
                continue
            }
            idle += 1
            let woken = condition.wait(until: Date().addingTimeInterval(keepAlive))
            idle -= 1
            if wakes > 0 { wakes -= 1 }
            if !woken, head >= jobs.count {
                threads -= 1
                condition.unlock()
                return
            }
        }
    }
}

/// Runs blocking work on a source thread and resumes the caller when it is done, so that
/// blocking C calls (libpq, sqlite3) never occupy a thread of Swift's cooperative pool.
public func onSourceThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        SourceThreads.shared.run { c.resume(with: Result { try body() }) }
    }
}

/// Runs a task's jobs on the source threads: async code that calls blocking code — catalog
/// reads and writes in SQLite — runs under `withTaskExecutorPreference(BlockingTaskExecutor.shared)`,
/// so it blocks neither Swift's cooperative pool nor a server's event loops.
public final class BlockingTaskExecutor: TaskExecutor {
    public static let shared = BlockingTaskExecutor()

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        SourceThreads.shared.run { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
