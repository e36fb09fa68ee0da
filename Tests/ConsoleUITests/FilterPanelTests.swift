import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Several statuses at once (`:status` and the panel), counts per value asked with the other
/// counts while the panel is open (never on every frame), unknown arguments errors.
@Suite struct FilterPanelTests {
    func palette(_ text: String, _ state: inout AppState) -> [Effect] {
        _ = state.reduce(.key(.character(":")))
        for c in text { _ = state.reduce(.key(.character(c))) }
        return state.reduce(.key(.enter))
    }

    @Test func thePaletteTakesSeveralStatusesAndRefusesAnUnknownOne() {
        var state = Fixture.state()
        let effects = palette("status approved,declined", &state)
        #expect(state.transactions.query.statuses == [.approved, .declined])
        #expect(effects.contains { if case .loadPage(let q) = $0 { q.statuses == [.approved, .declined] } else { false } })
        // One word wrong: an error naming it, the filter unchanged, nothing loaded.
        #expect(palette("status approved,aproved", &state).isEmpty)
        #expect(state.transactions.query.statuses == [.approved, .declined])
        #expect(state.flash?.isError == true)
        #expect(state.flash?.text.contains("aproved is not a status") == true)
        _ = palette("status Pending, Approved, Declined", &state)
        #expect(!state.transactions.query.isFiltered)
        _ = palette("status", &state)
        #expect(state.transactions.query.statuses.isEmpty)
    }

    @Test func thePanelAddsStatusesUp() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.key(.character(" ")))  // Pending
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        let effects = state.reduce(.key(.character(" ")))  // Declined
        #expect(state.transactions.query.statuses == [.pending, .declined])
        #expect(effects.contains { if case .loadPage(let q) = $0 { q.statuses == [.pending, .declined] } else { false } })
        _ = state.reduce(.key(.character("k")))
        _ = state.reduce(.key(.character(" ")))  // Approved: all three is no filter
        #expect(state.transactions.query.statuses.isEmpty)
        #expect(!state.transactions.query.isFiltered)
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("[ ] ◌ Pending"))
    }

    @Test func countsPerValueAreAskedWithTheCountsWhileThePanelIsOpen() {
        var world = FeedWorld(rows: 30)
        // Closed: the counts never ask for the facets.
        world.state.transactions.filters.isOpen = false
        var asked = world.state.reduce(.dataChanged(.foreign))
        #expect(!asked.contains { if case .countTransactions(let r) = $0 { r.facets } else { false } })
        world.run(asked)
        // Opening asks at once; then with the other counts, throttled like them.
        asked = world.state.reduce(.key(.character("f")))
        #expect(asked.contains { if case .countTransactions(let r) = $0 { r.facets } else { false } })
        world.run(asked)
        #expect(world.state.transactions.filters.facets != nil)
        // A frame drawn, a tick without a change: nothing asked.
        _ = world.state.render()
        #expect(world.state.reduce(.clockTicked(world.state.now.adding(milliseconds: 1500))).isEmpty)
        // A status chosen: counted again; the facets (counted under the filters that are not
        // facets) are re-summed for it at once, whatever the count brings.
        world.key(.character(" "))
        #expect(world.state.transactions.lastCounted?.filters.statuses == [.pending])
        #expect(world.state.transactions.filters.facets != nil)
        // Under a feed: the facets with the counts, so the panel agrees with the title.
        world.tick(milliseconds: 1500)
        world.feed(3)
        #expect(world.state.transactions.lastCounted?.facets == true)
        #expect(world.state.transactions.total == 33)
        let query = world.state.transactions.query
        #expect(world.state.transactions.filters.facets?.count(.pending, in: query) == 33)
        // Within the second, a second arrival waits for the next count (throttled, not skipped).
        world.feed(1)
        #expect(world.state.transactions.total == 33)
        world.tick(milliseconds: 1500)
        #expect(world.state.transactions.total == 34)
        #expect(world.state.transactions.filters.facets?.count(.pending, in: query) == 34)
        // A filter that is not a facet (a search): the facets are due at once.
        world.tick(milliseconds: 1500)
        world.key(.character("f"))  // closes the panel
        world.key(.character("/"))
        world.key(.character("t"))
        world.key(.enter)
        world.key(.character("f"))
        #expect(world.state.transactions.lastCounted?.facets == true)
        #expect(world.state.transactions.lastCounted?.filters.search == "t")
    }

    @Test func thePanelShowsTheCountOfEachChoice() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 1_234, overdue: 3, above: nil, facets: Fixture.facets)))
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("98,335"))  // Approved: 812 + 3 + 97,520
        #expect(screen.contains("CL 2,246 · PE 20 · MX 97,520"))
        #expect(screen.contains("Pay-In 98,581 · Pay-Out 1,207"))
    }

    @Test func aCountForOtherFiltersSupersedesTheOneRunningNotOneForTheSame() {
        var typed = TransactionQuery()
        typed.search = "u"
        let running = CountRequest(filters: typed, atOrBelow: nil, facets: true)
        var longer = typed
        longer.search = "us"
        #expect(CountRequest(filters: longer, atOrBelow: nil).supersedes(running))
        // The same filters at another time, window, page or panel state: a re-count, not a new question.
        var later = typed
        later.now = Timestamp(millisecondsSince1970: 1_790_000_000_000)
        later.limit = 7
        later.cursor = .olderThan(40)
        #expect(!CountRequest(filters: later, atOrBelow: 41, facets: false).supersedes(running))
    }
}
