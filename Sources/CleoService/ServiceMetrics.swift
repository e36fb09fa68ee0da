import Prometheus

/// The receiver's figures for `GET /metrics`, in Prometheus text.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let bytes: Counter
    private let fsyncSeconds: ValueHistogram
    private let followerLag: Gauge
    private let linesApplied: Counter
    /// One counter per status the receiver answers a delivery with.
    private let deliveries: [Int: Counter]
    /// The follower's lag now (nil: no follower in this process, the gauge stays 0).
    private let lagNow: (@Sendable () -> Double)?

    public static let statuses = [200, 400, 401, 404, 405, 413, 415, 503]

    public init(followerLag lagNow: (@Sendable () -> Double)? = nil) {
        self.lagNow = lagNow
        func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "cleo", subsystem: "serve", metricName: metric, unitName: unit, helpText: help)
        }
        bytes = registry.makeCounter(descriptor: name("delivery_bytes", unit: "total", "Bytes of delivery bodies received."))
        fsyncSeconds = registry.makeValueHistogram(
            descriptor: name("fsync", unit: "seconds", "Duration of the events log's fdatasync, one per group commit."),
            buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 8])
        followerLag = registry.makeGauge(descriptor: name("follower_lag", unit: "seconds", "Age of the oldest durable delivery the follower has not applied yet."))
        linesApplied = registry.makeCounter(descriptor: name("lines_applied", unit: "total", "Log lines the follower applied to the database."))
        var deliveries: [Int: Counter] = [:]
        for status in Self.statuses {
            deliveries[status] = registry.makeCounter(
                descriptor: name("deliveries", unit: "total", "Deliveries answered, by HTTP status (200: durably in the log)."),
                labels: [("status", String(status))])
        }
        self.deliveries = deliveries
    }

    public func delivery(status: Int, bodyBytes: Int) {
        deliveries[status]?.increment()
        if bodyBytes > 0 { bytes.increment(by: Int64(bodyBytes)) }
    }

    public func fsync(seconds: Double) { fsyncSeconds.record(seconds) }
    public func applied(lines: Int64) { if lines > 0 { linesApplied.increment(by: lines) } }

    public func text() -> [UInt8] {
        // Read at each scrape: a scraper that never asks /healthz must not see a stale lag.
        if let lagNow { followerLag.set(lagNow()) }
        return registry.emitToBuffer()
    }
}
