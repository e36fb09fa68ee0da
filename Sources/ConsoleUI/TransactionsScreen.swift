import CleoDomain
import TerminalCanvas

/// The live list: newest first, keyset pages, stacked filters and search run as SQL, the
/// selection following a transaction id (never a row index), pause with a count of arrivals.
public enum TransactionsScreen {
    public struct State: Sendable, Equatable {
        /// Filters and search (the cursor and limit come from `window` and the page size).
        public var query = TransactionQuery()
        /// `.newest` follows the top of the list; anything else is anchored at its first row
        /// (`.olderThan(top + 1)`), so rows arriving above never move what is on screen.
        public var window = TransactionQuery.Cursor.newest
        public var rows: [TransactionRecord] = []
        public var selectedID: String?
        /// The selected transaction's seq: where the selection goes when its row leaves the page
        /// (a filter no longer matching it) — the nearest older row, never the first.
        public var selectedSeq: Int64?
        public var total = 0
        public var overdue = 0
        /// The filters `total` was counted for; nil until the first count. Until the filters
        /// shown are counted the screens say "counting", never a stale or zero total.
        var countedFilters: TransactionQuery?
        var isCounted: Bool { countedFilters.map { TransactionsScreen.sameFilters($0, query) } ?? false }
        /// Where in the held rows the window asked for starts: past 0 while a scroll's page has
        /// not answered (the window's first row is one the stale page still holds).
        var pendingWindowStart: Int {
            guard case .olderThan(let seq) = window, let index = rows.firstIndex(where: { $0.seq == seq }) else { return 0 }
            return index + 1
        }
        /// The rows held are of the filters on screen (a new filter's page may not be in yet).
        var rowsCurrent: Bool { lastAnswered.map { TransactionsScreen.sameFilters($0, query) } ?? false }
        /// Matching rows newer than the window's first row (the position indicator), and the
        /// window it was counted for; nil until counted.
        public var rowsAbove: Int?
        var rowsAboveWindow: TransactionQuery.Cursor?
        /// Counts (total, overdue, rows above): requested after every change that can move them,
        /// at most one at a time and one a second while the feed runs (less often when counting
        /// takes long, `countCostShare`) — never skipped.
        var countsInFlight: CountRequest?
        var countsStale = false
        /// When the overdue count moves next with no commit (`Counts.overdueChangesAt`).
        var overdueChangesAt: Timestamp?
        var lastCounted: CountRequest?
        var lastCountAt: Timestamp?
        var lastCountMilliseconds: Int64 = 0
        /// When the panel's counts per value were last asked, and under which filters.
        var lastFacetsAt: Timestamp?
        var lastFacetFilters: TransactionQuery?
        public var newestSeq: Int64?
        public var isLoaded = false
        public var isPaused = false
        public var arrivedWhilePaused = 0
        /// The newest seq when `p` paused: what arrived is counted after it, not after the newest
        /// of the page last read (a page read while paused moved that on, and the count dropped).
        public var pausedAfterSeq: Int64?
        /// Rows marked new or changed, until when.
        public var marks: [String: Mark] = [:]
        public var search: TextField?
        public var filters = FilterPanel()
        /// `:export` found its file already there: the question asked before replacing it.
        public var confirmingExport: ExportRequest?
        public var pageSize = 18
        var pendingSelection: PendingSelection?
        var lastRequested: TransactionQuery?
        /// Moves made while a move's page is read, replayed in order once it lands: each counts
        /// from the rows that page brings, which the rows held cannot say (PgDn twice, PgDn then
        /// PgUp, `j` at a page size of 1).
        var deferredMoves: [DeferredMove] = []

        enum DeferredMove: Sendable, Equatable {
            case rows(Int), page(forward: Bool), halfPage(forward: Bool)
            /// The terminal resized: the page a move asked for is read at the old size (where the
            /// cursor lands on it counts its rows), so the size changes once it has landed.
            case resize
        }

        /// A move's page is being read, or moves wait for one: the next move waits too.
        var isMoving: Bool { pendingSelection != nil || !deferredMoves.isEmpty }

        public struct Mark: Sendable, Equatable {
            public var isNew: Bool
            public var until: Timestamp
        }

