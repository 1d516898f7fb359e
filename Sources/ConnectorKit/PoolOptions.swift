import Foundation
import MeshCore

/// The connection pool options every connector type takes: `pool_size`, the most
/// connections open at once, and `pool_timeout`, the seconds a query waits for a free one
/// before it fails (a busy service may want longer than the default, a dashboard shorter).
public struct PoolOptions: Sendable {
    public var size: Int
    public var timeout: TimeInterval

    public init(size: Int, timeout: TimeInterval) {
        self.size = size
        self.timeout = timeout
    }

    public static let names: Set<String> = ["pool_size", "pool_timeout"]
    public static let defaultTimeout: TimeInterval = 30

    /// The options given, checked; defaults for the ones not given.
    public static func parse(_ options: [String: String], defaultSize: Int) throws -> PoolOptions {
        var pool = PoolOptions(size: defaultSize, timeout: defaultTimeout)
        if let raw = options["pool_size"] {
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw MeshError(.invalidParameter, "option \"pool_size\" must be an integer")
            }
            pool.size = n
        }
        if let raw = options["pool_timeout"] {
            guard let s = Double(raw.trimmingCharacters(in: .whitespaces)), s.isFinite else {
                throw MeshError(.invalidParameter, "option \"pool_timeout\" must be a number of seconds from 1 to 3600")
            }
            pool.timeout = s
        }
        try pool.check()
        return pool
    }

    public func check() throws {
        guard size >= 1, size <= 1000 else {
            throw MeshError(.invalidParameter, "option \"pool_size\" must be between 1 and 1000")
        }
        guard timeout >= 1, timeout <= 3600 else {
            throw MeshError(.invalidParameter, "option \"pool_timeout\" must be a number of seconds from 1 to 3600")
        }
    }
}
