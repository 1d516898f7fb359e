import Foundation
import Synchronization

/// Appends OpenLineage events to a file, one JSON object per line. A file that cannot be
/// written loses events (said once on standard error), never a query. The file is opened
/// once, for appending, on the first event.
final class LineageFileSink: LineageSink {
    let path: String
    /// The open file (-1: not yet, or it could not be opened), and whether a failure was
    /// reported. Only the dispatcher's queue touches it; the lock makes that plain to the
    /// compiler.
    private let file = Mutex<(fd: Int32, warned: Bool)>((-1, false))

    init(path: String) {
        self.path = path
    }

    deinit {
        file.withLock { if $0.fd >= 0 { Foundation.close($0.fd) } }
    }

    func write(_ event: Data) {
        var data = event
        data.append(0x0A)
        file.withLock { f in
            if f.fd < 0 { f.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
            let written = f.fd < 0 ? -1 : data.withUnsafeBytes { Foundation.write(f.fd, $0.baseAddress, $0.count) }
            guard written != data.count, !f.warned else { return }
            f.warned = true
            FileHandle.standardError.write(Data("meshql: cannot write lineage events to \(path); they are dropped\n".utf8))
        }
    }

    /// Written as handed over: nothing to wait for.
    func drain(timeout: TimeInterval) {}

    /// The file stays open until the sink goes (an event after shutdown is still written).
    func close() {}
}
