import Foundation
import Synchronization

/// Keeps guessed tokens off the catalog: a secret found unknown once is refused from memory
/// afterwards, and each client address may fail authentication only so often (a burst of
/// `burst`, then `rate` a second); past that it is refused before any catalog read. Unknown
/// secrets used to be looked up in SQLite, under the store's lock, before any limit.
/// A real token cannot be in the negative cache: its 256 random bits were never guessed.
final class FailedAuthGuard: Sendable {
    let rate: Double
    let burst: Double
    /// Addresses and unknown hashes kept at most (both forgotten at once past it).
    static let capacity = 100_000
    private struct State {
        var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]
        var unknown: Set<String> = []
    }
    private let state = Mutex(State())

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Whether `address` may try to authenticate now (it has failures left).
    func mayTry(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in refill(&s, address, now).tokens >= 1 }
    }

    /// Whether the secret with this hash is known to be no token.
    func isKnownUnknown(_ hash: String) -> Bool {
        state.withLock { $0.unknown.contains(hash) }
    }

    /// Counts a failed authentication of `address`; `unknownHash`: the secret was no token.
    func failed(_ address: String, unknownHash: String?, now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            var bucket = refill(&s, address, now)
            bucket.tokens = max(0, bucket.tokens - 1)
            s.buckets[address] = bucket
            if let unknownHash {
                if s.unknown.count >= Self.capacity { s.unknown.removeAll() }
                s.unknown.insert(unknownHash)
            }
        }
    }

    private func refill(_ s: inout State, _ address: String, _ now: ContinuousClock.Instant) -> (tokens: Double, at: ContinuousClock.Instant) {
        if s.buckets.count >= Self.capacity, s.buckets[address] == nil { s.buckets.removeAll() }
        var bucket = s.buckets[address] ?? (burst, now)
        let elapsed = Double((now - bucket.at) / .milliseconds(1)) / 1000
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.at = now
        s.buckets[address] = bucket
        return bucket
    }
}
