import Foundation

/// How many client connections the server keeps open at once: what the operator asked for, or
/// by default 4,096, and never so many that the process's open-file limit (which the catalog,
/// the SQLite sources and the PostgreSQL connections share) could run out.
enum ConnectionLimits {
    /// Descriptors kept for everything but client connections.
    static let reserved = 256

    static func maxConnections(requested: Int?) -> Int {
        var limit = rlimit()
        let files = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        let ceiling = max(16, files - reserved)
        return min(requested ?? 4096, ceiling)
    }
}
