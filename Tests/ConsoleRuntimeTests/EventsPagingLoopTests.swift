import CleoDomain
import ConsoleUI
import Foundation
import Testing

/// The Events screen pages back through a real database's rejected lines (keyset on id): G
/// reaches the log's first rejected line, beyond the newest page the screen holds.
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
}
