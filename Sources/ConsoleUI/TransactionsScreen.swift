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
        /// Matching rows newer than the window's first row (the position indicator), and the
        /// window it was counted for; nil until counted.
        public var rowsAbove: Int?
        var rowsAboveWindow: TransactionQuery.Cursor?
        /// Counts (total, overdue, rows above): requested after every change that can move them,
        /// at most one at a time and one a second while the feed runs — never skipped.
        var countsInFlight: CountRequest?
        var countsStale = false
        var lastCounted: CountRequest?
        var lastCountAt: Timestamp?
        public var newestSeq: Int64?
        public var isLoaded = false
        public var isPaused = false
        public var arrivedWhilePaused = 0
        /// Rows marked new or changed, until when.
        public var marks: [String: Mark] = [:]
        public var search: TextField?
        public var filters = FilterPanel()
        public var pageSize = 18
        var pendingSelection: PendingSelection?
        var lastRequested: TransactionQuery?

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
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            state.transactions.window = .newest
            state.transactions.pendingSelection = .first
            return [state.loadPage()]
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            state.transactions.window = .oldest
            state.transactions.pendingSelection = .last
            return [state.loadPage()]
        },
        KeyBinding([.character("n")], "next match", inHints: false) { move(&$0, by: 1, onlyWhenSearching: true) },
        KeyBinding([.character("N")], "previous match", inHints: false) { move(&$0, by: -1, onlyWhenSearching: true) },
        KeyBinding([.enter], "open") { open(&$0) },
        KeyBinding([.character("/")], "search") { state in
            state.transactions.search = TextField(text: state.transactions.query.search ?? "")
            return []
        },
        KeyBinding([.character("f")], "filters") { state in
            state.transactions.filters.isOpen = true
            return []
        },
        KeyBinding([.character("p")], "pause") { state in
            state.transactions.isPaused.toggle()
            state.transactions.arrivedWhilePaused = 0
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
            state.transactions.window = .newest
            return [state.loadPage()]
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
            state.transactions.window = .newest
            state.transactions.pendingSelection = .first
            return [state.loadPage()] + state.requestCounts()
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

    static func move(_ state: inout AppState, by delta: Int, onlyWhenSearching: Bool = false) -> [Effect] {
        if onlyWhenSearching && state.transactions.query.search == nil {
            state.say("n / N move between the matches of a search: / starts one", error: true)
            return []
        }
        let t = state.transactions
        guard !t.rows.isEmpty else { return [] }
        let index = t.selectedIndex ?? 0
        let target = index + delta
        if target >= 0 && target < t.rows.count {
            state.transactions.select(t.rows[target])
            // Back on the newest row: follow new rows again.
            if target == 0, let newest = t.newestSeq, t.rows[0].seq >= newest, !t.isPaused {
                state.transactions.window = .newest
                return [state.loadPage()]
            }
            state.transactions.anchorIfNeeded()
            return []
        }
        if target >= t.rows.count, t.rows.count == t.pageSize, let last = t.rows.last {
            pageDown(&state, after: last, select: .first)
            return [state.loadPage()]
        }
        if target < 0, t.window != .newest, let first = t.rows.first {
            state.transactions.window = .newerThan(first.seq)
            state.transactions.pendingSelection = .last
            return [state.loadPage()]
        }
        return []
    }

    /// The next page down starts right after `last`: the rows above it are known exactly.
    static func pageDown(_ state: inout AppState, after last: TransactionRecord, select: State.PendingSelection) {
        let t = state.transactions
        let window = TransactionQuery.Cursor.olderThan(last.seq)
        if let position = t.rowsAboveOfCurrentWindow { state.transactions.rowsAbove = position + t.rows.count } else { state.transactions.rowsAbove = nil }
        state.transactions.rowsAboveWindow = window
        state.transactions.window = window
        state.transactions.pendingSelection = select
    }

    static func page(_ state: inout AppState, forward: Bool) -> [Effect] {
        let t = state.transactions
        if forward {
            guard let last = t.rows.last, t.rows.count == t.pageSize else {
                if let last = t.rows.last { state.transactions.select(last) }
                state.transactions.anchorIfNeeded()
                return []
            }
            pageDown(&state, after: last, select: .first)
            return [state.loadPage()]
        }
        guard t.window != .newest, let first = t.rows.first else {
            if let first = t.rows.first { state.transactions.select(first) }
            return []
        }
        state.transactions.window = .newerThan(first.seq)
        state.transactions.pendingSelection = .first
        return [state.loadPage()]
    }

    /// `Ctrl-D` / `Ctrl-U`: the cursor moves half a page; past the page's edge the rows scroll
    /// by half a page under it instead.
    static func halfPage(_ state: inout AppState, forward: Bool) -> [Effect] {
        let t = state.transactions
        guard !t.rows.isEmpty else { return [] }
        let half = max(1, t.pageSize / 2)
        let index = t.selectedIndex ?? 0
        if forward {
            if index + half < t.rows.count, t.rows.count < t.pageSize || index + half < t.pageSize - half || index < half {
                return move(&state, by: half)
            }
            guard t.rows.count == t.pageSize else { return move(&state, by: t.rows.count - 1 - index) }
            // Scroll: the window starts half a page further down, the cursor keeps its screen row.
            pageDown(&state, after: t.rows[half - 1], select: .index(index))
            return [state.loadPage()]
        }
        if index - half >= 0 { return move(&state, by: -half) }
        guard t.window != .newest, let first = t.rows.first else { return move(&state, by: -index) }
        state.transactions.window = .newerThan(first.seq)
        state.transactions.pendingSelection = .index(max(0, t.pageSize - (half - index)))
        return [state.loadPage()]
    }

    static func open(_ state: inout AppState) -> [Effect] {
        guard let id = state.transactions.selectedID else { return [] }
        state.detail = TransactionDetailScreen.State()
        state.detail.requestedID = id
        state.screen = .detail
        return [.loadDetail(id)]
    }

    static func resized(_ state: inout AppState) -> [Effect] {
        let size = max(1, state.bodyHeight - 2)
        guard size != state.transactions.pageSize else { return [] }
        state.transactions.pageSize = size
        return [state.loadPage()]
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
        if case .newerThan = page.query.cursor, page.rows.count < page.query.limit {
            t.window = .newest
            switch t.pendingSelection {
            case .last?, .index?:
                if let row = page.rows.last { t.pendingSelection = .row(row.id, seq: row.seq) }
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
        if page.total >= 0 { t.total = page.total }
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
        return state.requestCounts(onlyIfChanged: true)
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

    // MARK: - Render

    struct Column {
        var title: String
        var width: Int
        var alignRight = false
    }

    /// The list's columns for a width. What the width buys, in order: the user (cut down to 8),
    /// the whole 24-character id, the error code (whole at 23), the flags (down to 8), then the
    /// user widened to what it needs. Header and cells are both drawn from these specs.
    static func columns(width: Int) -> [Column] {
        var columns = [
            Column(title: "", width: 1), Column(title: "FIRST SEEN", width: 11), Column(title: "TRANSACTION", width: 14),
            Column(title: "METHOD", width: 7), Column(title: "CC", width: 2), Column(title: "AMOUNT", width: 15, alignRight: true),
            Column(title: "STATUS", width: 13),
        ]
        var used = columns.reduce(0) { $0 + $1.width + 1 }
        func add(_ title: String, _ wanted: Int, minimum: Int) {
            let room = width - used - 1
            guard room >= minimum else { return }
            columns.append(Column(title: title, width: min(wanted, room)))
            used += min(wanted, room) + 1
        }
        func grow(_ title: String, to needed: Int) {
            guard let index = columns.firstIndex(where: { $0.title == title }) else { return }
            let grown = min(max(0, width - used), max(0, needed - columns[index].width))
            columns[index].width += grown
            used += grown
        }
        add("USER", 18, minimum: 8)
        if columns.count > 7 { grow("TRANSACTION", to: 24) }
        add("ERROR", 23, minimum: 17)
        add("FLAGS", 17, minimum: 8)
        grow("ERROR", to: 23)
        grow("USER", to: 24)
        return columns
    }

    /// A word and a symbol per status; the symbols differ from each other and from every row
    /// mark and the cut-text mark, in UTF-8 and in their ASCII stand-ins (`+`, `x`, `o`).
    static func statusLabel(_ status: TransactionStatus) -> String {
        switch status {
        case .pending: "◌ Pending"
        case .approved: "✓ Approved"
        case .declined: "✗ Declined"
        }
    }

    static func statusText(_ row: TransactionRecord, now: Timestamp) -> (String, Role) {
        switch row.status {
        case .approved: return (statusLabel(row.status), .statusApproved)
        case .declined: return (statusLabel(row.status), .statusDeclined)
        case .pending:
            if row.isOverdue(at: now, minutes: overdueMinutes) {
                return (statusLabel(row.status) + " " + age(from: row.firstSeenAt, to: now), .overdue)
            }
            return (statusLabel(row.status), .statusPending)
        }
    }

    /// The row marks (first column) and what they mean, for the legend.
    enum RowMark: String, CaseIterable {
        case new = "★", changed = "~", flagged = "!"
        var meaning: String {
            switch self {
            case .new: "new"
            case .changed: "changed"
            case .flagged: "flagged"
            }
        }
    }

    static func mark(for row: TransactionRecord, _ t: State) -> RowMark? {
        if let mark = t.marks[row.id] { return mark.isNew ? .new : .changed }
        return row.flags.isEmpty ? nil : .flagged
    }

    /// `1 transaction`, `2 transactions`.
    public static func counted(_ n: Int, _ noun: String) -> String {
        "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    /// The summary line. What gives way when the width runs out, last first: the legend, the
    /// filter summary (cut), the overdue warning; the position and the pause state never.
    static func renderSummary(_ state: AppState, into canvas: inout Canvas, y: Int) {
        let t = state.transactions
        let width = canvas.size.width
        var x = canvas.write(" Transactions ", x: 0, y: y, role: .title) + 1
        let matching = t.query.isFiltered ? " matching" : ""
        var where_: String
        if let position = t.position, !t.rows.isEmpty {
            where_ = "row \(grouped(position)) of \(grouped(max(t.total, position)))\(matching)"
        } else {
            where_ = t.rows.isEmpty && t.isLoaded ? "0\(matching)" : "\(grouped(t.total))\(matching)"
        }
        if t.window != .newest, let above = t.rowsAboveOfCurrentWindow, above > 0 {
            where_ += " · ▲ \(grouped(above)) newer (g)"
        }
        let paused = t.isPaused ? " ⏸ PAUSED · \(grouped(t.arrivedWhilePaused)) new · p resumes " : ""
        let pausedWidth = TerminalText.width(paused)
        x += canvas.write(where_, x: x, y: y, role: .normal, maxWidth: width - x - pausedWidth)
        var room = width - x - pausedWidth
        if t.overdue > 0 {
            let text = "  ⚠ \(grouped(t.overdue)) overdue Pending >\(overdueMinutes)m"
            if TerminalText.width(text) <= room {
                x += canvas.write(text, x: x, y: y, role: .overdue)
                room = width - x - pausedWidth
            }
        }
        let legend = "  " + RowMark.allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: " ") + " "
        let filter = t.query.summary.isEmpty ? "" : "  filter: " + t.query.summary
        if !filter.isEmpty, room > 12 {
            x += canvas.write(filter, x: x, y: y, role: .accent, maxWidth: room - 1)
            room = width - x - pausedWidth
        }
        if !paused.isEmpty {
            canvas.write(paused, x: width - pausedWidth, y: y, role: .warning)
        } else if TerminalText.width(legend) <= room {
            canvas.write(legend, x: width - TerminalText.width(legend), y: y, role: .muted)
        }
    }

    /// `45m`, `3h`, `2d`.
    static func age(from: Timestamp, to: Timestamp) -> String {
        let minutes = max(0, (to.millisecondsSince1970 - from.millisecondsSince1970) / 60_000)
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 48 * 60 { return "\(minutes / 60)h" }
        return "\(minutes / 1440)d"
    }

    static func shortTime(_ t: Timestamp, offset: Int) -> String {
        let full = RFC3339.formatShort(t, offsetSeconds: offset)  // 2026-11-25 21:20:17
        return String(full.dropFirst(5).prefix(11))  // 11-25 21:20
    }

    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let t = state.transactions
        let width = canvas.size.width
        renderSummary(state, into: &canvas, y: top)
        // Header.
        let cols = columns(width: width)
        var cx = 0
        for column in cols {
            canvas.write(TerminalText.padded(column.title, to: column.width, alignRight: column.alignRight), x: cx, y: top + 1, role: .header)
            cx += column.width + 1
        }
        canvas.paint(x: 0, y: top + 1, width: width, role: .header)
        let listTop = top + 2
        let rows = height - 2
        if t.rows.isEmpty {
            // The hint wraps (a long events path included) instead of stopping mid-word.
            var y = listTop + 1
            for (index, line) in emptyText(state).enumerated() where y < listTop + rows {
                y += canvas.wrapped(line, x: 2, y: y, width: width - 4, maxLines: listTop + rows - y, role: index == 0 ? .normal : .muted)
            }
            if let field = t.search { renderSearch(field, into: &canvas, y: top + height - 1) }
            if t.filters.isOpen { FilterPanel.render(state, into: &canvas, top: top, height: height) }
            return
        }
        for (index, row) in t.rows.prefix(rows).enumerated() {
            let y = listTop + index
            let isSelected = row.id.sameBytes(as: t.selectedID ?? "")
            let (status, statusRole) = statusText(row, now: state.now)
            let mark = mark(for: row, t)
            var cells: [(String, Role)] = [
                (mark?.rawValue ?? " ", mark == .flagged ? .flag : .changed),
                (shortTime(row.firstSeenAt, offset: state.session.offsetSeconds), .muted),
                (TerminalText.truncated(TerminalText.sanitized(row.id), to: cols[2].width), .normal),
                (row.method.displayName, .normal),
                (row.region?.countryCode ?? "–", .normal),
                (row.amount?.formatted(currency: row.currency) ?? "–", .normal),
                (status, statusRole),
            ]
            for column in cols.dropFirst(7) {
                switch column.title {
                case "USER": cells.append((row.userID, .normal))
                case "ERROR": cells.append((row.errorCode ?? "", row.errorCode == nil ? .normal : .statusDeclined))
                default: cells.append((row.flags.names.joined(separator: ","), .flag))
                }
            }
            var x = 0
            for (column, (text, role)) in zip(cols, cells) {
                canvas.write(TerminalText.padded(TerminalText.sanitized(text), to: column.width, alignRight: column.alignRight), x: x, y: y,
                             role: isSelected ? .selected : role)
                x += column.width + 1
            }
            if isSelected { canvas.paint(x: 0, y: y, width: width, role: .selected) }
        }
        if let field = t.search { renderSearch(field, into: &canvas, y: top + height - 1) }
        if t.filters.isOpen { FilterPanel.render(state, into: &canvas, top: top, height: height) }
    }

    static func renderSearch(_ field: TextField, into canvas: inout Canvas, y: Int) {
        canvas.fill(x: 0, y: y, width: canvas.size.width, role: .accent)
        let x = canvas.write(" / search (id, psp id, user or reference prefix): ", x: 0, y: y, role: .accent)
        canvas.field(field, x: x, y: y, width: canvas.size.width - x - 1, role: .accent)
    }

    /// What to do when there is nothing to show.
    static func emptyText(_ state: AppState) -> [String] {
        let t = state.transactions
        if !t.isLoaded { return ["loading…"] }
        if t.query.isFiltered {
            return ["No transaction matches these filters.", "Esc clears the search, f changes the filters."]
        }
        switch state.follower.phase {
        case .waiting:
            return ["No transactions yet: the events log does not exist.",
                    "Expected at \(state.follower.path) (--events or CLEO_CONSOLE_EVENTS).",
                    "Whatever receives Mozarto's webhooks appends one JSON line per delivery there;",
                    "to watch a synthetic feed: cleo-console demo --events /tmp/demo.jsonl",
                    "(or `make demo`, which uses a separate demo database)."]
        default:
            return ["No transactions yet: following \(state.follower.path).",
                    "Rows appear here as webhook events are appended to the log.",
                    "Rejected lines are on the Events screen (3)."]
        }
    }

    public static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }
}

/// A count of the transactions list: how many match `filters`, how many are overdue, and how
/// many matching rows are newer than `atOrBelow` (the window's first row + 1) for the position.
public struct CountRequest: Sendable, Equatable {
    public var filters: TransactionQuery
    public var atOrBelow: Int64?
    public init(filters: TransactionQuery, atOrBelow: Int64?) {
        self.filters = filters
        self.atOrBelow = atOrBelow
    }
}

/// What the store counted for a `CountRequest`.
public struct Counts: Sendable, Equatable {
    public var total: Int
    public var overdue: Int
    /// Matching rows with seq ≥ `atOrBelow` (nil when the request had none).
    public var above: Int?
    public init(total: Int, overdue: Int, above: Int?) {
        self.total = total
        self.overdue = overdue
        self.above = above
    }
}

extension AppState {
    /// The least time between two counts while the feed runs (a count at 10M rows costs ~0.4 s).
    static let countIntervalMilliseconds: Int64 = 1000

    /// Asks for the counts after anything that can move them. New filters or a new window are
    /// counted at once; arrivals at most once a second and one at a time — a change seen while a
    /// count runs is counted again when it returns (or at the next tick), never skipped.
    mutating func requestCounts(onlyIfChanged: Bool = false) -> [Effect] {
        var t = transactions
        let request = t.countRequest(now: now)
        let changed = request != t.lastCounted
        if onlyIfChanged && !changed { return [] }
        defer { transactions = t }
        t.countsStale = true
        if !changed {
            // A count lost to an error is not waited for forever.
            if t.countsInFlight != nil, let at = t.lastCountAt, now.millisecondsSince1970 - at.millisecondsSince1970 < 10_000 { return [] }
            if let at = t.lastCountAt, now.millisecondsSince1970 - at.millisecondsSince1970 < Self.countIntervalMilliseconds { return [] }
        }
        t.countsStale = false
        t.countsInFlight = request
        t.lastCounted = request
        t.lastCountAt = now
        return [.countTransactions(request)]
    }

    /// A count came back: shown if it is for what is on screen; asked again if things moved meanwhile.
    mutating func countsLoaded(_ request: CountRequest, _ counts: Counts) -> [Effect] {
        if transactions.countsInFlight == request { transactions.countsInFlight = nil }
        var filters = transactions.query
        filters.now = request.filters.now
        if TransactionsScreen.sameFilters(request.filters, filters) {
            transactions.total = counts.total
            transactions.overdue = counts.overdue
            if let top = request.atOrBelow, transactions.window == .olderThan(top) {
                transactions.rowsAbove = counts.above
                transactions.rowsAboveWindow = transactions.window
            }
        }
        return transactions.countsStale ? requestCounts() : []
    }

    /// Copies `text` through the terminal (OSC 52), never with a control character in it, and
    /// says what happened as it is: the terminal may or may not honour it.
    mutating func copy(_ text: String, what: String) -> [Effect] {
        let clean = TerminalText.clipboardSafe(text)
        guard !clean.isEmpty else {
            say("nothing to copy: the \(what) is empty", error: true)
            return []
        }
        let note = clean == text ? "" : " (control characters removed)"
        say("\(what) \(clean) sent to the terminal's clipboard (OSC 52)\(note)")
        return [.copy(clean)]
    }

    /// Requests the page the transactions screen shows, remembering it (stale answers are dropped).
    mutating func loadPage() -> Effect {
        let query = transactions.pageQuery(now: now)
        transactions.lastRequested = query
        return .loadPage(query)
    }
}
