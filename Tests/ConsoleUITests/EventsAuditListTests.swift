import CleoDomain
import CleoIngest
import Foundation
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The Events and Audit lists at 80×24: the selected entry read whole below the list, a sign of
/// the rows newer than the first one drawn ("newest first" lists), and titles that give way by
/// whole phrases.
@Suite struct EventsAuditListTests {
    static func squeezed(_ text: String) -> String { String(text.filter { !$0.isWhitespace }) }

    static func rejected(_ id: Int64, message: String = "not JSON") -> RejectedLine {
        RejectedLine(id: id, file: "/var/log/cleo/webhook-events.jsonl", line: id, offset: id * 100, code: "INVALID_JSON",
                     message: message, raw: [], rawLength: 0, at: Fixture.now)
    }

    static func refused(_ id: Int64, reason: String = "not JSON") -> RefusedDelivery {
        RefusedDelivery(id: id, at: Fixture.now, remote: "10.0.0.\(id)", status: 400, reason: reason, raw: nil)
    }

    static func events() -> AppState {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        return state
    }

    /// The rows of the list drawn (below its column header, above the pane).
    static func listRows(_ state: AppState) -> [String] {
        let rows = state.render().rows
        guard let header = rows.firstIndex(where: { $0.hasPrefix("  FILE") || $0.hasPrefix("  TIME") }) else { return [] }
        return Array(rows[(header + 1)...].prefix { !$0.hasPrefix("──") && !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    }

    // MARK: - The selected entry whole

    @Test func theSelectedRejectedLinesMessageIsReadWholeBelowTheList() {
        let message = "not strict JSON: expected ',' or '}' after an object's member at byte 5,665 of the line, found 'x' (the line ends inside a string)"
        var state = Self.events()
        _ = state.reduce(.rejectedLoaded([Self.rejected(2, message: message), Self.rejected(1)], total: 2))
        let screen = state.render().rows.joined(separator: "\n")
        #expect(Self.squeezed(screen).contains(Self.squeezed(message)), "\(screen)")
        #expect(screen.contains("/var/log/cleo/webhook-events.jsonl · line 2 · byte 200 · INVALID_JSON"), "\(screen)")
        // A message longer than the pane says where it is whole.
        _ = state.reduce(.rejectedLoaded([Self.rejected(2, message: RawViewTests.longMessage), Self.rejected(1)], total: 2))
        #expect(state.render().rows.contains { $0.contains("… Enter shows it whole") }, "\(state.render().rows)")
    }

    @Test func theSelectedRefusalsReasonIsReadWholeBelowTheList() {
        let reason = "not strict JSON: a number with a leading zero at byte 17 (0123), which JSON does not allow; the body is kept for the raw view"
        var state = Self.events()
        _ = state.reduce(.refusedLoaded([Self.refused(2, reason: reason), Self.refused(1)], total: 2))
        _ = state.reduce(.key(.tab))
        let screen = state.render().rows.joined(separator: "\n")
        #expect(Self.squeezed(screen).contains(Self.squeezed(reason)), "\(screen)")
        #expect(screen.contains("10.0.0.2 · HTTP 400"), "\(screen)")
    }

    @Test func theFollowersCountsAreCountedInTheSingularToo() {
        var state = Self.events()
        var follower = Fixture.follower
        follower.position?.counts.duplicates = 1
        follower.position?.counts.linesApplied = 1
        follower.position?.counts.events = 1
        _ = state.reduce(.followerChanged(follower))
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("1 line · 1 event · 1 duplicate · 3 late"), "\(screen)")
    }

    // MARK: - ▲ newer

    /// New rows arrive while the selection is away from the top: the list says how many rows
    /// are newer than the first one drawn (ids are contiguous here: those above id L are n − L).
    @Test func bothEventsListsSayHowManyNewerRowsAreAboveTheFirstDrawn() {
        for list in [EventsScreen.State.List.rejected, .refused] {
            var state = Self.events()
            func load(_ n: Int64) {
                let ids = Array((1...n).reversed())
                _ = list == .rejected ? state.reduce(.rejectedLoaded(ids.map { Self.rejected($0) }, total: Int(n)))
                    : state.reduce(.refusedLoaded(ids.map { Self.refused($0) }, total: Int(n)))
            }
            load(30)
            if list == .refused { _ = state.reduce(.key(.tab)) }
            #expect(!state.render().rows.joined().contains("▲"), "at the top, nothing above")
            for _ in 0..<12 { _ = state.reduce(.key(.character("j"))) }
            load(33)
            let first = Self.listRows(state).first ?? ""
            // The rejected rows show their line (= id), the refusals their remote (10.0.0.id).
            let words = first.split(separator: " ")
            guard let id = list == .rejected ? words.dropFirst().first.flatMap({ Int($0) })
                    : words.first(where: { $0.hasPrefix("10.0.0.") }).flatMap({ Int($0.dropFirst(7)) }) else {
                Issue.record("\(list): no row drawn: \(state.render().rows)")
                continue
            }
            let switcher = state.render().rows.first { $0.contains("Rejected") } ?? ""
            #expect(switcher.contains("▲ \(33 - id) newer (g)"), "\(list): \(switcher) / first drawn \(first)")
            _ = state.reduce(.key(.character("g")))
            #expect(!state.render().rows.joined().contains("▲"), "\(list): g is at the newest")
        }
    }

    /// On a page further back, the rows above the page count too (the store's `above`).
    @Test func aPageFurtherBackCountsTheRowsAboveThePage() {
        var world = EventsPagingTests.World(lines: 1_234)
        world.key(.character("j"), times: 500)
        #expect(world.state.events.rejected.newer == 500)
        guard let id = Self.listRows(world.state).first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            Issue.record("no row drawn: \(world.screen)")
            return
        }
        #expect(world.screen.contains("▲ \(1_234 - id) newer (g)"), "\(world.screen)")
    }

