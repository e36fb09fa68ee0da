import Testing
import TerminalCanvas
@testable import ConsoleUI

/// Help is read whole: no line stops at the edge, and scrolling stops at its last line.
@Suite struct HelpScreenTests {
    /// Every word of every help line, in order.
    static func words(_ lines: [String]) -> [Substring] {
        lines.flatMap { $0.split(separator: " ") }
    }

    @Test func everyLineWrapsInsteadOfBeingCutAt80Columns() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("?")))
        var seen: [String] = []
        var previous: [String] = []
        // Scroll to the end, collecting the body's rows as they come into view.
        for _ in 0..<200 {
            let rows = state.render().rows
            let body = rows[state.frame.body.y + 1..<state.frame.body.bottom].map { $0.trimmingCharacters(in: .whitespaces) }
            if body == previous { break }
            if previous.isEmpty { seen = body } else { seen.append(body.last!) }
            previous = body
            _ = state.reduce(.key(.character("j")))
        }
        let source = HelpScreen.lines().map { $0.label + $0.text }
        #expect(Self.words(seen) == Self.words(source))
    }

    /// The raw view's keys (scroll, page, ends) are listed like every other table's.
    @Test func helpListsTheRawViewsKeys() {
        let lines = HelpScreen.lines().map { $0.label + $0.text }
        guard let start = lines.firstIndex(where: { $0.contains("Raw view") }) else {
            Issue.record("no raw view section: \(lines)")
            return
        }
        let section = lines[start...].prefix(12).joined(separator: "\n")
        for words in ["Esc/r/Enter", "close", "j/↓/k/↑", "scroll", "PgDn", "page", "G/End", "end"] {
            #expect(section.contains(words), "\(words): \(section)")
        }
    }

    @Test func scrollingStopsAtTheLastLineSoKRespondsAtOnce() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("?")))
        for _ in 0..<500 { _ = state.reduce(.key(.character("j"))) }
        let bottom = state.help.scroll
        #expect(bottom == HelpScreen.maxScroll(state) && bottom > 0)
        _ = state.reduce(.key(.character("k")))
        #expect(state.help.scroll == bottom - 1)
    }

    @Test func twoColumnsOnAWideTerminalHoldEveryLineWhole() {
        var state = Fixture.state(size: Size(width: 160, height: 60))
        _ = state.reduce(.key(.character("?")))
        let columns = HelpScreen.columns(in: state.frame.body)
        #expect(columns.count == 2)
        let shown = columns.flatMap { column in column.lines.map(\.0) }
        #expect(shown.allSatisfy { TerminalText.width($0) <= columns[0].rect.width })
        #expect(Self.words(shown) == Self.words(HelpScreen.lines().map { $0.label + $0.text }))
    }
}
