import CleoDomain
import CleoIngest
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The frame's last line gives way in its stated order (the follower's state never), and a
/// message too long for it is read whole.
@Suite struct StatusLineTests {
    func statusRow(_ state: AppState) -> String { state.render().rows[state.frame.status.y] }

    func busy(width: Int) -> AppState {
        var state = Fixture.state(size: Size(width: width, height: 24))
        var follower = Fixture.follower
        follower.record([FollowerNotice(kind: .rotation, detail: "/var/log/cleo/webhook-events.jsonl was truncated or rewritten; reading it again from the start",
                                        at: Fixture.now.adding(milliseconds: -60_000))])
        _ = state.reduce(.followerChanged(follower))
        let service = ServiceState(pid: 1, listen: "127.0.0.1:8080", isSecured: true, startedAt: Fixture.now.adding(milliseconds: -60_000),
                                   beatAt: Fixture.now.adding(milliseconds: -1_000), lastDeliveryAt: Fixture.now.adding(milliseconds: -2_000),
                                   deliveriesLastHour: 1_200, refusalsLastHour: 3, stoppedAt: nil)
        _ = state.reduce(.serviceStateRead(service))
        return state
    }

    @Test func theFollowersStateServeAndTheRejectedCountOutlastTheRest() {
        let narrow = statusRow(busy(width: 80))
        #expect(narrow.contains("following") && narrow.contains("serve receiving") && narrow.contains("7 rejected"), "\(narrow)")
        #expect(!narrow.contains("last event"), "the first to go: \(narrow)")
        // Wide enough, everything whole: the notice's detail, serve's detail, the count.
        let wide = statusRow(busy(width: 240))
        #expect(wide.contains("reading it again from the start") && wide.contains("last event") && wide.contains("1,234 transactions")
                && wide.contains("1200/h, 3 refused") && wide.contains("7 rejected"), "\(wide)")
        // Whatever the width, nothing is cut mid-part but the last resort: every part shown is whole.
        for width in [80, 100, 120, 160] {
            let row = statusRow(busy(width: width))
            #expect(row.contains("following"), "\(width): \(row)")
            #expect(!row.trimmingCharacters(in: .whitespaces).hasSuffix("…") || row.contains("⚠"), "\(width): \(row)")
        }
    }

    /// serve.md: in production, a receiver taking unauthenticated deliveries is a warning, drawn
    /// like every other ⚠ (it was muted, like the facts around it).
    @Test func theUnauthenticatedServeWarningIsInTheWarningRole() throws {
        var state = Fixture.state(size: Size(width: 120, height: 24), environment: "production")
        let service = ServiceState(pid: 1, listen: "127.0.0.1:8080", isSecured: false, startedAt: Fixture.now.adding(milliseconds: -60_000),
                                   beatAt: Fixture.now.adding(milliseconds: -1_000), lastDeliveryAt: nil,
                                   deliveriesLastHour: 0, refusalsLastHour: 0, stoppedAt: nil)
        _ = state.reduce(.serviceStateRead(service))
        let canvas = state.render()
        let y = state.frame.status.y
        let row = canvas.rows[y]
        let warning = "⚠ serve takes unauthenticated deliveries"
        let start = try #require(row.range(of: warning))
        let x = TerminalText.width(String(row[..<start.lowerBound]))
        let columns = x..<(x + TerminalText.width(warning))
        #expect(columns.allSatisfy { canvas[$0, y].role == .warning }, "\(columns.map { canvas[$0, y].role })")
        // The separator before it stays with the muted facts.
        #expect(canvas[x - 2, y].role == .muted)
    }

    @Test func theRejectedCountIsGroupedLikeEveryCount() {
        var state = Fixture.state(size: Size(width: 120, height: 24))
        var follower = Fixture.follower
        var position = follower.position!
        position.counts.rejected = 12_345
        follower.position = position
        _ = state.reduce(.followerChanged(follower))
        #expect(statusRow(state).contains("12,345 rejected"), "\(statusRow(state))")
    }

    @Test func theGivingWayFollowsTheTurns() {
        var line = StatusLine()
        line.add("AAAA", role: .normal, drop: nil)
        line.add(" BBBB", role: .normal, drop: 1)
        line.add(" CCCCCCCC", role: .normal, drop: 3, shorter: [(2, " CC")])
        line.add(" DD", role: .normal, drop: 4)
        #expect(line.fitted(to: 30).map(\.text).joined() == "AAAA BBBB CCCCCCCC DD")
        #expect(line.fitted(to: 16).map(\.text).joined() == "AAAA CCCCCCCC DD")
        #expect(line.fitted(to: 11).map(\.text).joined() == "AAAA CC DD")
        #expect(line.fitted(to: 7).map(\.text).joined() == "AAAA DD")
        #expect(line.fitted(to: 2).map(\.text).joined() == "AAAA")
    }

    /// A refusal or a notice longer than the row wraps upward over the body, whole.
    @Test func aLongMessageWrapsUpwardWhole() {
        var state = Fixture.state()
        let text = "transaction id hx0-nulid-0001 sent to the terminal's clipboard (OSC 52) (control characters shown as placeholders: the copy differs from the real id)"
        state.say(text, seconds: 10)
        let rows = state.render().rows
        let bottom = state.frame.status.y
        let shown = rows[(bottom - 2)...bottom].joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(shown.contains(text), "\(rows[(bottom - 2)...bottom])")
        // A short one keeps to its row and covers nothing.
        var short = Fixture.state()
        let before = short.render().rows[bottom - 1]
        short.say("copied")
        #expect(short.render().rows[bottom - 1] == before)
    }
}
