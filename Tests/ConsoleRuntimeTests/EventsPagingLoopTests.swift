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
        // The selected row is the log's line 2 (line 1 was accepted); the pane below says it too.
        let list = screen.components(separatedBy: "── selected line")[0]
        let selected = list.split(separator: "\n").filter { $0.contains("INVALID_JSON") }.last.map(String.init) ?? ""
        #expect(screen.contains("events.jsonl · line 2 ·"), "\(screen)")
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
        h.terminal.waitFor("Timeline · newest 500 of 1,200 events")
        h.terminal.press(.key(.character("g")))
        let screen = h.terminal.waitFor("Timeline · events 1–500 of 1,200")
        // The first event's row: its line number right-aligned in the LINE column.
        #expect(screen.split(separator: "\n").contains { $0.hasPrefix("    1 ") && $0.contains("Pending") }, "\(screen)")
        // And back to the end.
        h.terminal.press(.key(.character("G")))
        h.terminal.waitFor("Timeline · newest 500 of 1,200 events")
        #expect(h.stop())
    }

    /// A log with exactly 500 or 1,000 rejected lines: ↓ on the oldest row reads nothing below
    /// it (counted, not guessed from a full page), so the rows stay and ↑ still moves.
    @Test(arguments: [500, 1_000]) func downOnTheOldestOfAnExactMultipleKeepsTheRows(lines: Int) throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append([line("ok-1")] + (0..<lines).map { "{not json \($0)" })
        h.start()
        h.terminal.waitFor("row 1 of 1")
        h.terminal.press(.key(.character("3")))
        h.terminal.waitFor(lines == 500 ? "Rejected lines (500)" : "Rejected lines (newest 500 of 1,000)")
        let title = lines == 500 ? "Rejected lines (500)" : "Rejected lines (501–1,000 of 1,000)"
        h.terminal.press(.key(.character("G")))
        h.terminal.waitFor(title)
        h.terminal.press(.key(.character("j")))
        // Long enough for a page read to come back, were one asked for (bounded).
        usleep(1_000_000)
        #expect(h.terminal.screen.contains(title), "\(h.terminal.screen)")
        // ↑ then the raw view: the row above the oldest (the log's line 3; line 1 was accepted).
        h.terminal.press(.key(.character("k")), .key(.character("r")))
        h.terminal.waitFor("line 3 · INVALID_JSON")
        #expect(h.stop())
    }
}
