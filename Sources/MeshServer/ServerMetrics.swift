import Foundation
import Prometheus

/// What `GET /metrics` reports (Prometheus text, swift-prometheus): queries by outcome and
/// their latency, rows sent, requests refused by the rate limit or the per-org limit.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    private let rows: Counter
    private let rateLimited: Counter
    private let busy: Counter

    init() {
        latency = registry.makeDurationHistogram(
            descriptor: .init(namespace: "meshql", metricName: "query_duration", unitName: "seconds",
                              helpText: "Time from a query's request to its last row"),
            labels: [],
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10), .seconds(60)])
        rows = registry.makeCounter(descriptor: .init(namespace: "meshql", metricName: "rows_sent", unitName: "total",
                                                      helpText: "Rows sent to clients"), labels: [])
        rateLimited = registry.makeCounter(descriptor: .init(namespace: "meshql", metricName: "rate_limited_requests", unitName: "total",
                                                             helpText: "Requests answered 429 by a token's rate limit"), labels: [])
        busy = registry.makeCounter(descriptor: .init(namespace: "meshql", metricName: "org_limit_refusals", unitName: "total",
                                                      helpText: "Queries refused because their org ran its maximum at once"), labels: [])
    }

    func queryEnded(status: String, duration: Duration, rows: Int) {
        registry.makeCounter(descriptor: .init(namespace: "meshql", metricName: "queries", unitName: "total",
                                               helpText: "Queries by outcome"), labels: [("status", status)]).increment()
        latency.record(duration)
        self.rows.increment(by: Int64(rows))
    }

    func rateLimitHit() { rateLimited.increment() }
    func orgLimitHit() { busy.increment() }

    var text: String { registry.emitToString() }
}
