import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The live list under a feed: an in-memory list answers the reducer's requests with the keyset
/// semantics of the store (newest first by seq), so the loop "reduce → effect → answer" runs
/// as in the console, without a database.
struct FeedWorld {
    /// Every transaction, oldest first (seq 1, 2, …).
    var all: [TransactionRecord] = []
    var state: AppState

    init(rows: Int, size: Size = Size(width: 80, height: 24)) {
        state = AppState(session: Fixture.session, size: size, now: Fixture.now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        state.transactions.pageSize = state.bodyHeight - 2
        _ = state.reduce(.followerChanged(Fixture.follower))
        for _ in 0..<rows { append() }
        run(state.startEffects())
    }

    mutating func append(status: TransactionStatus = .pending) {
        let seq = Int64(all.count + 1)
        all.append(Fixture.record(seq, "tx-\(String(seq, radix: 10))-" + String(repeating: "0", count: 6), status, minutesAgo: 1))
    }

    func matching(_ query: TransactionQuery) -> [TransactionRecord] {
        all.filter { row in
            (query.statusFilter.isEmpty || query.statusFilter.contains(row.status))
                && (query.search == nil || row.id.hasPrefix(query.search!))
        }
    }

    func page(_ query: TransactionQuery) -> [TransactionRecord] {
        let rows = matching(query)
        switch query.cursor {
        case .newest: return Array(rows.reversed().prefix(query.limit))
        case .oldest: return Array(rows.prefix(query.limit).reversed())
        case .olderThan(let seq): return Array(rows.filter { $0.seq < seq }.reversed().prefix(query.limit))
        case .newerThan(let seq): return Array(rows.filter { $0.seq > seq }.prefix(query.limit).reversed())
        }
    }

    /// Performs the effects the way the runner does, feeding their answers back.
    mutating func run(_ effects: [Effect], bound: Int = 50) {
        var pending = effects
        var rounds = 0
        while !pending.isEmpty && rounds < bound {
            rounds += 1
            var next: [Effect] = []
            for effect in pending {
                switch effect {
                case .loadPage(let query):
                    next += state.reduce(.pageLoaded(TransactionPage(query: query, rows: page(query), total: -1, overdue: -1, newestSeq: all.last?.seq)))
                case .countTransactions(let request):
                    let rows = matching(request.filters)
                    let above = request.atOrBelow.map { top in rows.filter { $0.seq >= top }.count }
                    let facets = request.facets ? TransactionFacets(cells: matching(TransactionFacets.base(of: request.filters)).map {
                        .init(status: $0.status, region: $0.region, currency: $0.currency, method: $0.method, flagged: !$0.flags.isEmpty, count: 1)
                    }) : nil
                    next += state.reduce(.countsLoaded(request, Counts(total: rows.count, overdue: 0, above: above, facets: facets)))
                case .countArrivals(let seq):
                    next += state.reduce(.arrivalsCounted(all.filter { $0.seq > seq }.count))
                default: break
                }
            }
            pending = next
        }
    }

    mutating func key(_ key: Key) { run(state.reduce(.key(key))) }

    /// `n` lines arrive (one commit), then the console hears of it.
    mutating func feed(_ n: Int) {
        for _ in 0..<n { append() }
        run(state.reduce(.dataChanged(.foreign)))
    }

    mutating func tick(milliseconds: Int64 = 1000) {
        run(state.reduce(.clockTicked(state.now.adding(milliseconds: milliseconds))))
    }

    var screen: [String] { state.render().rows }
}

@Suite struct LiveListTests {
    @Test func underAFeedTheSelectionStaysOnItsTransactionAndEnterOpensIt() {
        var world = FeedWorld(rows: 100)
        for _ in 0..<5 { world.key(.character("j")) }
        let chosen = world.state.transactions.selectedID!
        #expect(chosen == world.all[94].id)
        // 20 events a second for 3 seconds: far more than a page arrives above the selection.
        for _ in 0..<30 {
            world.feed(2)
            #expect(world.state.transactions.selectedID == chosen)
        }
        // The row is still on screen, under the cursor, and Enter opens it.
        #expect(world.screen.contains { $0.contains(String(chosen.prefix(13))) })
        #expect(world.state.transactions.selectedIndex == 5)
        let effects = world.state.reduce(.key(.enter))
        #expect(effects == [.loadDetail(chosen, knownEventCount: nil)])
    }

