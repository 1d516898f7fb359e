import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension UUID {
    /// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then random
    /// bits from `arc4random_buf` (Foundation's `UUID()` opens `/dev/urandom` on Linux every
    /// time, and Swift's system generator makes a system call per 8 bytes). Query ids are of this kind, so the audit log's index on them grows at its end
    /// instead of touching a random page per record.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var bytes = randomBytes()
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        bytes.0 = UInt8(truncatingIfNeeded: ms >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: ms >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: ms >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: ms >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: ms >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: ms)
        bytes.6 = bytes.6 & 0x0F | 0x70
        bytes.8 = bytes.8 & 0x3F | 0x80
        return UUID(uuid: bytes)
    }

    /// A new query id: a time-ordered UUID in lower case.
    public static func newQueryID() -> String { timeOrdered().uuidString.lowercased() }

    private static func randomBytes() -> uuid_t {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        #if canImport(Glibc)
        withUnsafeMutableBytes(of: &bytes) { arc4random_buf($0.baseAddress!, 16) }
        #else
        var g = SystemRandomNumberGenerator()
        withUnsafeMutableBytes(of: &bytes) { b in for i in 0..<16 { b[i] = UInt8.random(in: 0...255, using: &g) } }
        #endif
        return bytes
    }
}
