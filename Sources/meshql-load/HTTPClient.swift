import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive loopback connection: enough to
/// drive `meshql serve` from many threads without a client library's own overhead in the
/// measurement. Handles `Content-Length` bodies (what meshql's JSON answers carry).
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
        var request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { reset(); throw ClientError("send failed") }
            sent += n
        }
        // Headers.
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = find([13, 10, 13, 10]) { headerEnd = r; break }
            try fill()
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            reset()
            throw ClientError("bad status line")
        }
        var length = 0
        var closeAfter = false
        for l in lines.dropFirst() {
            let lower = l.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0 }
            if lower.hasPrefix("connection:"), lower.contains("close") { closeAfter = true }
            if lower.hasPrefix("transfer-encoding:") { reset(); throw ClientError("chunked answers are not read here") }
        }
        while buffer.count < length { try fill() }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        if closeAfter { reset() }
        return (status, body)
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
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
