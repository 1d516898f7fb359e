import Foundation
import Synchronization

/// Appends OpenLineage events to a file, one JSON object per line, off the query's path: a
/// query hands its event over and goes on; a file that cannot be written loses events (said
/// once on standard error), never a query.
final class LineageFileSink: Sendable {
    let path: String
    private let queue = DispatchQueue(label: "meshql.lineage", qos: .utility)

    init(path: String) {
        self.path = path
    }

    /// Writes the event of `q` at `phase`, made now (it is serialized on the sink's queue).
    func emit(_ phase: OpenLineageEvent.Phase, _ q: OpenLineageEvent.Query) {
        let time = Date()
        queue.async { [path] in
            guard var data = OpenLineageEvent.line(phase, q, at: time) else { return }
            data.append(0x0A)
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                Self.warnOnce(path)
                return
            }
            defer { try? handle.close() }
            do {
                try handle.seekToEnd()
                try handle.write(contentsOf: data)
            } catch {
                Self.warnOnce(path)
            }
        }
    }

    /// Waits for the events handed over so far.
    func flush() { queue.sync {} }

    private static let warned = Mutex(false)
    private static func warnOnce(_ path: String) {
        let first = warned.withLock { w in defer { w = true }; return !w }
        if first { FileHandle.standardError.write(Data("meshql: cannot write lineage events to \(path); they are dropped\n".utf8)) }
    }
}
