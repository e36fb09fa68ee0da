import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// `:flagged` and `:overdue` take what they say and refuse everything else: an argument that
/// names nothing is an error and the filters stay as they were (`:flagged xyz` switched the
/// filter; `:overdue 45` turned an overdue filter off).
@Suite struct PaletteArgumentTests {
    func palette(_ text: String, _ state: inout AppState) -> [Effect] {
        _ = state.reduce(.key(.character(":")))
        for c in text { _ = state.reduce(.key(.character(c))) }
        return state.reduce(.key(.enter))
    }

    func refused(_ text: String, _ state: inout AppState, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = state.transactions.query
        #expect(palette(text, &state).isEmpty, "\(text)", sourceLocation: sourceLocation)
        #expect(state.transactions.query == before, "\(text)", sourceLocation: sourceLocation)
        #expect(state.flash?.isError == true, "\(text)", sourceLocation: sourceLocation)
    }

    @Test func flaggedSwitchesAndRefusesAnUnknownArgument() {
        var state = Fixture.state()
        refused("flagged xyz", &state)
        #expect(!state.transactions.query.flaggedOnly)
        _ = palette("flagged", &state)
        #expect(state.transactions.query.flaggedOnly)
        refused("flagged xyz", &state)
        refused("flagged on off", &state)
        _ = palette("flagged on", &state)
        #expect(state.transactions.query.flaggedOnly)
        _ = palette("flagged off", &state)
        #expect(!state.transactions.query.flaggedOnly)
        _ = palette("flagged", &state)
        #expect(state.transactions.query.flaggedOnly)
    }

    @Test func overdueMinutesSetTheFilterAndNoArgumentSwitchesIt() {
        var state = Fixture.state()
        let effects = palette("overdue 45", &state)
        #expect(state.transactions.query.overdueMinutes == 45)
        #expect(effects.contains { if case .loadPage(let q) = $0 { q.overdueMinutes == 45 } else { false } })
        // On already: the minutes change, the filter stays on.
        _ = palette("overdue 90", &state)
        #expect(state.transactions.query.overdueMinutes == 90)
        for wrong in ["overdue xyz", "overdue 0", "overdue -5", "overdue 45m", "overdue 45 50", "overdue 99999999999999999999", "overdue 525601"] {
            refused(wrong, &state)
            #expect(state.transactions.query.overdueMinutes == 90, "\(wrong)")
        }
        _ = palette("overdue", &state)
        #expect(state.transactions.query.overdueMinutes == nil)
        _ = palette("overdue", &state)
        #expect(state.transactions.query.overdueMinutes == TransactionsScreen.overdueMinutes)
        _ = palette("overdue off", &state)
        #expect(state.transactions.query.overdueMinutes == nil)
        refused("overdue 0", &state)
        #expect(state.transactions.query.overdueMinutes == nil)
        _ = palette("overdue 525600", &state)
        #expect(state.transactions.query.overdueMinutes == 525_600)
    }
}
