import Foundation

extension UUID {
    /// A random (version 4) UUID from the system generator. Foundation's `UUID()` opens
    /// `/dev/urandom` on Linux every time, which a server that names every query cannot afford.
    public static func random() -> UUID {
        var g = SystemRandomNumberGenerator()
        let words = [g.next(), g.next()]
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> (8 * UInt64($0 % 8))) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// A new query id: a random UUID in lower case.
    public static func newQueryID() -> String { random().uuidString.lowercased() }
}
