import CleoDomain
import TerminalCanvas

/// The configuration's history: when, who, from where, field, old → new (masked), result.
public enum AuditScreen {
    public struct State: Sendable, Equatable {
        /// A page of entries (at most `pageLimit`), oldest first as stored.
        public var entries: [AuditEntry] = []
        /// Entries matching the search in the whole trail (`config history` lists them all).
        public var total = 0
        public var selected = 0
        public var search: TextField?
        /// The search by field or user (run in SQL, over the whole trail).
        public var filter: String?
        /// Where the page is (keyset on id; `.newest` follows new entries) and how many matching
        /// entries are newer than it.
        public var window = RowWindow.newest
        public var above = 0
        /// Where the cursor goes on the page being loaded (`Int.max`: the last row).
        var pendingIndex: Int?
        public init() {}

        /// Newest first.
        public var visible: [AuditEntry] { entries.reversed() }

        mutating func clampSelection() { selected = min(selected, max(0, visible.count - 1)) }
    }

    /// How many entries a page holds; moving past its end reads the next.
    public static let pageLimit = 500

    static func reload(_ state: AppState) -> Effect { .loadAuditPage(state.audit.window, search: state.audit.filter) }

    static func jump(_ state: inout AppState, to window: RowWindow, index: Int) -> [Effect] {
        state.audit.window = window
        state.audit.pendingIndex = index
        return [reload(state)]
    }

