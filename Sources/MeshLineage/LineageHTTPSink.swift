import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshCore
import Synchronization

/// POSTs OpenLineage events, one per request and in order, to a Marquez-compatible
/// `/api/v1/lineage` endpoint. Events wait in a bounded queue: while the endpoint is slow
/// they pile up there, while it is down they are retried with a growing pause, and once the
/// queue is full new ones are dropped and counted. No query ever waits.
///
/// Requests go out through URLSession's completion handlers and a dispatch queue of the
/// sink's own, never through Swift's shared task threads: a shutdown that waits for the queue
/// to empty (blocking its thread) cannot starve the sending.
final class LineageHTTPSink: LineageSink {
    let endpoint: URL
    /// The endpoint as said in messages: no user, password or query in it.
    let shownEndpoint: String
    private let apiKey: String?
    private let session: URLSession
    private let retries = DispatchQueue(label: "meshql.lineage.http", qos: .utility)

    /// Events held at most (a few KB each).
    static let capacity = 4096
    /// One request's limits: a hung endpoint costs a retry, never a stuck sender.
    static let requestTimeout: TimeInterval = 5, requestLimit: TimeInterval = 10
    /// Pauses between retries while the endpoint fails, in seconds.
    static let firstPause = 0.25, longestPause = 30.0

    private struct State {
        var pending: [Data] = []
        var head = 0
        var sending = false
        /// The endpoint failed and has not answered since: `drain` does not wait for it.
        var failing = false
        var stopped = false
        var pause = LineageHTTPSink.firstPause
        var dropped = 0
        /// A failure was reported and no event went through since.
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
        configuration.timeoutIntervalForResource = Self.requestLimit
        configuration.httpMaximumConnectionsPerHost = 1
        // A redirect would carry the key elsewhere, or turn the POST into a GET: refused.
        self.session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    func write(_ event: Data) {
        let start: Bool = state.withLock { s in
            guard !s.stopped, s.count < Self.capacity else {
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
        if start { sendNext() }
    }

    /// Posts the event at the head of the queue; its answer posts the next, or the same one
    /// again after a pause.
    private func sendNext() {
        guard let event = state.withLock({ s -> Data? in
            guard !s.stopped, s.count > 0 else { s.sending = false; return nil }
            return s.pending[s.head]
        }) else { return }
        var request = URLRequest(url: endpoint, timeoutInterval: Self.requestTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = event
        session.dataTask(with: request) { [self] _, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            switch (error, status) {
            case (nil, 200..<300):
                advance(warned: false)
            case (nil, 408), (nil, 429), (nil, 500...):
                retryLater("HTTP \(status)")
            case (nil, _):
                // The endpoint will never take this event (a bad request, a wrong path, a
                // refused key): sending it again would only hold up the ones behind it.
                warn("it refused an event (HTTP \(status)); such events are dropped")
                state.withLock { $0.dropped += 1 }
                advance(warned: true)
            case (let error?, _):
                retryLater((error as? URLError).map { "no answer (URL error \($0.code.rawValue))" } ?? "no answer")
            }
        }.resume()
    }

    private func advance(warned: Bool) {
        state.withLock { s in
            s.head += 1
            s.failing = false
            s.pause = Self.firstPause
            s.warned = warned
        }
        sendNext()
    }

    private func retryLater(_ why: String) {
        warn(why + "; events wait (up to \(Self.capacity)) and are sent again")
        let pause = state.withLock { s in
            s.failing = true
            defer { s.pause = min(s.pause * 2, Self.longestPause) }
            return s.pause
        }
        retries.asyncAfter(deadline: .now() + pause) { [self] in sendNext() }
    }

    /// Said once per outage: again only after an event went through.
    private func warn(_ why: String) {
        let first = state.withLock { s in
            defer { s.warned = true }
            return !s.warned
        }
        guard first else { return }
        FileHandle.standardError.write(Data("meshql: lineage endpoint \(shownEndpoint): \(why)\n".utf8))
    }

    /// Waits until the queue is sent, the endpoint is known to fail, or `timeout` passes.
    func drain(timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, state.withLock({ $0.sending && !$0.failing }) {
            usleep(5_000)
        }
    }

    /// Stops sending: what is still queued is said on standard error and let go.
    func close() {
        let (left, dropped) = state.withLock { s in
            s.stopped = true
            return (s.count, s.dropped)
        }
        session.invalidateAndCancel()
        guard left + dropped > 0 else { return }
        FileHandle.standardError.write(Data(
            "meshql: \(left) lineage event(s) not delivered to \(shownEndpoint), \(dropped) dropped\n".utf8))
    }
}

/// Answers every redirect with "do not follow".
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
