import Foundation
import Testing

/// events-log.md rule 9 and cli.md's time filters: a transaction's time is its first event's
/// receivedAt, so a backlog loaded today is overdue and dated at once; the list keeps log order.
@Suite struct RealTimesTests {
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    func ids(_ cli: CLIHarness, _ filters: [String]) throws -> [String] {
        let rows = try cli.json(["tx", "list", "--json", "--limit", "0"] + filters) as! [[String: Any]]
        return rows.map { $0["transaction_id"] as! String }
    }

    @Test func aBacklogCarriesItsRealTimesIntoOverdueAndDateFilters() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let now = Date()
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        // Log order is not time order: `late` was delivered before `old` but written after it.
        try cli.writeLog([
            webhookLine("week-old", method: "CLEO_PAYOUT", extra: [("receivedAt", "\"\(Self.iso(weekAgo))\"")]),
            webhookLine("recent", extra: [("receivedAt", "\"\(Self.iso(now.addingTimeInterval(-600)))\"")]),
            webhookLine("three-days", extra: [("receivedAt", "\"\(Self.iso(now.addingTimeInterval(-3 * 86_400)))\"")]),
            webhookLine("recent", "Approved", extra: [("receivedAt", "\"\(Self.iso(now.addingTimeInterval(-500)))\"")]),
            webhookLine("no-time"),
        ])
        #expect(try cli.run(["ingest"]).status == 0)

        // Order stays log order (rule 8), newest first.
        #expect(try ids(cli, []) == ["no-time", "three-days", "recent", "week-old"])
        // The time is the first event's receivedAt.
        let shown = try cli.json(["tx", "show", "week-old", "--json"]) as! [String: Any]
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let firstSeen = parser.date(from: shown["first_seen_at"] as! String)
        #expect(abs((firstSeen?.timeIntervalSince1970 ?? 0) - weekAgo.timeIntervalSince1970) < 1)

        // Overdue at once: Pending longer than 30 minutes since its time.
        #expect(try ids(cli, ["--overdue"]) == ["three-days", "week-old"])
        #expect(try ids(cli, ["--overdue", "5000"]) == ["week-old"])  // 3.5 days
        // Durations, and both bounds exact although times are out of log order.
        #expect(try ids(cli, ["--since", "1h"]) == ["no-time", "recent"])
        #expect(try ids(cli, ["--until", "2d"]) == ["three-days", "week-old"])
        #expect(try ids(cli, ["--since", "4d", "--until", "2d"]) == ["three-days"])
        #expect(try ids(cli, ["--since", "90m"]) == ["no-time", "recent"])
        let day = String(Self.iso(weekAgo).prefix(10))
        #expect(try ids(cli, ["--until", day]) == ["week-old"])
        #expect(try ids(cli, ["--since", day, "--until", day]) == ["week-old"])
        // A bare number is no duration.
        let bad = try cli.run(["tx", "list", "--since", "30"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("duration"))
    }

    @Test func searchIgnoresASCIICaseAndSurroundingWhitespaceOnly() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog([
            webhookLine("665F1C2E9B1D4A0012AB34CB"),
            webhookLine("other", user: "Élodie"),
            webhookLine("third", extra: [("merchantReference", "\"Ord-77\"")]),
        ])
        #expect(try cli.run(["ingest"]).status == 0)
        #expect(try ids(cli, ["--search", "  665f1c "]) == ["665F1C2E9B1D4A0012AB34CB"])
        #expect(try ids(cli, ["--search", "ORD-7"]) == ["third"])
        #expect(try ids(cli, ["--search", "élo"]) == [])  // only ASCII case is ignored
        #expect(try ids(cli, ["--search", "Élo"]) == ["other"])
        // An exact user is exact.
        #expect(try ids(cli, ["--user", "élodie"]) == [])
        #expect(try ids(cli, ["--user", "Élodie"]) == ["other"])
        #expect(try ids(cli, ["--user", "U1"]) == [])
    }
}
