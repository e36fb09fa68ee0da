import ConsoleUI
import Foundation
import TerminalCanvas
import Testing

/// The loop reduces keys that arrive together before the page the first asked for answers: a
/// second PgDn pressed with the first goes a second page down (it was lost).
@Suite(.serialized) struct LostMovesLoopTests {
    @Test func twoPageDownsTogetherMoveTwoPages() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append((0..<200).map { line(String(format: "tx-%04d", $0)) })
        h.start()
        h.terminal.waitFor("row 1 of 200")
        h.terminal.press(.key(.pageDown), .key(.pageDown))
        h.terminal.waitFor("row 37 of 200")
        h.terminal.press(.key(.pageUp), .key(.pageDown), .key(.pageUp))
        h.terminal.waitFor("row 19 of 200")
        #expect(h.stop())
    }
}
