import CleoDomain
@testable import ConsoleUI
import Testing

/// The paged list as pure functions: moves across page ends, where the cursor lands, the
/// counts, and moves made while a page is read (answered later, as a slow database does).
@Suite struct PagedListTests {
    struct Row: KeysetRow { let keysetID: Int64 }

    /// Rows 1…n with the store's keyset semantics: `.top` pages newest first, `.bottom` in log order.
    struct Store {
        var ids: [Int64]
        let limit: Int
        let home: PagedList<Row>.Home

        init(_ n: Int, limit: Int, home: PagedList<Row>.Home = .top) {
            ids = n == 0 ? [] : (1...Int64(n)).map { $0 }
            self.limit = limit
            self.home = home
        }

        func page(_ window: RowWindow) -> [Int64] {
            let ascending: [Int64] = switch window {
            case .newest: Array(ids.suffix(limit))
            case .oldest: Array(ids.prefix(limit))
            case .olderThan(let id): Array(ids.filter { $0 < id }.suffix(limit))
            case .newerThan(let id): Array(ids.filter { $0 > id }.prefix(limit))
            }
            return home == .top ? ascending.reversed() : ascending
        }

        /// The page's answer; follow-up reads answered too (at most `bound`).
        func answer(_ window: RowWindow?, to list: inout PagedList<Row>, bound: Int = 10) {
            var next = window
            for _ in 0..<bound {
                guard let window = next else { return }
                let rows = page(window)
                let newestOnPage = rows.max()
                let newer: Int = if let newestOnPage { ids.filter { $0 > newestOnPage }.count }
                    else if case .olderThan(let id) = window { ids.filter { $0 >= id }.count } else { 0 }
                next = list.receive(rows.map(Row.init), total: ids.count, newer: newer, window: window)
            }
        }

        func list(followsHome: Bool = true) -> PagedList<Row> {
            var list = PagedList<Row>(home: home, pageLimit: limit, followsHome: followsHome)
            answer(.newest, to: &list)
            return list
        }
    }

    @Test func anEmptyListHasNoRowsAndNoMoveReadsAPage() {
        let store = Store(0, limit: 5)
        var list = store.list()
        #expect(list.rows.isEmpty && list.total == 0 && list.selected == nil)
        #expect(list.rowsBefore == 0 && list.rowsAfter == 0 && list.older == 0)
        for move in [ListMove.by(1), .by(-1), .by(7), .first, .last] {
            #expect(list.apply(move) == nil, "\(move)")
            #expect(list.cursor == 0 && list.request == nil)
        }
    }

    @Test func aListOfExactlyOnePageNeverReadsAnother() {
        let store = Store(5, limit: 5)
        var list = store.list()
        #expect(list.rows.map(\.keysetID) == [5, 4, 3, 2, 1] && list.window == .newest)
        #expect(list.rowsBefore == 0 && list.rowsAfter == 0)
        #expect(list.move(by: 10) == nil && list.cursor == 4)
        #expect(list.last() == nil && list.cursor == 4)
        #expect(list.move(by: -2) == nil && list.cursor == 2)
        #expect(list.first() == nil && list.cursor == 0)
        #expect(list.move(by: -1) == nil && list.cursor == 0)
    }

    @Test func movesPastThePageEndsReadTheAdjoiningPagesAndLandByIndex() {
        let store = Store(12, limit: 5)
        var list = store.list()
        #expect(list.total == 12 && list.newer == 0 && list.older == 7 && list.rowsAfter == 7)
        // Two rows past the page's last: the page below, its second row.
        let down = list.move(by: 6)
        #expect(down == .olderThan(8))
        #expect(list.request == .init(window: .olderThan(8), landing: ListLanding(.first, 1), adjoinsHeld: true))
        #expect(list.cursor == 0, "the cursor stays until the page lands")
        store.answer(down, to: &list)
        #expect(list.rows.map(\.keysetID) == [7, 6, 5, 4, 3] && list.selected?.keysetID == 6)
        // Anchored at its newest row, so a reload shows the same rows.
        #expect(list.window == .olderThan(8) && list.newer == 5 && list.older == 2)
        #expect(list.rowsBefore == 5 && list.rowsAfter == 2)
        // Up past the top: the page above, nearest first, on its last row.
        let up = list.move(by: -2)
        #expect(up == .newerThan(7))
        store.answer(up, to: &list)
        #expect(list.window == .newest && list.selected?.keysetID == 8)
        // The last page is short: the oldest rows.
        store.answer(list.last(), to: &list)
        #expect(list.rows.map(\.keysetID) == [5, 4, 3, 2, 1] && list.selected?.keysetID == 1)
        #expect(list.newer == 7 && list.older == 0 && list.rowsAfter == 0)
        #expect(list.move(by: 1) == nil && list.selected?.keysetID == 1)
        store.answer(list.first(), to: &list)
        #expect(list.window == .newest && list.selected?.keysetID == 12)
    }

