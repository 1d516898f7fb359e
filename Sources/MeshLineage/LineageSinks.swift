import Foundation

/// Where each query's OpenLineage events go: an NDJSON file, a Marquez-compatible HTTP
/// endpoint, both or neither.
public struct LineageOptions: Sendable, Equatable {
    /// A file the events are appended to, one JSON object per line.
    public var file: String?
    /// An OpenLineage HTTP endpoint: a base URL (`http://marquez:5000`, to which
    /// `/api/v1/lineage` is added) or the full URL of the endpoint.
    public var url: String?
    /// Sent as `Authorization: Bearer <key>` to `url` (as OpenLineage's HTTP transport does).
    public var apiKey: String?

    public init(file: String? = nil, url: String? = nil, apiKey: String? = nil) {
        self.file = file.flatMap { $0.isEmpty ? nil : $0 }
        self.url = url.flatMap { $0.isEmpty ? nil : $0 }
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `MESHQL_LINEAGE_FILE`, `MESHQL_LINEAGE_URL` and `MESHQL_LINEAGE_API_KEY`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> LineageOptions {
        LineageOptions(file: env["MESHQL_LINEAGE_FILE"], url: env["MESHQL_LINEAGE_URL"], apiKey: env["MESHQL_LINEAGE_API_KEY"])
    }

    /// No sink at all.
    public static let none = LineageOptions()
}

/// One destination of serialized events. `write` is called on the dispatcher's queue, in
/// the order the events were made, and must return quickly.
protocol LineageSink: Sendable {
    func write(_ event: Data)
    /// Waits up to `timeout` seconds for the events written so far to be delivered.
    func drain(timeout: TimeInterval)
    /// Lets go of what it holds; nothing is written after.
    func close()
}

/// Serializes each event once, off the query's path, and hands it to every sink. A query
/// hands its event over and goes on: no sink, however slow or dead, can hold it up.
public final class LineageDispatcher: Sendable {
    private let queue = DispatchQueue(label: "meshql.lineage", qos: .utility)
    private let sinks: [any LineageSink]

    /// Nil when the options name no sink.
    public init?(_ options: LineageOptions) throws {
        var sinks: [any LineageSink] = []
        if let file = options.file { sinks.append(LineageFileSink(path: file)) }
        if let url = options.url { sinks.append(try LineageHTTPSink(url: url, apiKey: options.apiKey)) }
        guard !sinks.isEmpty else { return nil }
        self.sinks = sinks
    }

    /// Sends the event of `q` at `phase`, stamped now.
    public func emit(_ phase: OpenLineageEvent.Phase, _ q: OpenLineageEvent.Query) {
        let time = Date()
        queue.async { [sinks] in
            guard let data = OpenLineageEvent.line(phase, q, at: time) else { return }
            for sink in sinks { sink.write(data) }
        }
    }

    /// Waits until the events emitted so far were handed to the sinks (the file has them).
    public func flush() { queue.sync {} }

    /// Flushes, then waits up to `timeout` for the HTTP sink to deliver what it holds.
    public func drain(timeout: TimeInterval) {
        flush()
        let deadline = Date().addingTimeInterval(timeout)
        for sink in sinks { sink.drain(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }

    /// Drains for up to `timeout`, then closes every sink.
    public func close(timeout: TimeInterval) {
        drain(timeout: timeout)
        queue.sync { for sink in sinks { sink.close() } }
    }
}
