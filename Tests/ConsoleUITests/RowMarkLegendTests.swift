import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The row marks' legend beside the overdue warning at 80×24 — the usual state, where the
/// warning used to take the legend's room — and in help when the line has no room.
@Suite struct RowMarkLegendTests {
    @Test func theLegendFitsBesideTheOverdueWarningAt80Columns() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        let summary = state.render().rows[2]
        #expect(state.transactions.overdue == 3)
        #expect(summary.contains("row 2 of 1,234"), "\(summary)")
        #expect(summary.contains("⚠ 3 overdue >30m"), "\(summary)")
        #expect(summary.hasSuffix("★ new ~ changed ! flagged "), "\(summary)")
        // Further down a bigger list too.
        _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 45_180, overdue: 1_203, above: 0)))
        let bigger = state.render().rows[2]
        #expect(bigger.contains("row 2 of 45,180") && bigger.contains("⚠ 1,203 overdue >30m") && bigger.contains("★ new ~ changed ! flagged"), "\(bigger)")
    }

    /// Further from the top (`▲ 30 newer (g)` beside the position) the whole legend has no room:
    /// the marks on screen are named.
    @Test func awayFromTheTopTheMarksOnScreenAreNamed() {
        var state = Fixture.state()
        for _ in 0..<3 { _ = state.reduce(.key(.character("j"))) }
        _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 4_518, overdue: 3, above: 30)))
        let summary = state.render().rows[2]
        #expect(summary.contains("row 34 of 4,518 · ▲ 30 newer (g)") && summary.contains("⚠ 3 overdue >30m"), "\(summary)")
        #expect(summary.hasSuffix("! flagged "), "two flagged rows on screen, nothing new or changed: \(summary)")
    }

    @Test func helpNamesTheRowMarks() {
        let text = HelpScreen.wrapped(width: 78).map(\.0).joined(separator: " ")
        #expect(text.contains("Row marks: ★ new, ~ changed, ! flagged"), "\(text)")
    }
}