        enum PendingSelection: Sendable, Equatable {
            case first, last
            /// A transaction by id, or the nearest older one by seq when it is not on the page.
            case row(String, seq: Int64)
            /// A row index on the page (half-page moves keep the cursor's screen row).
            case index(Int)
            /// `k` on the top row of a window below the newest: the page above is read only to
            /// find the row `n` above (1: just above; more when keys came before it answered),
            /// which then starts the window (scrolled by `n` rows).
            case rowsAbove(Int)
        }

        /// Whether the list follows new rows: the window at the top and the cursor on its first row.
        public var isFollowingTop: Bool { window == .newest && (selectedIndex ?? 0) == 0 }

        /// The selected row's position in the whole filtered list (1-based), when known.
        public var position: Int? {
            guard let index = selectedIndex else { return nil }
            if window == .newest { return index + 1 }
            guard let above = rowsAbove, rowsAboveWindow == window else { return nil }
            return above + index + 1
        }

        mutating func select(_ row: TransactionRecord?) {
            selectedID = row?.id
            selectedSeq = row?.seq
        }

        /// Leaves the top: the window stays on the rows now shown while new ones arrive above.
        /// The rows above the current window, when known.
        var rowsAboveOfCurrentWindow: Int? {
            if window == .newest { return 0 }
            return rowsAboveWindow == window ? rowsAbove : nil
        }

        /// What the counts are asked for: the filters, and the window's first seq.
        func countRequest(now: Timestamp) -> CountRequest {
            var filters = query
            filters.cursor = .newest
            filters.limit = 0
            filters.now = query.overdueMinutes != nil ? now : nil
            if case .olderThan(let top) = window { return CountRequest(filters: filters, atOrBelow: top) }
            return CountRequest(filters: filters, atOrBelow: nil)
        }

        mutating func anchorIfNeeded() {
            guard window == .newest, let first = rows.first, (selectedIndex ?? 0) != 0 || isPaused else { return }
            window = .olderThan(first.seq + 1)
            if rowsAboveWindow != window {
                rowsAbove = 0
                rowsAboveWindow = window
            }
        }

        public init() {}

        public var selectedIndex: Int? { rows.firstIndex { $0.id.sameBytes(as: selectedID ?? "") } }
        public var selected: TransactionRecord? { selectedIndex.map { rows[$0] } }

        /// The last page requested has come back (for benchmarks and tests that wait on it).
        public var lastRequestedWasAnswered: Bool { lastRequested == nil || lastAnswered == lastRequested }
        var lastAnswered: TransactionQuery?

        /// The request for the page the screen shows.
        public func pageQuery(now: Timestamp) -> TransactionQuery {
            var query = self.query
            query.cursor = window
            query.limit = pageSize
            if query.overdueMinutes != nil { query.now = now }
            return query
        }

        mutating func expireMarks(now: Timestamp) {
            marks = marks.filter { $0.value.until > now }
        }
    }

    /// Minutes after which a Pending transaction is overdue (a lost webhook leaves it Pending forever).
    public static let overdueMinutes = 30
    /// How long a new or changed row stays marked.
    static let markMilliseconds: Int64 = 3000