    @Test func atTheTopTheListFollowsNewRowsAndGReturnsToFollowing() {
        var world = FeedWorld(rows: 40)
        world.feed(3)
        #expect(world.state.transactions.selectedID == world.all.last!.id)
        world.key(.character("j"))
        world.feed(30)
        #expect(world.state.transactions.selectedID == world.all[41].id)
        world.key(.character("g"))
        world.feed(1)
        #expect(world.state.transactions.selectedID == world.all.last!.id)
        // Moving back up onto the newest row follows again.
        world.key(.character("j"))
        world.key(.character("k"))
        world.feed(1)
        #expect(world.state.transactions.selectedID == world.all.last!.id)
    }

    /// The "N new" of a pause counts what arrived since `p`, whatever page is read meanwhile
    /// (moving past the page's edge read a new page, and the count fell from 67 to 5).
    @Test func theArrivalsOfAPauseAreCountedFromThePauseWhateverPageIsRead() {
        var world = FeedWorld(rows: 200)
        world.key(.character("p"))
        world.feed(30)
        #expect(world.state.transactions.arrivedWhilePaused == 30)
        // Past the page's last row: a page further down is read while paused.
        for _ in 0..<(world.state.transactions.pageSize + 2) { world.key(.character("j")) }
        world.feed(4)
        #expect(world.state.transactions.arrivedWhilePaused == 34)
        world.key(.ctrl("d"))
        world.feed(1)
        #expect(world.state.transactions.arrivedWhilePaused == 35)
        #expect(world.screen.contains { $0.contains("⏸ PAUSED · 35 new") })
    }

    /// Past the page's edge the rows scroll by one under the cursor (a whole page flipped before:
    /// the cursor jumped from the last screen row to the first); a page key moves one page.
    @Test func pastAnEdgeTheRowsScrollByOneAndAPageIsAPage() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        for _ in 0..<(size - 1) { world.key(.character("j")) }
        #expect(world.state.transactions.selectedIndex == size - 1)
        world.key(.character("j"))
        // The next row, on the same (last) screen row; the window starts one row further down.
        #expect(world.state.transactions.selectedID == world.all[200 - 1 - size].id)
        #expect(world.state.transactions.selectedIndex == size - 1)
        #expect(world.state.transactions.rows.first?.id == world.all[200 - 2].id)
        world.key(.character("j"))
        #expect(world.state.transactions.selectedID == world.all[200 - 2 - size].id)
        #expect(world.state.transactions.selectedIndex == size - 1)
        // Back up to the window's top row, then once more: one row back into view, at the top.
        for _ in 0..<(size - 1) { world.key(.character("k")) }
        #expect(world.state.transactions.selectedIndex == 0)
        let top = world.state.transactions.rows[0].seq
        world.key(.character("k"))
        #expect(world.state.transactions.selectedSeq == top + 1)
        #expect(world.state.transactions.selectedIndex == 0)
        #expect(world.state.transactions.rows.count == size)
        // PgDn / PgUp: exactly a page of rows, the cursor on its screen row.
        world.key(.character("j")); world.key(.character("j"))
        let before = world.state.transactions.selectedSeq!
        world.key(.pageDown)
        #expect(world.state.transactions.selectedSeq == before - Int64(size))
        #expect(world.state.transactions.selectedIndex == 2)
        world.key(.pageUp)
        #expect(world.state.transactions.selectedSeq == before)
        world.key(.character("G"))
        let last = world.state.transactions.selectedSeq!
        world.key(.pageUp)
        #expect(world.state.transactions.selectedSeq == last + Int64(size), "G then PgUp jumped \(world.state.transactions.selectedSeq! - last) rows")
    }

    @Test func pauseAndResumeKeepTheChosenRow() {
        var world = FeedWorld(rows: 50)
        world.key(.character("p"))
        world.feed(25)
        #expect(world.state.transactions.arrivedWhilePaused == 25)
        world.key(.character("j"))
        world.key(.character("j"))
        let chosen = world.state.transactions.selectedID
        world.key(.character("p"))
        #expect(!world.state.transactions.isPaused)
        #expect(world.state.transactions.selectedID == chosen)
        world.feed(5)
        #expect(world.state.transactions.selectedID == chosen)
        // Even the row chosen at the top while paused stays chosen on resume.
        var top = FeedWorld(rows: 50)
        let first = top.state.transactions.selectedID
        top.key(.character("p"))
        top.feed(10)
        top.key(.character("p"))
        #expect(top.state.transactions.selectedID == first)
    }

