import Foundation

/// Ports on 127.0.0.1 for the PostgreSQL clusters meshql starts itself (demo, tests).
public enum LoopbackPort {
    /// Asks the kernel for a free port by binding port 0 on 127.0.0.1.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MeshError(.internalError, "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw MeshError(.internalError, "cannot bind a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