    /// A short page above the top is replaced by the newest page, on the row the move was going to.
    @Test func aShortPageTowardTheNewestIsReadAsTheNewestPage() {
        var store = Store(12, limit: 5)
        var list = store.list()
        store.answer(list.read(.olderThan(10), landing: ListLanding(.first)), to: &list)
        #expect(list.rows.map(\.keysetID) == [9, 8, 7, 6, 5] && list.newer == 3)
        let up = list.move(by: -2)
        #expect(up == .newerThan(9))
        // Answered in two steps: the short page, then the newest page it asks for.
        let rows = store.page(up!)
        #expect(rows == [12, 11, 10])
        let newest = list.receive(rows.map(Row.init), total: 12, newer: 0, window: up!)
        #expect(newest == .newest && list.request?.landing == ListLanding(.row(11)))
        store.ids.append(13)
        store.answer(newest, to: &list)
        #expect(list.window == .newest && list.selected?.keysetID == 11 && list.rows.first?.keysetID == 13)
    }

    @Test func anEmptyOlderPageIsNeverSwappedIn() {
        var store = Store(10, limit: 5)
        var list = store.list()
        let down = list.move(by: 5)
        store.ids.removeFirst(5)  // the older rows went away meanwhile
        store.answer(down, to: &list)
        #expect(list.rows.map(\.keysetID) == [10, 9, 8, 7, 6] && list.cursor == 4 && list.request == nil)
    }

    /// A reload of the page held keeps the cursor on its row; at the newest row of the newest
    /// page the cursor follows new rows when the list follows its home.
    @Test func aReloadKeepsTheRowOrFollowsTheNewest() {
        var store = Store(8, limit: 5)
        var following = store.list()
        var staying = store.list(followsHome: false)
        var onARow = store.list()
        _ = onARow.move(by: 2)
        store.ids += [9, 10]
        store.answer(.newest, to: &following)
        store.answer(.newest, to: &staying)
        store.answer(.newest, to: &onARow)
        #expect(following.selected?.keysetID == 10)
        #expect(staying.selected?.keysetID == 8)
        #expect(onARow.selected?.keysetID == 6)
        // An answer to an older request is dropped.
        #expect(onARow.receive([Row(keysetID: 1)], total: 10, newer: 9, window: .olderThan(2)) == nil)
        #expect(onARow.selected?.keysetID == 6 && onARow.rows.count == 5)
    }

    /// Two page moves before the first page answers: the second goes on from where the first
    /// was going, not again from the rows held (it was lost).
    @Test func aSecondMoveBeforeThePageAnswersGoesOnFromTheFirst() {
        let store = Store(20, limit: 5)
        var list = store.list()
        _ = list.move(by: 3)
        let first = list.move(by: 3)
        let second = list.move(by: 3)
        #expect(first == .olderThan(16) && second == .olderThan(16))
        #expect(list.request?.landing == ListLanding(.first, 4))
        store.answer(second, to: &list)
        #expect(list.selected?.keysetID == 11, "nine rows down from 20")
        // Up twice before the page above answers (the first within the rows held).
        _ = list.move(by: -3)
        #expect(list.move(by: -3) == .newerThan(15) && list.request?.landing == ListLanding(.last, -1))
        let up = list.move(by: -3)
        #expect(up == .newerThan(15) && list.request?.landing == ListLanding(.last, -4))
        store.answer(up, to: &list)
        #expect(list.selected?.keysetID == 20, "nine rows up from 11")
    }