    @Test func thePositionIndicatorSaysWhichRowOfHowMany() {
        var world = FeedWorld(rows: 4_518)
        #expect(world.screen[2].contains("row 1 of 4,518"))
        for _ in 0..<36 { world.key(.character("j")) }
        #expect(world.screen[2].contains("row 37 of 4,518"))
        world.feed(7)
        world.tick()
        #expect(world.screen[2].contains("row 44 of 4,525"))
        #expect(world.screen[2].contains("▲"))
        world.key(.character("G"))
        #expect(world.screen[2].contains("row 4,525 of 4,525"))
    }

    @Test func theLegendNamesTheRowMarks() {
        let world = FeedWorld(rows: 10)
        #expect(world.screen[2].contains("★ new ~ changed ! flagged"))
    }

    @Test func halfPagesAndGWork() {
        var world = FeedWorld(rows: 200)
        let half = world.state.transactions.pageSize / 2
        world.key(.ctrl("d"))
        #expect(world.state.transactions.position == 1 + half)
        world.key(.ctrl("d"))
        world.key(.ctrl("d"))
        #expect(world.state.transactions.position == 1 + 3 * half)
        world.key(.ctrl("u"))
        #expect(world.state.transactions.position == 1 + 2 * half)
        world.key(.character("G"))
        #expect(world.state.transactions.selectedID == world.all[0].id)
        world.key(.character("g"))
        #expect(world.state.transactions.selectedID == world.all.last!.id)
    }

    /// Keys reduced together before the page they asked for answers (a held `j`, a burst the
    /// loop drains at once): past the page's end each scrolls one row further, none is lost (14
    /// of 15 were: each scrolled again from the stale page's first row).
    @Test func movesPastTheEndBeforeThePageAnswersAreNotLost() {
        var world = FeedWorld(rows: 60)
        let size = world.state.transactions.pageSize
        var effects: [Effect] = []
        for _ in 0..<(size + 14) { effects += world.state.reduce(.key(.character("j"))) }
        world.run(effects)
        #expect(world.state.transactions.position == 1 + size + 14)
        #expect(world.state.transactions.selectedID == world.all[60 - (1 + size + 14)].id)
        // And back up past the window's top, as many keys at once: each a row further up.
        effects = []
        for _ in 0..<(size + 9) { effects += world.state.reduce(.key(.character("k"))) }
        world.run(effects)
        #expect(world.state.transactions.position == 1 + size + 14 - (size + 9))
        #expect(world.state.transactions.selectedID == world.all[60 - (1 + size + 14 - (size + 9))].id)
    }

    /// A burst of `j` longer than what is below stops on the last row with a full page (it ran
    /// on onto an empty page that said "No transactions yet", where j/k did nothing).
    @Test func aBurstPastTheLastRowStopsOnItWithAFullPage() {
        var world = FeedWorld(rows: 30)
        let size = world.state.transactions.pageSize
        world.tick()  // counted
        var effects: [Effect] = []
        for _ in 0..<(size + 40) { effects += world.state.reduce(.key(.character("j"))) }
        world.run(effects)
        #expect(world.state.transactions.rows.count == size)
        #expect(world.state.transactions.selectedID == world.all[0].id, "the oldest row")
        #expect(world.state.transactions.position == 30)
    }

    /// `k` between the two answers of a move up (the row above found, its window not read yet)
    /// goes on up from there, not again from the stale page's top.
    @Test func kBetweenTheTwoAnswersOfAMoveUpIsNotLost() {
        var world = FeedWorld(rows: 60)
        let size = world.state.transactions.pageSize
        for _ in 0..<(size + 9) { world.key(.character("j")) }
        let start = world.state.transactions.position ?? 0
        #expect(start == size + 10)
        for _ in 0..<(size - 1) { world.key(.character("k")) }
        #expect(world.state.transactions.position == start - (size - 1), "on the window's first row")
        world.run(world.state.reduce(.key(.character("k"))), bound: 1)  // the page above answered, not the reload
        world.run(world.state.reduce(.key(.character("k"))))
        #expect(world.state.transactions.position == start - size - 1)
        #expect(world.state.transactions.selectedID == world.all[60 - (start - size - 1)].id)
    }

