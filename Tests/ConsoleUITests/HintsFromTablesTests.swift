import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The hints line comes from the tables that handle the keys in the screen's current mode
/// (issue 10): a key offered there does what it says, and no key is offered that would be text.
@Suite struct HintsFromTablesTests {
    func hints(_ state: AppState) -> String { state.render().rows[state.size.height - 1] }

    @Test func aDateTypedInTheFilterPanelOffersTheFieldsKeysNotThePanels() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        state.transactions.filters.row = .since
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.filters.editing != nil)
        let line = hints(state)
        #expect(line.contains("Enter apply") && line.contains("Esc cancel") && line.contains("Ctrl-U erase"), "\(line)")
        // j and c are text in the field: offering "j/↓ move" or "c clear all" would lie.
        #expect(!line.contains("move") && !line.contains("clear all"), "\(line)")
        // And the field's Ctrl-U does what the hint says.
        for c in "6h" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.ctrl("u")))
        #expect(state.transactions.filters.editing?.text == "")
    }

    @Test func theRawViewOffersEveryKeyOfItsTableAndEachClosesIt() {
        var state = Fixture.state()
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(Fixture.rows[0], Fixture.events, totalEvents: Fixture.events.count))
        for key in RawView.keys[0].keys {
            var copy = state
            _ = copy.reduce(.key(.character("r")))
            #expect(copy.detail.showingRaw)
            #expect(hints(copy).contains("Esc/r close"), "\(hints(copy))")
            _ = copy.reduce(.key(key))
            #expect(!copy.detail.showingRaw, "\(key) closes the raw view")
        }
    }

    @Test func theAuditSearchOffersTheFieldsEraseAndTheFrameTheGlobalTable() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("4")))
        #expect(hints(state).hasPrefix(" ? help  q quit  "), "the global keys' table first")
        _ = state.reduce(.key(.character("/")))
        #expect(state.audit.search != nil)
        let line = hints(state)
        #expect(line.contains("Enter apply") && line.contains("Esc clear") && line.contains("Ctrl-U erase"), "\(line)")
        #expect(!line.contains("? help"), "in a field ? is text")
    }
}
