import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive loopback connection, for asking the
/// server one thing (is it up?); `LoadDriver` drives the load. Requests and answers are read
/// and written as the driver's are.
final class LoopbackHTTPClient {
    private var fd: Int32 = -1
    let port: UInt16
    private var buffer: [UInt8] = []

    init(port: Int) { self.port = UInt16(port) }
    deinit { if fd >= 0 { close(fd) } }

    private func connectIfNeeded() throws {
        guard fd < 0 else { return }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw ClientError("socket failed") }
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(s); throw ClientError("connect failed") }
        fd = s
        buffer = []
    }

    /// POSTs `body` and returns the status and the response body.
    func post(_ path: String, headers: [String: String], body: String) throws -> (status: Int, body: [UInt8]) {
        try connectIfNeeded()
        let bytes = LoadDriver.post(path, headers: headers, body: body)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { reset(); throw ClientError("send failed") }
            sent += n
        }
        while true {
            if let (status, length, bodyStart, close) = LoadDriver.response(buffer) {
                let answer = Array(buffer[bodyStart..<length])
                buffer.removeFirst(length)
                if close { reset() }
                return (status, answer)
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { reset(); throw ClientError("connection closed") }
        buffer += chunk[0..<n]
    }

    private func reset() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer = []
    }
}

struct ClientError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
