import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeshFormat

/// Owns SIGINT for the shell and decides what Ctrl-C means at each moment.
///
/// The signal's default action is switched off (`SIG_IGN`) and a dispatch signal source
/// delivers it on a private queue instead, so no async-signal-safety rules apply to the
/// handling code. What happens then depends on the phase the shell announced:
///
/// - **running a statement** (`whileRunning`): "Cancel request sent" is printed and the stored
///   cancel closure runs — the shell cancels the statement's task, which reaches the source.
/// - **reading a line** (`whileReading`): the reader's closure runs. The line editor sets a
///   flag that readline's event hook polls (see `LineEditor`), making readline give up the
///   line; the plain reader for piped input ends the process like psql does.
/// - otherwise the interrupt is ignored.
public final class InterruptController: Sendable {
    private enum Phase {
        case idle
        case reading(@Sendable () -> Void)
        case running(@Sendable () -> Void)
    }

    private struct State {
        var phase: Phase = .idle
        var source: (any DispatchSourceSignal)?
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "meshql.sigint")

    public init() {}

    /// Takes over SIGINT. Idempotent.
    public func install() {
        state.withLock { state in
            guard state.source == nil else { return }
            signal(SIGINT, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: queue)
            source.setEventHandler { [weak self] in self?.interrupted() }
            source.resume()
            state.source = source
        }
    }

    /// Gives SIGINT back its default action.
    public func uninstall() {
        state.withLock { state in
            state.source?.cancel()
            state.source = nil
            state.phase = .idle
            signal(SIGINT, SIG_DFL)
        }
    }

    /// Runs `body` (which reads a line) with Ctrl-C calling `onInterrupt`.
    public func whileReading<T>(onInterrupt: @escaping @Sendable () -> Void, _ body: () async -> T) async -> T {
        state.withLock { $0.phase = .reading(onInterrupt) }
        defer { state.withLock { $0.phase = .idle } }
        return await body()
    }

    /// Runs `body` (which awaits a statement) with Ctrl-C calling `cancel`.
    public func whileRunning<T>(cancel: @escaping @Sendable () -> Void, _ body: () async -> T) async -> T {
        state.withLock { $0.phase = .running(cancel) }
        defer { state.withLock { $0.phase = .idle } }
        return await body()
    }

    /// Cancels the running statement, if one runs (SIGTERM or SIGHUP: the shell is about to
    /// end, and the statement's source queries must not outlive it).
    public func cancelRunning() {
        let phase = state.withLock { $0.phase }
        if case .running(let cancel) = phase { cancel() }
    }

    /// Simulates a Ctrl-C (tests; also what the signal source calls).
    public func interrupted() {
        let phase = state.withLock { $0.phase }
        switch phase {
        case .idle:
            break
        case .reading(let onInterrupt):
            onInterrupt()
        case .running(let cancel):
            var err = FileDescriptorSink.standardError
            err.write("Cancel request sent\n")
            err.flush()
            cancel()
        }
    }
}
