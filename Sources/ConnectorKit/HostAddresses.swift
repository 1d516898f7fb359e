import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The addresses a host name resolves to (numeric, as `getnameinfo` prints them), kept a
/// minute: a query's sources are checked each time it is planned.
public enum HostAddresses {
    private static let cache = Mutex<[String: (addresses: Set<String>, at: ContinuousClock.Instant)]>([:])
    static let keep: Duration = .seconds(60)

    public static func of(_ host: String) -> Set<String> {
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[host] }), now - hit.at < keep { return hit.addresses }
        let found = resolve(host)
        cache.withLock { c in
            if c.count > 10_000 { c.removeAll() }
            c[host] = (found, now)
        }
        return found
    }

    private static func resolve(_ host: String) -> Set<String> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out = Set<String>()
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(a.pointee.ai_addr, a.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.insert(String(cString: buffer))
            }
            p = a.pointee.ai_next
        }
        return out
    }
}
