import Dispatch
import Foundation
import Synchronization

/// Catches SIGINT, SIGTERM and SIGHUP while a command runs, so that stopping meshql
/// (Ctrl-C, `timeout`, `kill`, a closed terminal) cancels the running statement, which reaches
/// every source query, instead of killing the process and leaving them running. Delivered on
/// a dispatch queue, so the handler is ordinary code, not a signal handler.
///
/// `@unchecked Sendable`: `sources` is set in `init` and only cancelled afterwards; the rest
/// of the state is behind the mutex.
final class SignalTrap: @unchecked Sendable {
    static let all: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private let signals: [Int32]

    private struct State {
        var received: Int32?
        var action: (@Sendable (Int32) -> Void)?
    }

    private let state = Mutex(State())
    private let sources: [any DispatchSourceSignal]

    /// Starts catching `signals`; `action` runs once, on the first one, with its number.
    init(_ signals: [Int32] = SignalTrap.all, _ action: @escaping @Sendable (Int32) -> Void) {
        state.withLock { $0.action = action }
        let queue = DispatchQueue(label: "meshql.signals")
        // A signal already ignored (SIGHUP under nohup) stays ignored.
        let caught = signals.filter { sig in
            let previous = signal(sig, SIG_IGN)
            return unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self)
        }
        self.signals = caught
        sources = caught.map { sig in DispatchSource.makeSignalSource(signal: sig, queue: queue) }
        for (sig, source) in zip(caught, sources) {
            source.setEventHandler { [weak self] in self?.caught(sig) }
            source.resume()
        }
    }

    private func caught(_ sig: Int32) {
        let (action, again) = state.withLock { s -> ((@Sendable (Int32) -> Void)?, Bool) in
            guard s.received == nil else { return (nil, true) }
            s.received = sig
            return (s.action, false)
        }
        // A second signal while the first one's cancel is still under way: stop at once.
        if again { _exit(128 + sig) }
        action?(sig)
    }

    /// The first signal caught, if any.
    var received: Int32? { state.withLock { $0.received } }

    /// Gives the signals their default actions back.
    func uninstall() {
        sources.forEach { $0.cancel() }
        state.withLock { $0.action = nil }
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
