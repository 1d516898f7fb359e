import Foundation

/// Lets a stop (a cancel request, an interrupt, a kill) reach a query only while the query
/// owns its connection: once the connection is back in the pool, a late stop must not hit
/// someone else's query. The stop runs at most once, under the guard's lock, so `deactivate`
/// does not return while one is on its way.
///
/// `@unchecked Sendable`: the flags are only touched under `lock`; `stop` is thread-safe.
public final class SourceCancelGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var active = true
    private var didFire = false
    private var forCancel = false
    private let stop: @Sendable () -> Void

    public init(_ stop: @escaping @Sendable () -> Void) { self.stop = stop }

    /// Stops the query if it still owns the connection. `cancelling`: because it was
    /// cancelled, not merely left unread by its reader.
    public func fire(cancelling: Bool = true) {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return }
        if cancelling { forCancel = true }
        guard !didFire else { return }
        didFire = true
        stop()
    }

    /// A stop was sent: the connection is not to be used again.
    public var fired: Bool {
        lock.lock(); defer { lock.unlock() }
        return didFire
    }

    /// The query was cancelled: its failure is the cancel, whatever the source said.
    public var cancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return forCancel
    }

    /// The query gave its connection up: later stops do nothing.
    public func deactivate() {
        lock.lock(); active = false; lock.unlock()
    }
}
