import MeshCore
import Synchronization

/// The memory one query may hold in hash tables, sort buffers and aggregate state. Operators
/// reserve what they are about to keep as it grows; past the limit the query stops with a
/// clear error instead of taking the machine down. Streaming parts (scans, filters, the
/// windowed nested loop) hold only a batch or two and reserve nothing.
///
/// Reservations last until the query ends (a conservative count: memory an operator frees
/// early still counts).
public final class MemoryBudget: Sendable {
    public let limit: Int
    private let used = Atomic<Int>(0)

    public static let defaultLimit = 2 << 30

    public init(limit: Int = MemoryBudget.defaultLimit) {
        self.limit = limit
    }

    /// Counts `bytes` more for `what` ("hash join build side"); throws when the query would
    /// pass its limit.
    public func reserve(_ bytes: Int, for what: String) throws {
        guard bytes > 0 else { return }
        let total = used.add(bytes, ordering: .relaxed).newValue
        if total > limit {
            throw MeshError(.outOfMemory,
                            "query needs more memory than its limit of \(Self.describe(limit)) (\(what))",
                            hint: "Raise the limit with --memory-limit or SET memory_limit = '4GB', or make the query read less.")
        }
    }

    /// "512 MB", "2 GB".
    public static func describe(_ bytes: Int) -> String {
        if bytes % (1 << 30) == 0 { return "\(bytes >> 30) GB" }
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes % (1 << 10) == 0 { return "\(bytes >> 10) kB" }
        return "\(bytes) bytes"
    }

    /// Parses "512MB", "2 GB", "1.5GB", "65536kB", or a plain number of bytes.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("tb", 1_099_511_627_776), ("gb", 1_073_741_824), ("mb", 1_048_576), ("kb", 1024), ("b", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let v = Double(number), v > 0, v * factor < Double(Int.max) else { return nil }
            return Int(v * factor)
        }
        guard let v = Int(t), v > 0 else { return nil }
        return v
    }
}
