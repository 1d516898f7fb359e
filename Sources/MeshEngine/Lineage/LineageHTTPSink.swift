import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshCore
import Synchronization

/// POSTs OpenLineage events, one per request and in order, to a Marquez-compatible
/// `/api/v1/lineage` endpoint, from a task of its own. Events wait in a bounded queue: while
/// the endpoint is slow they pile up there, while it is down they are retried with a growing
/// pause, and once the queue is full new ones are dropped and counted. No query ever waits.
final class LineageHTTPSink: LineageSink {
    let endpoint: URL
    /// The endpoint as said in messages: no user or password in it.
    let shownEndpoint: String
    private let apiKey: String?
    private let session: URLSession

    /// Events held at most (a few KB each).
    static let capacity = 4096
    /// One request's limit: a hung endpoint costs a retry, never a stuck sender.
    static let requestTimeout: TimeInterval = 5
    /// Pauses between retries while the endpoint fails, in seconds.
    static let firstPause = 0.25, longestPause = 30.0

    private struct State {
        var pending: [Data] = []
        var head = 0
        var sending = false
        /// The endpoint failed and has not answered since: `drain` does not wait for it.
        var failing = false
        var dropped = 0
        var warned = false
        var count: Int { pending.count - head }
    }
    private let state = Mutex(State())

    init(url: String, apiKey: String?) throws {
        guard var parts = URLComponents(string: url), parts.scheme == "http" || parts.scheme == "https",
              let host = parts.host, !host.isEmpty else {
            throw MeshError(.invalidParameter, "the lineage URL must be an http:// or https:// URL",
                            hint: "e.g. http://localhost:5000 (Marquez); /api/v1/lineage is added to a bare host")
        }
        if parts.path.isEmpty || parts.path == "/" { parts.path = "/api/v1/lineage" }
        guard let endpoint = parts.url else { throw MeshError(.invalidParameter, "the lineage URL is not a valid URL") }
        self.endpoint = endpoint
        parts.user = nil
        parts.password = nil
        parts.query = nil
        self.shownEndpoint = parts.string ?? host
        self.apiKey = apiKey
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.requestTimeout
        configuration.httpMaximumConnectionsPerHost = 1
        self.session = URLSession(configuration: configuration)
    }

    func write(_ event: Data) {
        let start: Bool = state.withLock { s in
            guard s.count < Self.capacity else {
                s.dropped += 1
                return false
            }
            // Drop what was sent from the front now and then, not on every event.
            if s.head > 1024, s.head * 2 > s.pending.count {
                s.pending.removeFirst(s.head)
                s.head = 0
            }
            s.pending.append(event)
            guard !s.sending else { return false }
            s.sending = true
            return true
        }
        if start { Task.detached(priority: .utility) { [self] in await send() } }
    }

    /// Sends the queue's events in order until it is empty.
    private func send() async {
        var pause = Self.firstPause
        while let event = state.withLock({ s -> Data? in
            if s.count == 0 { s.sending = false; return nil }
            return s.pending[s.head]
        }) {
            switch await post(event) {
            case .delivered, .refused:
                pause = Self.firstPause
                state.withLock { s in
                    s.head += 1
                    s.failing = false
                }
            case .unreachable(let why):
                warnOnce(why)
                state.withLock { $0.failing = true }
                try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                pause = min(pause * 2, Self.longestPause)
            }
        }
    }

    private enum Outcome { case delivered, refused, unreachable(String) }

    private func post(_ event: Data) async -> Outcome {
        var request = URLRequest(url: endpoint, timeoutInterval: Self.requestTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = event
        do {
            let (_, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            switch status {
            case 200..<300: return .delivered
            // The endpoint will never take this event: sending it again would not help.
            case 400, 413, 422:
                warnOnce("it refused an event (HTTP \(status))")
                state.withLock { $0.dropped += 1 }
                return .refused
            default: return .unreachable("HTTP \(status)")
            }
        } catch {
            return .unreachable((error as? URLError).map { "\($0.code)" } ?? "no answer")
        }
    }

    private func warnOnce(_ why: String) {
        let first = state.withLock { s in
            defer { s.warned = true }
            return !s.warned
        }
        guard first else { return }
        FileHandle.standardError.write(Data(
            "meshql: lineage endpoint \(shownEndpoint): \(why); events wait (up to \(Self.capacity)) and are sent again\n".utf8))
    }

    /// Waits until the queue is sent, the endpoint is known to fail, or `timeout` passes.
    func drain(timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let busy = state.withLock { $0.sending && !$0.failing }
            guard busy else { break }
            usleep(5_000)
        }
        let (left, dropped) = state.withLock { ($0.count, $0.dropped) }
        if left + dropped > 0, timeout > 0 {
            FileHandle.standardError.write(Data(
                "meshql: \(left) lineage event(s) not yet delivered to \(shownEndpoint), \(dropped) dropped\n".utf8))
        }
    }

    /// Events delivered so far are gone from the queue; what is left and what was dropped.
    var backlog: (waiting: Int, dropped: Int) { state.withLock { ($0.count, $0.dropped) } }
}
