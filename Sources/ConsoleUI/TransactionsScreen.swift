import CleoDomain
import TerminalCanvas

/// The live list: newest first, keyset pages, stacked filters and search run as SQL, the
/// selection following a transaction id (never a row index), pause with a count of arrivals.
public enum TransactionsScreen {
    public struct State: Sendable, Equatable {
        /// Filters and search (the cursor and limit come from `window` and the page size).
        public var query = TransactionQuery()
        public var window = TransactionQuery.Cursor.newest
        public var rows: [TransactionRecord] = []
        public var selectedID: String?
        public var total = 0
        public var overdue = 0
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

        enum PendingSelection: Sendable, Equatable { case first, last }

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
            if state.transactions.isPaused {
                state.transactions.arrivedWhilePaused = 0
                return []
            }
            state.transactions.arrivedWhilePaused = 0
            return [state.loadPage()]
        },
        KeyBinding([.character("y")], "copy id") { state in
            guard let id = state.transactions.selectedID else { return [] }
            state.say("copied \(id) (OSC 52)")
            return [.copy(id)]
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
            switch field.handle(key) {
            case .editing:
                state.transactions.search = field
                return []
            case .cancelled:
                state.transactions.search = nil
                state.transactions.query.search = nil
            case .submitted:
                state.transactions.search = nil
                state.transactions.query.search = field.text.isEmpty ? nil : field.text
            }
            state.transactions.window = .newest
            state.transactions.pendingSelection = .first
            return [state.loadPage()]
        }
        if state.transactions.filters.isOpen {
            return FilterPanel.reduce(key, in: &state)
        }
        return keys.handle(key, in: &state) ?? []
    }

    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        let t = state.transactions
        guard !t.rows.isEmpty else { return [] }
        let index = t.selectedIndex ?? 0
        let target = index + delta
        if target >= 0 && target < t.rows.count {
            state.transactions.selectedID = t.rows[target].id
            return []
        }
        if target >= t.rows.count, t.rows.count == t.pageSize, let last = t.rows.last {
            state.transactions.window = .olderThan(last.seq)
            state.transactions.pendingSelection = .first
            return [state.loadPage()]
        }
        if target < 0, t.window != .newest, let first = t.rows.first {
            state.transactions.window = .newerThan(first.seq)
            state.transactions.pendingSelection = .last
            return [state.loadPage()]
        }
        return []
    }

    static func page(_ state: inout AppState, forward: Bool) -> [Effect] {
        let t = state.transactions
        if forward {
            guard let last = t.rows.last, t.rows.count == t.pageSize else {
                if let last = t.rows.last { state.transactions.selectedID = last.id }
                return []
            }
            state.transactions.window = .olderThan(last.seq)
            state.transactions.pendingSelection = .first
        } else {
            guard t.window != .newest, let first = t.rows.first else {
                if let first = t.rows.first { state.transactions.selectedID = first.id }
                return []
            }
            state.transactions.window = .newerThan(first.seq)
            state.transactions.pendingSelection = .first
        }
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
        // A short page above the top: show the newest page instead.
        if case .newerThan = page.query.cursor, page.rows.count < page.query.limit {
            t.window = .newest
            state.transactions = t
            return [state.loadPage()]
        }
        let wasAtTop = t.window == .newest && (t.selectedIndex ?? 0) == 0
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
        // A page above the top is normalised to a window that starts at its first row.
        if case .newerThan = page.query.cursor, let first = page.rows.first { t.window = .olderThan(first.seq + 1) }
        switch t.pendingSelection {
        case .first?: t.selectedID = page.rows.first?.id
        case .last?: t.selectedID = page.rows.last?.id
        case nil:
            if wasAtTop || t.selectedIndex == nil { t.selectedID = page.rows.first?.id }
        }
        t.pendingSelection = nil
        state.transactions = t
        return []
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

    static func columns(width: Int) -> [Column] {
        var columns = [
            Column(title: "", width: 1), Column(title: "FIRST SEEN", width: 11), Column(title: "TRANSACTION", width: 14),
            Column(title: "METHOD", width: 7), Column(title: "CC", width: 2), Column(title: "AMOUNT", width: 15, alignRight: true),
            Column(title: "STATUS", width: 13),
        ]
        var used = columns.reduce(0) { $0 + $1.width + 1 }
        for extra in [Column(title: "USER", width: 18), Column(title: "ERROR", width: 17), Column(title: "FLAGS", width: 17)] {
            let room = width - used
            if room >= extra.width + 1 {
                columns.append(extra)
                used += extra.width + 1
            } else if extra.title == "USER", room >= 9 {
                columns.append(Column(title: "USER", width: room - 1))
                used = width
            }
        }
        return columns
    }

    static func statusText(_ row: TransactionRecord, now: Timestamp) -> (String, Role) {
        switch row.status {
        case .approved: return (row.status.label, .statusApproved)
        case .declined: return (row.status.label, .statusDeclined)
        case .pending:
            if row.isOverdue(at: now, minutes: overdueMinutes) {
                return (row.status.label + " " + age(from: row.firstSeenAt, to: now), .overdue)
            }
            return (row.status.label, .statusPending)
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
        // Summary line.
        var x = canvas.write(" Transactions ", x: 0, y: top, role: .title)
        x += canvas.write("\(grouped(t.total))\(t.query.isFiltered ? " matching" : "")", x: x, y: top, role: .normal)
        if t.overdue > 0 {
            x += canvas.write("  ⚠ \(grouped(t.overdue)) overdue Pending >\(overdueMinutes)m", x: x, y: top, role: .overdue)
        }
        if !t.query.summary.isEmpty { x += canvas.write("  filter: " + t.query.summary, x: x, y: top, role: .accent, maxWidth: width - x - 1) }
        if t.isPaused {
            let text = " ⏸ PAUSED · \(t.arrivedWhilePaused) new · p resumes "
            canvas.write(text, x: max(x + 1, width - TerminalText.width(text)), y: top, role: .warning)
        }
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
            let lines = emptyText(state)
            for (index, line) in lines.enumerated() where index < rows {
                canvas.write(line, x: 2, y: listTop + 1 + index, role: index == 0 ? .normal : .muted, maxWidth: width - 4)
            }
            if let field = t.search { renderSearch(field, into: &canvas, y: top + height - 1) }
            if t.filters.isOpen { FilterPanel.render(state, into: &canvas, top: top, height: height) }
            return
        }
        for (index, row) in t.rows.prefix(rows).enumerated() {
            let y = listTop + index
            let isSelected = row.id.sameBytes(as: t.selectedID ?? "")
            let (status, statusRole) = statusText(row, now: state.now)
            let mark = t.marks[row.id]
            var cells: [(String, Role)] = [
                (mark == nil ? (row.flags.isEmpty ? " " : "!") : (mark!.isNew ? "+" : "~"), mark != nil ? .changed : .flag),
                (shortTime(row.firstSeenAt, offset: state.session.offsetSeconds), .muted),
                (TerminalText.truncated(row.id, to: 14), .normal),
                (row.method.displayName, .normal),
                (row.region?.countryCode ?? "–", .normal),
                (row.amount?.formatted(currency: row.currency) ?? "–", .normal),
                (status, statusRole),
            ]
            if cols.count > 7 { cells.append((row.userID, .normal)) }
            if cols.count > 8 { cells.append((row.errorCode ?? "", row.errorCode == nil ? .normal : .statusDeclined)) }
            if cols.count > 9 { cells.append((row.flags.names.joined(separator: ","), .flag)) }
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
        canvas.write(field.display + "▏", x: x, y: y, role: .accent)
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

extension AppState {
    /// Requests the page the transactions screen shows, remembering it (stale answers are dropped).
    mutating func loadPage() -> Effect {
        let query = transactions.pageQuery(now: now)
        transactions.lastRequested = query
        return .loadPage(query)
    }
}