    /// The opposite direction while a page is read: back on the rows held, no page needed, and
    /// the late answer of the first move is dropped.
    @Test func theOppositeMoveWhileAPageIsReadComesBackAtOnce() {
        let store = Store(12, limit: 5)
        var list = store.list()
        _ = list.move(by: 4)
        let down = list.move(by: 1)
        #expect(down == .olderThan(8))
        #expect(list.move(by: -1) == nil && list.request == nil && list.selected?.keysetID == 8)
        store.answer(down, to: &list)
        #expect(list.window == .newest && list.selected?.keysetID == 8)
        // Down a page and back up past the held rows' top while it is read: the page above them.
        store.answer(list.read(.olderThan(8), landing: ListLanding(.first)), to: &list)
        _ = list.move(by: 5)
        #expect(list.move(by: -7) == .newerThan(7) && list.request?.landing == ListLanding(.last, -1))
        store.answer(.newerThan(7), to: &list)
        #expect(list.selected?.keysetID == 9)
    }

    /// A page of one row: every move is a page, and moves made before it answers all count.
    @Test func aPageOfOneRow() {
        let store = Store(4, limit: 1)
        var list = store.list()
        #expect(list.rows.map(\.keysetID) == [4] && list.rowsAfter == 3)
        _ = list.move(by: 1)
        _ = list.move(by: 1)
        let down = list.move(by: 1)
        #expect(down == .olderThan(4) && list.request?.landing == ListLanding(.first, 2))
        // The landing is past the page that answers: the next one is read from it, and on.
        store.answer(down, to: &list)
        #expect(list.selected?.keysetID == 1 && list.request == nil && list.rowsAfter == 0)
        _ = list.move(by: -1)
        store.answer(list.move(by: -1), to: &list)
        #expect(list.selected?.keysetID == 3)
        store.answer(list.first(), to: &list)
        #expect(list.selected?.keysetID == 4 && list.window == .newest)
    }

    /// A move while g/G's page is read lands relative to where g/G lands, past that page too.
    @Test func aMoveAfterGWhileItIsReadCountsFromTheListsEnd() {
        let store = Store(12, limit: 5)
        var list = store.list()
        let last = list.last()
        #expect(last == .oldest)
        #expect(list.move(by: -6) == .oldest)
        store.answer(last, to: &list)
        #expect(list.selected?.keysetID == 7)
        // g, k (nothing above the first row), then j twice: two rows down from the first.
        let first = list.first()
        #expect(list.move(by: -1) == .newest && list.move(by: 1) == .newest && list.move(by: 1) == .newest)
        store.answer(first, to: &list)
        #expect(list.selected?.keysetID == 10)
    }

    /// The timeline's list: log order, its newest rows at the bottom, staying on its event.
    @Test func aListWithItsNewestAtTheBottom() {
        var store = Store(12, limit: 5, home: .bottom)
        var list = store.list(followsHome: false)
        #expect(list.rows.map(\.keysetID) == [8, 9, 10, 11, 12] && list.cursor == 0)
        #expect(list.rowsBefore == 7 && list.rowsAfter == 0)
        let up = list.move(by: -1)
        #expect(up == .olderThan(8))
        store.answer(up, to: &list)
        #expect(list.rows.map(\.keysetID) == [3, 4, 5, 6, 7] && list.selected?.keysetID == 7)
        #expect(list.window == .olderThan(8) && list.newer == 5 && list.rowsBefore == 2)
        // New events come after a page held further back: it stays, its counts move.
        store.ids.append(13)
        list.recount(total: 13)
        #expect(list.newer == 6 && list.older == 2 && list.selected?.keysetID == 7)
        // Down past the page's end: the page after it, then a short one, the end, read as the
        // newest page.
        store.answer(list.move(by: 2), to: &list)
        #expect(list.window == .olderThan(13) && list.selected?.keysetID == 9 && list.newer == 1)
        store.answer(list.move(by: 5), to: &list)
        #expect(list.window == .newest && list.selected?.keysetID == 13)
        store.answer(list.first(), to: &list)
        #expect(list.rowsBefore == 0 && list.selected?.keysetID == 1 && list.rowsAfter == 8)
        store.answer(list.last(), to: &list)
        #expect(list.selected?.keysetID == 13 && list.window == .newest)
    }
}
