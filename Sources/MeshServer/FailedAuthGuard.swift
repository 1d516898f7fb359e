import Foundation
import Synchronization

/// Keeps guessed tokens off the catalog: a secret found unknown once is refused from memory
/// afterwards, and each client address may fail authentication only so often (a burst of
/// `burst`, then `rate` a second); past that it is refused before any catalog read. Unknown
/// secrets used to be looked up in SQLite, under the store's lock, before any limit.
/// A real token cannot be in the negative cache: its 256 random bits were never guessed.
final class FailedAuthGuard: Sendable {
    /// Addresses and unknown hashes kept at most (each set forgotten at once past it).
    static let capacity = 100_000
    private let failures: TokenBuckets<String>
    private let unknown = Mutex(Set<String>())

    init(rate: Double, burst: Double) {
        failures = TokenBuckets(rate: rate, burst: burst, capacity: Self.capacity)
    }

    /// Whether `address` may try to authenticate now (it has failures left).
    func mayTry(_ address: String) -> Bool { failures.hasToken(address) }

    /// Whether the secret with this hash is known to be no token.
    func isKnownUnknown(_ hash: String) -> Bool {
        unknown.withLock { $0.contains(hash) }
    }

    /// Counts a failed authentication of `address`; `unknownHash`: the secret was no token.
    func failed(_ address: String, unknownHash: String?) {
        failures.spend(address)
        guard let unknownHash else { return }
        unknown.withLock { u in
            if u.count >= Self.capacity { u.removeAll() }
            u.insert(unknownHash)
        }
    }
}