    /// The cursor moves; past the page's ends the next page is read, like the transactions.
    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        let a = state.audit
        let rows = a.visible
        let target = a.selected + delta
        if target >= 0 && target < rows.count {
            state.audit.selected = target
            return []
        }
        // Rows below the page are known (total − above − count), not guessed from a full page.
        if target >= rows.count, a.total - a.above - rows.count > 0, let last = rows.last {
            return jump(&state, to: .olderThan(last.id), index: target - rows.count)
        }
        if target < 0, a.window != .newest, let first = rows.first {
            return jump(&state, to: .newerThan(first.id), index: pageLimit + target)
        }
        state.audit.selected = max(0, min(rows.count - 1, target))
        return []
    }

    /// A page came back (or Config's newest entries: shown only while the screen is at its top,
    /// unsearched). A short page above the top is replaced by the newest page.
    static func pageLoaded(_ entries: [AuditEntry], total: Int, above: Int, window: RowWindow, search: String?, in state: inout AppState) -> [Effect] {
        var a = state.audit
        guard window == a.window, search == a.filter else { return [] }
        if case .newerThan = window, entries.count < pageLimit {
            a.window = .newest
            state.audit = a
            return [reload(state)]
        }
        if entries.isEmpty, let first = a.visible.first, case .olderThan = window {
            // Nothing older after all: the page held stays (never swapped for nothing), on its last row.
            a.window = a.above == 0 ? .newest : .olderThan(first.id + 1)
            a.selected = a.visible.count - 1
            a.pendingIndex = nil
            state.audit = a
            return []
        }
        let newestFirst = Array(entries.reversed())
        let selectedID = a.selected < a.visible.count ? a.visible[a.selected].id : nil
        a.entries = entries
        a.total = total
        a.above = above
        if let index = a.pendingIndex {
            a.selected = index
        } else if let selectedID, a.selected > 0 || window != .newest, let index = newestFirst.firstIndex(where: { $0.id == selectedID }) {
            a.selected = index
        }
        a.pendingIndex = nil
        if let first = newestFirst.first, window != .newest { a.window = .olderThan(first.id + 1) }
        state.audit = a
        state.audit.clampSelection()
        return []
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "move") { move(&$0, by: 1) },
        KeyBinding([.character("k"), .up], "move", inHints: false) { move(&$0, by: -1) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            if state.audit.window == .newest {
                state.audit.selected = 0
                return []
            }
            return jump(&state, to: .newest, index: 0)
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            let a = state.audit
            // The whole trail is held: its last row. Else the oldest entry of the whole trail.
            if a.above == 0 && a.entries.count >= a.total {
                state.audit.selected = max(0, a.visible.count - 1)
                return []
            }
            return jump(&state, to: .oldest, index: Int.max)
        },
    ] + ListPaging.keys(screenful: { ($0.bodyHeight - 2) / 2 }, move: { move(&$0, by: $1) }) + [
        KeyBinding([.character("/")], "search field or user") { state in
            state.audit.search = TextField(text: state.audit.filter ?? "")
            return []
        },
        // A search is cleared first; then back.
        KeyBinding([.escape], "back") { (state: inout AppState) -> Step in
            guard state.audit.filter != nil else { return .go(.back) }
            state.audit.filter = nil
            return .effects(jump(&state, to: .newest, index: 0))
        },
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        if var field = state.audit.search {
            let term: String?
            switch field.handle(key) {
            case .editing:
                // Updates as you type, as the transactions' search does.
                state.audit.search = field
                term = TransactionsScreen.searchTerm(field.text)
            case .cancelled:
                state.audit.search = nil
                term = nil
            case .submitted:
                state.audit.search = nil
                term = TransactionsScreen.searchTerm(field.text)
            }
            // Searched over the whole trail, not the page held; matches already shown are not read again.
            guard term != state.audit.filter else { return [] }
            state.audit.filter = term
            return jump(&state, to: .newest, index: 0)
        }
        return keys.handle(key, in: &state) ?? []
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let a = state.audit
        let width = area.width
        let x = canvas.write(" Audit trail ", x: area.x, y: area.y, role: .title)
        let rows = a.visible
        let searchRow = a.search != nil ? 1 : 0
        // The selected entry whole, below the list: old → new never cut at 80 columns.
        let pane = rows.isEmpty ? [] : detailLines(rows[min(a.selected, rows.count - 1)], state: state, width: width - 4)
        let paneHeight = pane.isEmpty ? 0 : min(pane.count + 1, max(3, (area.height - 2) / 2))
        let room = area.height - 2 - searchRow - paneHeight
        let table = table(rows, state: state, width: width)
        canvas.fill(x: area.x, y: area.y + 1, width: width, role: .header)
        canvas.tableRow(table.layout, table.layout.columns.map { ($0.title, Role.header) }, x: area.x + 1, y: area.y + 1)
        if rows.isEmpty {
            canvas.write(a.filter == nil ? "No configuration changes yet: press 2 to set up Cleo." : "Nothing matches.", x: area.x + 2, y: area.y + 3, role: .muted, maxWidth: width - 3)
        }
        let start = max(0, min(a.selected - room / 2, rows.count - room))
        renderTitle(a, newer: a.above + start, into: &canvas, at: Point(x: area.x + x + 1, y: area.y), width: width - x - 2)
        var y = area.y + 2
        for (index, cells) in table.rows.enumerated().dropFirst(start).prefix(max(0, room)) {
            let selected = index == a.selected
            canvas.tableRow(table.layout, cells, x: area.x + 1, y: y, rowRole: selected ? .selected : nil)
            if selected { canvas.paint(x: area.x, y: y, width: width, role: .selected) }
            y += 1
        }
        if paneHeight > 0 {
            let paneTop = area.bottom - searchRow - paneHeight
            canvas.fill(x: area.x, y: paneTop, width: width, role: .normal)
            canvas.write(String(repeating: "─", count: width), x: area.x, y: paneTop, role: .muted)
            canvas.write(" selected entry ", x: area.x + 2, y: paneTop, role: .muted)
            for (index, line) in pane.prefix(paneHeight - 1).enumerated() {
                canvas.write(line.0, x: area.x + 2, y: paneTop + 1 + index, role: line.1, maxWidth: width - 4)
            }
            if pane.count > paneHeight - 1 {
                canvas.write("…", x: area.x + width - 2, y: paneTop + paneHeight - 1, role: .muted)
            }
        }
        if let field = a.search {
            canvas.fill(x: area.x, y: area.bottom - 1, width: width, role: .accent)
            let x = canvas.write(" / field or user: ", x: area.x, y: area.bottom - 1, role: .accent)
            canvas.field(field, x: area.x + x, y: area.bottom - 1, width: width - x - 1, role: .accent)
        }
    }

    /// The title's phrases, whole or not at all: the count and `▲ N newer (g)` (the entries newer
    /// than the first row drawn) always, the search cut last, the legend on secrets dropped first.
    static func renderTitle(_ a: State, newer: Int, into canvas: inout Canvas, at origin: Point, width: Int) {
        let n = TransactionsScreen.grouped
        let count = a.above > 0 ? "\(n(a.above + 1))–\(n(a.above + a.entries.count)) of \(n(a.total)) entries"
            : a.total > a.entries.count ? "newest \(n(a.entries.count)) of \(n(a.total)) entries"
            : a.entries.count == 1 ? TransactionsScreen.counted(1, "entry") : "\(n(a.entries.count)) entries"
        var phrases = [count + ", newest first"]
        if let filter = a.filter { phrases.append("matching \"\(filter)\"") }
        let legend = "secrets as masks and fingerprints"
        if TerminalText.width((phrases + [legend]).joined(separator: " · ")) <= width - signWidth(newer) { phrases.append(legend) }
        var x = canvas.write(phrases.joined(separator: " · "), x: origin.x, y: origin.y, role: .muted, maxWidth: max(0, width - signWidth(newer)))
        if newer > 0 { x += canvas.write(" · ▲ \(n(newer)) newer (g)", x: origin.x + x, y: origin.y, role: .accent, maxWidth: max(0, width - x)) }
    }

    /// The columns ` · ▲ N newer (g)` takes (none when no entry is newer than the first drawn).
    static func signWidth(_ newer: Int) -> Int {
        newer > 0 ? TerminalText.width(" · ▲ \(TransactionsScreen.grouped(newer)) newer (g)") : 0
    }

    /// The trail's columns: what gives way first is the change (the pane below has it whole),
    /// then who, then the field; the time and the result never.
    static let columns = [
        TableColumn("WHEN"), TableColumn("WHO", minimum: 10, rank: 1), TableColumn("FIELD", minimum: 11, rank: 2),
        TableColumn("OLD → NEW", minimum: 9, rank: 0), TableColumn("RESULT"),
    ]

    /// The table for the entries at the canvas's width (one column of margin each side): cells
    /// sanitised before they are measured, so a placeholder (`⟨U+202E⟩`) takes its real columns.
    static func table(_ entries: [AuditEntry], state: AppState, width: Int) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let rows = entries.map { entry -> [(text: String, role: Role)] in
            let when = String(RFC3339.formatShort(entry.at, offsetSeconds: state.session.offsetSeconds).dropFirst(5))
            let resultRole: Role = entry.result == .saved ? .success : entry.result == .refused ? .error : .warning
            let cells: [(text: String, role: Role)] = [(when, .muted), (entry.user + "@" + entry.origin, .normal), (entry.field, .normal),
                                                       ("\(entry.old ?? "(unset)") → \(entry.new ?? "–")", .normal), (entry.result.rawValue, resultRole)]
            return cells.map { (text: TerminalText.sanitized($0.text), role: $0.role) }
        }
        return (TableLayout(columns, rows: rows.map { $0.map(\.text) }, available: width - 2), rows)
    }

    /// The selected entry, every value whole: old and new each on their own wrapped lines.
    static func detailLines(_ entry: AuditEntry, state: AppState, width: Int) -> [(String, Role)] {
        let when = RFC3339.formatShort(entry.at, offsetSeconds: state.session.offsetSeconds) + " (\(RelativeTime.ago(entry.at, now: state.now)))"
        var lines: [(String, Role)] = TerminalText.wrap("\(when) · \(entry.user) from \(entry.origin) · \(entry.field) · \(entry.result.rawValue)", width: width)
            .map { ($0, .normal) }
        lines += TerminalText.wrap("old: " + (entry.old ?? "(unset)"), width: width).map { ($0, .muted) }
        lines += TerminalText.wrap("new: " + (entry.new ?? "–"), width: width).map { ($0, .normal) }
        if let detail = entry.detail { lines += TerminalText.wrap(detail, width: width).map { ($0, .muted) } }
        return lines
    }
}
