import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives many keep-alive HTTP/1.1 connections from a few threads, as pgbench drives its
/// clients (`-c` connections over `-j` threads): each thread polls its connections and sends
/// a connection's next request as soon as its answer is in. A thread per connection would
/// spend more of the machine on its own wake-ups than pgbench's client does, and the two
/// figures are compared.
struct LoadDriver {
    let port: Int
    let connections: Int
    let threads: Int
    /// The request body of each request (called per request, on the driving thread).
    let body: @Sendable () -> String
    let path: String
    let headers: [String: String]

    struct Outcome {
        var requests: Int, errors: Int, throughput: Double, p50: Double, p99: Double
    }

    func run(seconds: Double) -> Outcome {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let results = LockedResults()
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        let perThread = (0..<threads).map { t in connections / threads + (t < connections % threads ? 1 : 0) }
        for count in perThread where count > 0 {
            group.enter()
            let worker = Thread { [self] in
                let (latencies, errors) = drive(count, until: deadline)
                results.add(latencies, errors)
                group.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (all, errors) = results.take()
        let sorted = all.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Outcome(requests: sorted.count + errors, errors: errors, throughput: Double(sorted.count) / elapsed,
                       p50: pct(0.5), p99: pct(0.99))
    }

    /// One connection's state.
    private final class Connection {
        var fd: Int32 = -1
        var outgoing: [UInt8] = []
        var sent = 0
        var incoming: [UInt8] = []
        var startedAt: UInt64 = 0
    }

    /// Runs `count` connections on this thread until `deadline`; the latencies (ms) of the
    /// answers with status 200, and how many others there were. Waits with epoll, so a
    /// wake-up costs what is ready, not every connection (as poll's would).
    private func drive(_ count: Int, until deadline: UInt64) -> ([Double], Int) {
        var latencies: [Double] = []
        var errors = 0
        let poller = Epoll()
        var conns: [Int32: Connection] = [:]
        func start(_ c: Connection) {
            open(c)
            conns[c.fd] = c
            poller.watch(c.fd)
            send(next: c)
        }
        func restart(_ c: Connection) {
            conns[c.fd] = nil
            Glibc.close(c.fd)   // closing also drops it from the epoll set
            start(c)
        }
        for _ in 0..<count { start(Connection()) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            for fd in poller.wait(max: count, timeoutMilliseconds: 100) {
                guard let c = conns[fd] else { continue }
                let n = chunk.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { errors += 1; restart(c); continue }
                c.incoming += chunk[0..<n]
                guard let (status, used, _, close) = Self.response(c.incoming) else { continue }
                if status == 200 {
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - c.startedAt) / 1e6)
                } else {
                    errors += 1
                }
                c.incoming.removeFirst(used)
                if close { restart(c) } else { send(next: c) }
            }
        }
        for c in conns.values { Glibc.close(c.fd) }
        return (latencies, errors)
    }

    private func open(_ c: Connection) {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        c.fd = s
        c.incoming = []
    }

    private func reconnect(_ c: Connection) {
        if c.fd >= 0 { Glibc.close(c.fd) }
        open(c)
        send(next: c)
    }

    /// An HTTP/1.1 POST of a JSON body, as bytes.
    static func post(_ path: String, headers: [String: String], body: String) -> [UInt8] {
        var request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return Array(request.utf8)
    }

    private func send(next c: Connection) {
        c.outgoing = Self.post(path, headers: headers, body: body())
        c.sent = 0
        c.startedAt = DispatchTime.now().uptimeNanoseconds
        // A small request fits the socket's buffer: a blocking send returns at once.
        while c.sent < c.outgoing.count {
            let n = c.outgoing[c.sent...].withUnsafeBytes { Glibc.send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }   // the next recv sees the broken connection
            c.sent += n
        }
    }

    /// A whole response at the start of `bytes`: its status, its length in bytes, where its
    /// body starts, and whether the server closes the connection after it. Nil while
    /// incomplete. Bodies are `Content-Length` ones (what meshql's JSON answers carry).
    static func response(_ bytes: [UInt8]) -> (status: Int, length: Int, bodyStart: Int, close: Bool)? {
        guard bytes.count >= 16 else { return nil }
        var headEnd = -1
        var i = 0
        while i + 3 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 { headEnd = i; break }
            i += 1
        }
        guard headEnd >= 0 else { return nil }
        // "HTTP/1.1 200 …"
        let status = (9..<12).reduce(0) { $0 * 10 + Int(bytes[$1]) - 48 }
        var length = 0
        var close = false
        var lineStart = 0
        for j in 0...headEnd where j == headEnd || (bytes[j] == 13 && bytes[j + 1] == 10) {
            let line = String(decoding: bytes[lineStart..<j], as: UTF8.self).lowercased()
            if line.hasPrefix("content-length:") { length = Int(line.dropFirst(15).filter { $0 != " " }) ?? 0 }
            if line.hasPrefix("connection:"), line.contains("close") { close = true }
            lineStart = j + 2
        }
        let total = headEnd + 4 + length
        return bytes.count >= total ? (status, total, headEnd + 4, close) : nil
    }
}

/// Latencies and error counts gathered from the driving threads.
private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [Double] = []
    private var errors = 0

    func add(_ l: [Double], _ e: Int) {
        lock.lock(); latencies += l; errors += e; lock.unlock()
    }

    func take() -> ([Double], Int) {
        lock.lock(); defer { lock.unlock() }
        return (latencies, errors)
    }
}

/// Linux epoll, which the Glibc module does not export, declared by hand. `epoll_event` is
/// 12 bytes (packed) on x86-64 and 16 elsewhere: the events word, then the 8-byte data, whose
/// low 4 bytes hold the file descriptor here.
private final class Epoll {
    @_silgen_name("epoll_create1") private static func create(_ flags: Int32) -> Int32
    @_silgen_name("epoll_ctl") private static func control(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ event: UnsafeMutableRawPointer) -> Int32
    @_silgen_name("epoll_wait") private static func wait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ max: Int32, _ timeout: Int32) -> Int32

    #if arch(x86_64)
    private static let eventSize = 12
    #else
    private static let eventSize = 16
    #endif
    private static let dataOffset = eventSize - 8
    private let fd = Epoll.create(0)
    private var buffer: [UInt8] = []

    deinit { Glibc.close(fd) }

    /// Watches `socket` for reading (EPOLLIN, level-triggered).
    func watch(_ socket: Int32) {
        var event = [UInt8](repeating: 0, count: Self.eventSize)
        event.withUnsafeMutableBytes { b in
            b.storeBytes(of: UInt32(1), toByteOffset: 0, as: UInt32.self)   // EPOLLIN
            b.storeBytes(of: Int64(socket), toByteOffset: Self.dataOffset, as: Int64.self)
            _ = Self.control(fd, 1, socket, b.baseAddress!)   // EPOLL_CTL_ADD
        }
    }

    /// The sockets ready to read, waiting up to `timeoutMilliseconds`.
    func wait(max: Int, timeoutMilliseconds: Int32) -> [Int32] {
        if buffer.count < max * Self.eventSize { buffer = [UInt8](repeating: 0, count: max * Self.eventSize) }
        return buffer.withUnsafeMutableBytes { b -> [Int32] in
            let n = Int(Self.wait(fd, b.baseAddress!, Int32(max), timeoutMilliseconds))
            guard n > 0 else { return [] }
            return (0..<n).map { i in Int32(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: i * Self.eventSize + Self.dataOffset, as: Int64.self)) }
        }
    }
}