    @Test func theAuditTrailSaysHowManyNewerEntriesAreAboveTheFirstDrawn() {
        var world = AuditPagingTests.World(entries: 40)
        #expect(!world.screen.contains("▲"))
        world.key(.character("j"), times: 12)
        world.all += (41...43).map {
            AuditEntry(id: Int64($0), at: Fixture.now, user: "maria", origin: "local", field: "webhookUrl", old: nil, new: "v\($0)", result: .saved, detail: nil)
        }
        world.run(world.state.reduce(.dataChanged(.foreign)))
        let rows = world.state.render().rows
        guard let id = rows[4].components(separatedBy: "→ v").dropFirst().first.flatMap({ Int($0.prefix { $0.isNumber }) }) else {
            Issue.record("no row drawn: \(rows)")
            return
        }
        #expect(rows[2].contains("▲ \(43 - id) newer (g)"), "\(rows[2]) / first drawn \(rows[4])")
        world.key(.character("g"))
        #expect(!world.screen.contains("▲"))
    }

    // MARK: - The Audit title

    @Test func oneAuditEntryIsOneEntry() {
        var world = AuditPagingTests.World(entries: 1)
        #expect(world.state.render().rows[2].contains("1 entry, newest first"), "\(world.state.render().rows[2])")
        world.key(.character("j"))
        #expect(!world.screen.contains("1 entries"))
    }

    /// At 80 columns the title gives way by whole phrases: the legend on secrets goes, never
    /// cut mid-word; the count and the sign of newer entries stay.
    @Test func theAuditTitleGivesWayByWholePhrases() {
        var world = AuditPagingTests.World(entries: 1_234)
        for moves in [0, 30] {
            world.key(.character("j"), times: moves)
            let title = world.state.render().rows[2]
            #expect(title.contains("newest 500 of 1,234 entries, newest first"), "\(title)")
            #expect(!title.contains("secrets") || title.contains("secrets as masks and fingerprints"), "\(title)")
            #expect(!title.contains("…"), "\(title)")
            #expect(moves == 0 || title.contains("newer (g)"), "\(title)")
        }
        let wide = AuditPagingTests.World(entries: 3)
        #expect(wide.state.render().rows[2].contains("3 entries, newest first · secrets as masks and fingerprints"))
    }
}
