import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The follower held behind the log for real (another process holds the database's write lock):
/// what /metrics and /healthz say about it (serve.md, "GET /healthz … GET /metrics").
@Suite struct ServeFollowerLagTests {
    /// A metric's value in a Prometheus text answer, or nil.
    static func value(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    static func scrape(_ port: Int) throws -> (lag: Double, applied: Double) {
        let text = try RawHTTP.request(port: port, method: "GET", path: "/metrics", headers: []).body
        return (value("cleo_serve_follower_lag_seconds", in: text) ?? -1, value("cleo_serve_lines_applied_total", in: text) ?? -1)
    }

    /// One line applied first (the follower is running), then the write lock held by another
    /// process and `id` delivered: the follower is behind from now until `release`.
    static func holdBehind(_ h: CLIHarness, _ serve: ServeProcess, delivering id: String) throws -> WriteLockHolder {
        #expect(try RawHTTP.post(port: serve.port, webhookLine("lag-0")).status == 200)
        #expect(try h.waitForLinesApplied(1))
        let lock = try WriteLockHolder(db: h.db)
        #expect(try RawHTTP.post(port: serve.port, webhookLine(id)).status == 200)
        return lock
    }

    /// A scraper that never asks /healthz read 0 while the follower was behind: the gauge was
    /// set by the /healthz handler only.
    @Test func metricsAloneSeeTheLagGrowThenFallWhenTheFollowerCatchesUp() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let lock = try Self.holdBehind(h, serve, delivering: "lag-1")
        // Bounded: the lag is the delivery's age, so 0.5 s is reached in about 0.5 s.
        var seen = try Self.scrape(serve.port)
        for _ in 0..<100 where seen.lag < 0.5 {
            usleep(50_000)
            seen = try Self.scrape(serve.port)
        }
        #expect(seen.lag >= 0.5, "the gauge said \(seen.lag) s with the follower held")
        #expect(seen.applied == 1)
        lock.release()
        for _ in 0..<300 where seen.lag != 0 || seen.applied != 2 {
            usleep(50_000)
            seen = try Self.scrape(serve.port)
        }
        #expect(seen.lag == 0 && seen.applied == 2, "after catching up: \(seen)")
    }

    /// serve.md: 503 with the reason when the follower is more than 10 s behind; 200 again once
    /// it has caught up.
    @Test func healthzIs503WhenTheFollowerIsMoreThan10sBehind() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let lock = try Self.holdBehind(h, serve, delivering: "lag-10")
        let start = Date()
        func health() throws -> HTTPReply { try RawHTTP.request(port: serve.port, method: "GET", path: "/healthz", headers: []) }
        // Still healthy at 9 s behind…
        usleep(9_000_000)
        #expect(try health().status == 200)
        // …503 past 10 s (bounded: 14 s from the delivery).
        let late = try pollStatus(503, seconds: 14 - Date().timeIntervalSince(start), every: 0.2) { try health().status }
        #expect(late.status == 503)
        #expect(Date().timeIntervalSince(start) > 10)
        let reply = try health()
        #expect(reply.body.contains("the follower is") && reply.body.contains("behind the log"), "\(reply.body)")
        lock.release()
        #expect(try pollStatus(200, seconds: 15, every: 0.1) { try health().status }.status == 200)
    }
}
