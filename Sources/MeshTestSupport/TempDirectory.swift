import Foundation

/// A new empty directory for one test's files (SQLite sources, catalogs). Directories made
/// here are removed when the test process exits.
public func tempDirectory() -> String {
    let path = NSTemporaryDirectory() + "meshql-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    TempDirectories.shared.add(path)
    return path
}

/// `@unchecked Sendable`: `paths` is only touched under `lock`.
final class TempDirectories: @unchecked Sendable {
    static let shared = TempDirectories()
    private let lock = NSLock()
    private var paths: [String] = []
    private var registered = false

    func add(_ path: String) {
        lock.lock()
        paths.append(path)
        let first = !registered
        registered = true
        lock.unlock()
        if first { atexit { TempDirectories.shared.removeAll() } }
    }

    func removeAll() {
        lock.lock()
        let all = paths
        paths = []
        lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
    }
}
