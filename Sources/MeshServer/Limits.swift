import Foundation
import Synchronization

/// A token bucket per key: `rate` tokens a second refill each, up to `burst`. Per API token
/// it is the request rate limit (over it: 429 with `Retry-After`); per client address, the
/// failed authentications `FailedAuthGuard` allows. Past `capacity` keys all are forgotten at
/// once (an attacker's many addresses cannot grow it without bound).
final class TokenBuckets<Key: Hashable & Sendable>: Sendable {
    let rate: Double
    let burst: Double
    let capacity: Int
    private let buckets = Mutex<[Key: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(rate: Double, burst: Double, capacity: Int = .max) {
        self.rate = rate
        self.burst = burst
        self.capacity = capacity
    }

    /// Takes a token: nil when there was one, else the seconds to wait for one.
    func admit(_ key: Key, now: ContinuousClock.Instant = .now) -> Int? {
        update(key, now) { tokens in
            if tokens >= 1 {
                tokens -= 1
                return nil
            }
            return max(1, Int(((1 - tokens) / rate).rounded(.up)))
        }
    }

    /// Whether `key` has a token now (none is taken).
    func hasToken(_ key: Key, now: ContinuousClock.Instant = .now) -> Bool {
        update(key, now) { $0 >= 1 }
    }

    /// Spends a token of `key` whether or not it has one (down to none).
    func spend(_ key: Key, now: ContinuousClock.Instant = .now) {
        update(key, now) { $0 = max(0, $0 - 1) }
    }

    /// Refills `key`'s bucket for the time passed, then lets `body` read or change its tokens.
    private func update<T>(_ key: Key, _ now: ContinuousClock.Instant, _ body: (inout Double) -> T) -> T {
        buckets.withLock { b in
            if b.count >= capacity, b[key] == nil { b.removeAll() }
            var bucket = b[key] ?? (burst, now)
            let elapsed = Double((now - bucket.at) / .milliseconds(1)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.at = now
            defer { b[key] = bucket }
            return body(&bucket.tokens)
        }
    }
}

/// The request rate limit of each API token.
typealias RateLimiter = TokenBuckets<UUID>

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
