import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Moves made before the page an earlier move asked for has answered (a held key, a burst the
/// loop reduces at once, a slow database): each counts from where the move before was going.
/// The keys are reduced together first, then the pages are answered in the order asked.
@Suite struct LostMovesTests {
    // MARK: - Transactions (its own keyset window, `deferredMoves`)

    @Test func pageDownTwiceBeforeThePageAnswersMovesTwoPages() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        world.key(.character("j"))
        world.key(.character("j"))
        let before = world.state.transactions.selectedSeq!
        world.run(world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageDown)))
        #expect(world.state.transactions.selectedSeq == before - Int64(2 * size))
        #expect(world.state.transactions.selectedIndex == 2, "the cursor keeps its screen row")
    }

    @Test func halfPageTwiceBeforeThePageAnswersMovesTwoHalves() {
        var world = FeedWorld(rows: 200)
        let half = world.state.transactions.pageSize / 2
        world.key(.ctrl("d"))
        world.key(.ctrl("d"))
        #expect(world.state.transactions.position == 1 + 2 * half)
        world.run(world.state.reduce(.key(.ctrl("d"))) + world.state.reduce(.key(.ctrl("d"))))
        #expect(world.state.transactions.position == 1 + 4 * half)
        world.run(world.state.reduce(.key(.ctrl("u"))) + world.state.reduce(.key(.ctrl("u"))))
        #expect(world.state.transactions.position == 1 + 2 * half)
    }

    @Test func pageDownThenPageUpBeforeThePageAnswersComesBack() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        for _ in 0..<(size + 5) { world.key(.character("j")) }
        let before = world.state.transactions.selectedSeq
        let index = world.state.transactions.selectedIndex
        world.run(world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageUp)))
        #expect(world.state.transactions.selectedSeq == before)
        #expect(world.state.transactions.selectedIndex == index)
    }

    /// `j` scrolls a row (its page read), then `k` before that page answers: back on the row.
    @Test func jThenKBeforeTheScrollAnswersComesBack() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        for _ in 0..<(size - 1) { world.key(.character("j")) }
        let before = world.state.transactions.selectedSeq
        world.run(world.state.reduce(.key(.character("j"))) + world.state.reduce(.key(.character("k"))))
        #expect(world.state.transactions.selectedSeq == before)
    }

    /// A page of one row: every `j` and `k` is a page read, and those made before it answers
    /// all count (the second was lost; more `k` than a page holds stopped a page short).
    @Test func aPageSizeOfOneMovesARowPerKey() {
        var world = FeedWorld(rows: 10)
        world.state.transactions.pageSize = 1
        world.run([world.state.loadPage()])
        #expect(world.state.transactions.rows.count == 1 && world.state.transactions.selectedSeq == 10)
        let j = Key.character("j"), k = Key.character("k")
        world.run(world.state.reduce(.key(j)) + world.state.reduce(.key(j)) + world.state.reduce(.key(j)))
        #expect(world.state.transactions.selectedSeq == 7)
        world.run(world.state.reduce(.key(k)) + world.state.reduce(.key(k)))
        #expect(world.state.transactions.selectedSeq == 9)
        world.run(world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageDown)))
        #expect(world.state.transactions.selectedSeq == 7)
        #expect(world.state.transactions.rows.map(\.seq) == [7])
    }

    /// The terminal resizes while a page up is read: the page lands as asked (a page of the old
    /// size up), then the list takes the new size on the same row (it landed the new size up).
    @Test func aResizeWhileAPageIsReadLandsWhereTheMoveAsked() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        for _ in 0..<(size + 5) { world.key(.character("j")) }
        let before = world.state.transactions.selectedSeq!
        world.run(world.state.reduce(.key(.pageUp)) + world.state.reduce(.resized(Size(width: 80, height: 30))))
        #expect(world.state.transactions.selectedSeq == before + Int64(size))
        #expect(world.state.transactions.pageSize == 24 && world.state.transactions.rows.count == 24)
        #expect(world.state.transactions.deferredMoves.isEmpty)
    }

    /// A move's page that never answers (its read failed) does not hold the next moves for good:
    /// the next key asks for it again, and both land.
    @Test func aPageThatNeverAnsweredIsAskedAgainByTheNextMove() {
        var world = FeedWorld(rows: 200)
        let size = world.state.transactions.pageSize
        let before = world.state.transactions.selectedSeq!
        _ = world.state.reduce(.key(.pageDown))  // lost
        world.run(world.state.reduce(.key(.pageDown)))
        #expect(world.state.transactions.selectedSeq == before - Int64(2 * size))
    }

    /// g while moves wait supersedes them; a resize waiting with them applies at once.
    @Test func gWhileMovesWaitStartsAfresh() {
        var world = FeedWorld(rows: 200)
        let effects = world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageDown))
            + world.state.reduce(.resized(Size(width: 80, height: 30))) + world.state.reduce(.key(.character("g")))
        #expect(world.state.transactions.deferredMoves.isEmpty && world.state.transactions.pageSize == 24)
        world.run(effects)
        #expect(world.state.transactions.selectedID == world.all.last!.id && world.state.transactions.rows.count == 24)
    }

    // MARK: - The cursor lists (`PagedList`)

    @Test func eventsPageDownTwiceBeforeThePageAnswers() {
        for list in [EventsScreen.State.List.rejected, .refused] {
            var world = EventsPagingTests.World(lines: 1_234)
            if list == .refused { world.key(.tab) }
            let screenful = EventsScreen.visibleRows(world.state)
            world.key(.character("j"), times: 495)
            world.run(world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageDown)))
            #expect(world.state.events.ids[world.state.events.cursor] == Int64(1_234 - 495 - 2 * screenful), "\(list)")
        }
    }

    @Test func eventsDownThenUpBeforeThePageAnswersStaysOnTheRow() {
        var world = EventsPagingTests.World(lines: 1_234)
        world.key(.character("j"), times: 499)
        #expect(world.selected == 735)
        world.run(world.state.reduce(.key(.character("j"))) + world.state.reduce(.key(.character("k"))))
        #expect(world.selected == 735 && world.state.events.rejected.window == .newest)
    }

    @Test func auditPageDownTwiceBeforeThePageAnswers() {
        var world = AuditPagingTests.World()
        let screenful = AuditScreen.visibleRows(world.state)
        world.key(.character("j"), times: 495)
        world.run(world.state.reduce(.key(.pageDown)) + world.state.reduce(.key(.pageDown)))
        #expect(world.selected == Int64(1_234 - 495 - 2 * screenful))
    }

    @Test func timelinePageUpTwiceBeforeThePageAnswers() {
        var world = TimelinePagingTests.World(events: 1_234)
        world.key(.character("j"), times: 2)
        #expect(world.selected == 737)
        let screenful = TransactionDetailScreen.visibleRows(world.state)
        world.run(world.state.reduce(.key(.pageUp)) + world.state.reduce(.key(.pageUp)))
        #expect(world.selected == Int64(737 - 2 * screenful))
        #expect(world.screen.contains("Timeline · events 235–734 of 1,234"), "\(world.screen)")
    }
}
