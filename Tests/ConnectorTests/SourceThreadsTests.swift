import ConnectorKit
import Foundation
import Synchronization
import Testing

@Suite struct SourceThreadsTests {
    @Test func runsAtMostLimitJobsAtOnceAndReusesThreads() async throws {
        let pool = SourceThreads(limit: 3, keepAlive: 5)
        let running = Atomic<Int>(0), most = Atomic<Int>(0)
        let done = DispatchGroup()
        for _ in 0..<30 {
            done.enter()
            pool.run {
                let now = running.add(1, ordering: .relaxed).newValue
                _ = most.max(now, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.005)
                running.subtract(1, ordering: .relaxed)
                done.leave()
            }
        }
        done.wait()
        #expect(most.load(ordering: .relaxed) <= 3)
        // Threads are reused, not one per job. A few more than the limit may be alive: a job
        // queued while every idle thread has been woken, but none has taken its job yet,
        // starts a thread of its own (the limit bounds jobs running, `most`, not threads; seen
        // 5 on a loaded machine).
        #expect(pool.counts.threads <= 2 * 3)
    }

    /// With one place, a job that waits (through `blocking`) for a job queued after it still
    /// finishes: the waiting job gives its place up.
    @Test func aBlockedJobLetsTheNextOneRun() async throws {
        let pool = SourceThreads(limit: 1, keepAlive: 5)
        let handOff = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        pool.run {
            let answered = SourceThreads.blocking { handOff.wait(timeout: .now() + 10) == .success }
            #expect(answered)
            finished.signal()
        }
        pool.run { handOff.signal() }
        #expect(finished.wait(timeout: .now() + 10) == .success)
    }
}