    // MARK: - Keys

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "move") { move(&$0, by: 1) },
        KeyBinding([.character("k"), .up], "move", inHints: false) { move(&$0, by: -1) },
        KeyBinding([.pageDown, .ctrl("f")], "page") { page(&$0, forward: true) },
        KeyBinding([.pageUp, .ctrl("b")], "page up", inHints: false) { page(&$0, forward: false) },
        KeyBinding([.ctrl("d")], "half page", inHints: false) { halfPage(&$0, forward: true) },
        KeyBinding([.ctrl("u")], "half page up", inHints: false) { halfPage(&$0, forward: false) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { restart(&$0, at: .newest, select: .first) },
        KeyBinding([.character("G"), .end], "last", inHints: false) { restart(&$0, at: .oldest, select: .last) },
        KeyBinding([.character("n")], "next match", inHints: false) { move(&$0, by: 1, onlyWhenSearching: true) },
        KeyBinding([.character("N")], "previous match", inHints: false) { move(&$0, by: -1, onlyWhenSearching: true) },
        KeyBinding([.enter], "open") { (state: inout AppState) -> Step in
            state.transactions.selectedID.map { .go(.openDetail($0)) } ?? .effects([])
        },
        KeyBinding([.character("/")], "search") { state in
            state.transactions.search = TextField(text: state.transactions.query.search ?? "")
            return []
        },
        KeyBinding([.character("f")], "filters") { state in
            state.transactions.filters.isOpen = true
            // The panel's counts per value: asked now (unless fresh), then with the other counts.
            return state.requestCounts(onlyIfChanged: true, now: true)
        },
        KeyBinding([.character("p")], "pause") { state in
            state.transactions.isPaused.toggle()
            state.transactions.arrivedWhilePaused = 0
            state.transactions.pausedAfterSeq = state.transactions.isPaused ? state.transactions.newestSeq : nil
            // Paused or resumed, the row chosen stays chosen: the window stays where it is.
            state.transactions.anchorIfNeeded()
            if state.transactions.isPaused { return [] }
            return [state.loadPage()] + state.requestCounts()
        },
        KeyBinding([.character("y")], "copy id") { state in
            guard let row = state.transactions.selected else { return [] }
            return state.copy(row.id, what: "transaction id")
        },
        KeyBinding([.character("Y")], "copy psp id") { state in
            guard let row = state.transactions.selected else { return [] }
            guard let psp = row.pspTransactionID, !psp.isEmpty else {
                state.say("this transaction has no psp id yet", error: true)
                return []
            }
            return state.copy(psp, what: "psp id")
        },
        KeyBinding([.escape], "clear", inHints: false) { state in
            guard state.transactions.query.search != nil else { return [] }
            state.transactions.query.search = nil
            return restart(&state, at: .newest, select: nil)
        },
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        if var field = state.transactions.search {
            let before = state.transactions.query.search
            switch field.handle(key) {
            case .editing:
                state.transactions.search = field
                // Updates as you type: the list shows the matches of what is in the field.
                state.transactions.query.search = searchTerm(field.text)
                if state.transactions.query.search == before { return [] }
            case .cancelled:
                state.transactions.search = nil
                state.transactions.query.search = nil
            case .submitted:
                state.transactions.search = nil
                state.transactions.query.search = searchTerm(field.text)
                if state.transactions.query.search == before, state.transactions.isLoaded {
                    // Already showing these matches: Enter selects the first one.
                    if state.transactions.window == .newest {
                        state.transactions.select(state.transactions.rows.first)
                        return []
                    }
                }
            }
            return restart(&state, at: .newest, select: .first) + state.requestCounts()
        }
        if state.transactions.filters.isOpen {
            return FilterPanel.reduce(key, in: &state)
        }
        return keys.handle(key, in: &state) ?? []
    }

    /// The search as the store gets it: surrounding whitespace trimmed (cli.md), nil when empty.
    static func searchTerm(_ text: String) -> String? {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        return trimmed.isEmpty ? nil : trimmed
    }

    // MARK: - Results

    static func pageLoaded(_ page: TransactionPage, in state: inout AppState) -> [Effect] {
        var t = state.transactions
        // A late answer to an older request is dropped.
        if let requested = t.lastRequested, requested.cursor != page.query.cursor || requested.limit != page.query.limit
            || !sameFilters(requested, page.query) {
            return []
        }
        // A short page above the top: show the newest page instead, keeping the row the move
        // was going to (the one just above) or else the row chosen.
        // `k` past the top: the row just above (the page's oldest) starts the window.
        if case .newerThan = page.query.cursor, case .rowsAbove(let n)? = t.pendingSelection {
            if n > page.rows.count, page.rows.count == page.query.limit, let top = page.rows.first {
                // Further up than a page reaches (more `k` than rows a page holds): on up from its top.
                t.window = .newerThan(top.seq)
                t.pendingSelection = .rowsAbove(n - page.rows.count)
            } else if !page.rows.isEmpty {
                let above = page.rows[max(0, page.rows.count - n)]
                t.window = .olderThan(above.seq + 1)
                t.pendingSelection = .row(above.id, seq: above.seq)
            } else {
                t.window = .newest
                t.pendingSelection = nil
            }
            state.transactions = t
            return [state.loadPage()]
        }
        if case .newerThan = page.query.cursor, page.rows.count < page.query.limit {
            t.window = .newest
            // The row the move was going to: `.index(i)` was asked of a full page above, i.e.
            // `limit − i` rows above the window; this page holds only the `count` nearest.
            let target: TransactionRecord?
            switch t.pendingSelection {
            case .last?: target = page.rows.last
            case .index(let i)?: target = page.rows.isEmpty ? nil : page.rows[max(0, min(page.rows.count - 1, page.rows.count - (page.query.limit - i)))]
            default: target = nil
            }
            switch t.pendingSelection {
            case .last?, .index?:
                if let row = target { t.pendingSelection = .row(row.id, seq: row.seq) }
                else if let id = t.selectedID, let seq = t.selectedSeq { t.pendingSelection = .row(id, seq: seq) }
            default: break
            }
            state.transactions = t
            return [state.loadPage()]
        }
        let wasAtTop = t.isFollowingTop && !t.isPaused
        let old = Dictionary(t.rows.map { (ByteKey($0.id), $0) }, uniquingKeysWith: { a, _ in a })
        if t.isLoaded {
            let previousNewest = t.newestSeq ?? 0
            for row in page.rows {
                if let before = old[ByteKey(row.id)] {
                    if before.status != row.status || before.eventCount != row.eventCount || before.flags != row.flags {
                        t.marks[row.id] = .init(isNew: false, until: state.now.adding(milliseconds: markMilliseconds))
                    }
                } else if row.seq > previousNewest {
                    t.marks[row.id] = .init(isNew: true, until: state.now.adding(milliseconds: markMilliseconds))
                }
            }
        }
        t.rows = page.rows
        t.lastAnswered = page.query
        if page.total >= 0 {
            t.total = page.total
            t.countedFilters = page.query
        }
        if page.overdue >= 0 { t.overdue = page.overdue }
        t.newestSeq = page.newestSeq
        t.isLoaded = true
        // A page above the top, or the last page, is normalised to a window that starts at its
        // first row: the next reload shows the same rows.
        switch page.query.cursor {
        case .newerThan, .oldest:
            if let first = page.rows.first {
                let window = TransactionQuery.Cursor.olderThan(first.seq + 1)
                if window != t.rowsAboveWindow { t.rowsAbove = nil }
                t.rowsAboveWindow = window
                t.window = window
            }
        default: break
        }
        switch t.pendingSelection {
        case .first?: t.select(page.rows.first)
        case .last?: t.select(page.rows.last)
        case .index(let index)?: t.select(page.rows.isEmpty ? nil : page.rows[min(index, page.rows.count - 1)])
        case .rowsAbove?: t.select(page.rows.first)
        case .row(let id, let seq)?:
            t.selectedID = id
            t.selectedSeq = seq
            if t.selectedIndex == nil { t.select(nearest(seq, in: page.rows)) }
        case nil:
            if wasAtTop {
                t.select(page.rows.first)
            } else if let index = t.selectedIndex {
                t.select(page.rows[index])
            } else {
                t.select(t.selectedSeq.flatMap { nearest($0, in: page.rows) } ?? page.rows.first)
            }
        }
        t.pendingSelection = nil
        t.anchorIfNeeded()
        state.transactions = t
        // A new window or new filters: count now (total, and the rows above for the position).
        let counts = state.requestCounts(onlyIfChanged: true)
        return counts + replayDeferredMoves(&state)
    }

    /// The row at `seq` or the nearest older one (rows are newest first), else the last row.
    static func nearest(_ seq: Int64, in rows: [TransactionRecord]) -> TransactionRecord? {
        rows.first { $0.seq <= seq } ?? rows.last
    }

    /// The same filters, whatever the page (cursor, limit) and the clock.
    static func sameFilters(_ a: TransactionQuery, _ b: TransactionQuery) -> Bool {
        func filtersOnly(_ query: TransactionQuery) -> TransactionQuery {
            var q = query
            q.now = nil
            q.cursor = .newest
            q.limit = 0
            return q
        }
        return filtersOnly(a) == filtersOnly(b)
    }
}