    /// Half a page up from a window scrolled off the top, where the page above is short: the
    /// row half a page up (here the first), not the row just above the window (it was).
    @Test func halfAPageUpNearTheTopLandsHalfAPageUp() {
        var world = FeedWorld(rows: 40)
        let half = world.state.transactions.pageSize / 2
        world.key(.ctrl("d"))
        world.key(.ctrl("d"))
        #expect(world.state.transactions.position == 1 + 2 * half)
        #expect(world.state.transactions.window != .newest, "the window scrolled: the page above is short")
        world.key(.ctrl("u"))
        #expect(world.state.transactions.position == 1 + half)
        world.key(.ctrl("u"))
        #expect(world.state.transactions.position == 1)
        #expect(world.state.transactions.selectedID == world.all.last!.id)
        // PgUp from there too: a page up, clamped at the first row.
        world.key(.ctrl("d"))
        world.key(.ctrl("d"))
        world.key(.pageUp)
        #expect(world.state.transactions.position == 1)
    }

    // MARK: - Counts

    @Test func countsAreTrueFromTheFirstFrameAndAfterACatchUp() {
        // A console that starts on an empty database, then catches up on a backlog itself.
        var world = FeedWorld(rows: 0)
        #expect(world.state.transactions.total == 0)
        world.feed(500)
        world.feed(3)  // within the same second as the first commit
        world.tick()
        #expect(world.state.transactions.total == 503)
        #expect(world.screen[22].contains("503 transactions"))
    }

