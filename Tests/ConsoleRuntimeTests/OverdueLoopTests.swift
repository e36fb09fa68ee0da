import CleoDomain
import ConsoleRuntime
import Foundation
import Testing

/// The overdue count moves with time alone: a Pending transaction turns overdue 30 minutes after
/// its time with no commit at all. On a quiet log the frame's "⚠ N overdue" stayed at what the
/// last commit's count said (while the row itself already showed the overdue mark).
@Suite(.serialized) struct OverdueLoopTests {
    static func rfc3339(_ time: Timestamp) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.millisecondsSince1970) / 1000))
    }

    @Test func aPendingTransactionTurningOverdueOnAQuietLogIsCounted() throws {
        let harness = try LoopHarness()
        defer { harness.cleanup() }
        let clock = RevealLoopTests.Clock()
        // Pending since 29 min 50 s before the console starts; nothing else is ever written.
        let since = clock.start.adding(milliseconds: -(30 * 60_000 - 10_000))
        let pending = line("LATE-1").dropLast() + ",\"receivedAt\":\"\(Self.rfc3339(since))\"}"
        try harness.append([String(pending)])
        harness.start(clock: { clock.now() })
        // The clock ticks a second at a time until the count has seen the line (it may have
        // counted before the follower's commit, and is then throttled to the next tick).
        var elapsed: Int64 = 0
        while !harness.terminal.screen.contains("· 1 transaction "), elapsed < 6_000 {
            elapsed += 1_000
            clock.advance(to: elapsed)
            usleep(300_000)
        }
        let before = harness.terminal.waitFor("· 1 transaction ")
        #expect(!before.contains("overdue"), "\(before)")
        clock.advance(to: 11_000)
        harness.terminal.waitFor("⚠ 1 overdue")
        #expect(harness.stop())
    }
}
