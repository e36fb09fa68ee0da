import CleoDomain
import ConsoleUI
import Foundation
import Testing

/// The Events screen and the detail's timeline page back through a real database (keyset on
/// id): G reaches the log's first rejected line, g a long transaction's first event — beyond
/// the newest page each holds.
@Suite struct EventsPagingLoopTests {
    @Test func gReachesTheFirstRejectedLineOfALongTable() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append([line("ok-1")] + (0..<1_200).map { "{not json \($0)" })
        h.start()
        h.terminal.waitFor("row 1 of 1")
        h.terminal.press(.key(.character("3")))
        h.terminal.waitFor("Rejected lines (newest 500 of 1,200)")
        h.terminal.press(.key(.character("G")))
        let screen = h.terminal.waitFor("Rejected lines (701–1,200 of 1,200)")
        // The selected row is the log's line 2 (line 1 was accepted).
        let selected = screen.split(separator: "\n").filter { $0.contains("INVALID_JSON") }.last.map(String.init) ?? ""
        #expect(selected.split(separator: " ").dropFirst().first == "2", "\(screen)")
        #expect(h.stop())
    }

    @Test func gReachesTheFirstEventOfALongTimeline() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append((0..<1_200).map { line("long-tx", $0 % 2 == 0 ? "Pending" : "Approved") })
        h.start()
        h.terminal.waitFor("row 1 of 1")
        h.terminal.press(.key(.enter))
        h.terminal.waitFor("TIMELINE (newest 500 of 1,200)")
        h.terminal.press(.key(.character("g")))
        let screen = h.terminal.waitFor("TIMELINE (1–500 of 1,200)")
        #expect(screen.contains(" line 1 "), "\(screen)")
        // And back to the end.
        h.terminal.press(.key(.character("G")))
        h.terminal.waitFor("TIMELINE (newest 500 of 1,200)")
        #expect(h.stop())
    }
}