    /// Before its count answers, a page never shows a total it does not know: "counting", not
    /// "Transactions 0" or a page's size; a new filter is "counting" again until its own count.
    @Test func untilTheCountAnswersTheScreenSaysCounting() {
        var state = AppState(session: Fixture.session, size: Size(width: 80, height: 24), now: Fixture.now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        state.transactions.pageSize = state.bodyHeight - 2
        let effects = state.startEffects()
        #expect(state.render().rows[22].contains("counting transactions…"), "the first frame")
        guard let asked = state.transactions.lastRequested else { Issue.record("no page asked: \(effects)"); return }
        let rows = (1...20).map { Fixture.record(Int64($0), "tx-\($0)", .pending, minutesAgo: 1) }.reversed()
        _ = state.reduce(.pageLoaded(TransactionPage(query: asked, rows: Array(rows), total: -1, overdue: -1, newestSeq: 20)))
        var screen = state.render().rows
        var summary: String { screen[state.frame.body.y] }
        #expect(summary.contains("row 1 of … (counting)") && !summary.contains("row 1 of 20"), "\(summary)")
        #expect(screen[22].contains("counting transactions…"))
        let request = effects.compactMap { if case .countTransactions(let r) = $0 { r } else { nil } }.first
        guard let request else { Issue.record("no count asked: \(effects)"); return }
        _ = state.reduce(.countsLoaded(request, Counts(total: 4_518, overdue: 0, above: 0)))
        screen = state.render().rows
        #expect(summary.contains("row 1 of 4,518") && screen[22].contains("4,518 transactions"), "\(summary) / \(screen[22])")
        // A search typed: its count may answer before its page — no total beside the old rows.
        var typed = state.reduce(.key(.character("/")))
        typed += state.reduce(.key(.character("t")))
        typed += state.reduce(.key(.character("x")))
        let searchCount = typed.compactMap { if case .countTransactions(let r) = $0 { r } else { nil } }.last
        guard let searchCount else { Issue.record("no count asked for the search: \(typed)"); return }
        _ = state.reduce(.countsLoaded(searchCount, Counts(total: 3, overdue: 0, above: 0)))
        screen = state.render().rows
        #expect(summary.contains("(loading)") && !summary.contains("of 3 matching"), "\(summary)")
    }

    @Test func aBurstByAnotherProcessIsCountedEvenWhenNothingFollows() {
        var world = FeedWorld(rows: 10)
        // Several commits inside one second: the later ones are throttled, never dropped.
        world.feed(1)
        world.feed(1)
        world.feed(1)
        world.tick()
        #expect(world.state.transactions.total == 13)
        // A count still running when more arrives is asked again when it returns.
        var slow = FeedWorld(rows: 10)
        slow.tick()
        let first = slow.state.reduce(.dataChanged(.foreign))
        let request = first.compactMap { if case .countTransactions(let r) = $0 { r } else { nil } }.first
        #expect(request != nil)
        for _ in 0..<5 { slow.append() }
        #expect(!slow.state.reduce(.dataChanged(.foreign)).contains { if case .countTransactions = $0 { true } else { false } })
        slow.tick()
        // the first count answers with the old figure; a second is asked for the change meanwhile
        let again = slow.state.reduce(.countsLoaded(request!, Counts(total: 10, overdue: 0, above: nil)))
        #expect(again.contains { if case .countTransactions = $0 { true } else { false } })
        slow.run(again)
        #expect(slow.state.transactions.total == 15)
    }

    @Test func aCountThatTookLongIsAskedLessOftenUnderAFeedButFiltersAtOnce() {
        var world = FeedWorld(rows: 10)
        world.tick()
        func asked(_ effects: [Effect]) -> CountRequest? { effects.compactMap { if case .countTransactions(let r) = $0 { r } else { nil } }.first }
        // The store took 3 s for the last count (a one-letter search on 10M rows).
        world.append()
        let request = asked(world.state.reduce(.dataChanged(.foreign)))
        #expect(request != nil)
        _ = world.state.reduce(.countsLoaded(request!, Counts(total: 11, overdue: 0, above: nil, milliseconds: 3_000)))
        // Rows keep arriving: counted again 4 × 3 s after the last was asked, not every second.
        var askedAt: [Int] = []
        for second in 1...13 {
            world.append()
            var effects = world.state.reduce(.dataChanged(.foreign))
            effects += world.state.reduce(.clockTicked(world.state.now.adding(milliseconds: 1000)))
            if let again = asked(effects) {
                askedAt.append(second)
                _ = world.state.reduce(.countsLoaded(again, Counts(total: world.all.count, overdue: 0, above: nil, milliseconds: 3_000)))
            }
        }
        #expect(askedAt == [12])
        #expect(world.state.transactions.total == 23)
        // A filter changed is counted at once, whatever the last count cost.
        world.key(.character("/"))
        let typed = asked(world.state.reduce(.key(.character("t"))))
        #expect(typed?.filters.search == "t")
    }

    @Test func oneTransactionIsSingular() {
        var world = FeedWorld(rows: 1)
        world.tick()
        #expect(world.screen[22].contains("1 transaction ") || world.screen[22].hasSuffix("1 transaction"))
        #expect(!world.screen[22].contains("1 transactions"))
    }

    // MARK: - Search

    @Test func searchTrimsUpdatesAsYouTypeAndNMovesBetweenMatches() {
        var world = FeedWorld(rows: 30)
        world.key(.character("/"))
        for c in "  tx-2" { world.key(.character(c)) }
        // as you type: the list already shows the matches, the term trimmed
        #expect(world.state.transactions.query.search == "tx-2")
        #expect(world.state.transactions.rows.allSatisfy { $0.id.hasPrefix("tx-2") })
        world.key(.character(" "))
        world.key(.enter)
        #expect(world.state.transactions.query.search == "tx-2")
        let first = world.state.transactions.selectedID
        world.key(.character("n"))
        #expect(world.state.transactions.selectedID != first)
        world.key(.character("N"))
        #expect(world.state.transactions.selectedID == first)
    }

    @Test func aDateFilterTakesADurationBackFromNow() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        for _ in 0..<8 { _ = state.reduce(.key(.character("j"))) }  // first seen since
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.ctrl("u")))
        for c in "6h" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.query.since == Fixture.now.adding(milliseconds: -6 * 3_600_000))
        #expect(state.transactions.filters.error == nil)
        #expect(state.render().rows.joined().contains("2026-11-25 09:00"))  // 12:00 local − 6 h... in Santiago (UTC−3)
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.ctrl("u")))
        for c in "6x" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.filters.error?.contains("duration") == true)
    }
}
