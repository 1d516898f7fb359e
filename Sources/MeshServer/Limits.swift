import Foundation
import Synchronization

/// A token bucket per API token: `rate` requests a second on average, bursts up to `burst`.
/// Over it a request is answered 429 with `Retry-After`.
final class RateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex<[UUID: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Nil when the request may go ahead, else the seconds to wait.
    func admit(_ token: UUID, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { b in
            var bucket = b[token] ?? (burst, now)
            let elapsed = Double((now - bucket.at) / .milliseconds(1)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.at = now
            defer { b[token] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

/// How many queries each org runs at once; over the maximum a query is refused (429) rather
/// than queued, so one org cannot take every source connection from the others.
final class OrgQuerySlots: Sendable {
    let maximum: Int
    private let running = Mutex<[String: Int]>([:])

    init(maximum: Int) { self.maximum = maximum }

    func take(_ org: String) -> Bool {
        running.withLock { r in
            guard r[org, default: 0] < maximum else { return false }
            r[org, default: 0] += 1
            return true
        }
    }

    func give(_ org: String) {
        running.withLock { r in r[org] = max(0, r[org, default: 1] - 1) }
    }
}
