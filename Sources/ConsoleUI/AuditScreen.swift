import CleoDomain
import TerminalCanvas

/// The configuration's history: when, who, from where, field, old → new (masked), result.
public enum AuditScreen {
    public struct State: Sendable, Equatable {
        /// The trail newest first, a page at a time (keyset on id; `.newest` follows new entries).
        public var trail = PagedList<AuditEntry>(home: .top, pageLimit: AuditScreen.pageLimit, followsHome: true)
        public var search: TextField?
        /// The search by field or user (run in SQL, over the whole trail).
        public var filter: String?
        /// Enter: the selected entry whole over the screen (old and new of any length), scrolled
        /// by the raw view's keys — the pane below the list holds what fits in a few lines.
        public var showingEntry = false
        public var entryScroll = 0
        public init() {}
    }

    /// How many entries a page holds; moving past its end reads the next.
    public static let pageLimit = 500

    static func reload(_ state: AppState) -> Effect {
        .loadAuditPage(state.audit.trail.requestedWindow, search: state.audit.filter)
    }

    /// Reads `window`, the cursor landing at `index` (`Int.max`: the last entry).
    static func jump(_ state: inout AppState, to window: RowWindow, index: Int) -> [Effect] {
        state.audit.trail.read(window, landing: ListLanding(index: index))
        return [reload(state)]
    }

    /// The cursor moves (`PagedList`): past the page's ends the next page is read.
    static func move(_ state: inout AppState, _ move: ListMove) -> [Effect] {
        state.audit.trail.apply(move).map { .loadAuditPage($0, search: state.audit.filter) }.map { [$0] } ?? []
    }

    /// A page came back (oldest first as stored), or Config's newest entries: placed only when
    /// they answer what the screen asked for (Config's only while it is at its top, unsearched).
    static func pageLoaded(_ entries: [AuditEntry], total: Int, above: Int, window: RowWindow, search: String?, in state: inout AppState) -> [Effect] {
        guard search == state.audit.filter else { return [] }
        return state.audit.trail.receive(entries.reversed(), total: total, newer: above, window: window)
            .map { [.loadAuditPage($0, search: search)] } ?? []
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "move") { move(&$0, .by(1)) },
        KeyBinding([.character("k"), .up], "move", inHints: false) { move(&$0, .by(-1)) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { move(&$0, .first) },
        KeyBinding([.character("G"), .end], "last", inHints: false) { move(&$0, .last) },
    ] + ListPaging.keys(screenful: { visibleRows($0) }, move: { move(&$0, .by($1)) }) + [
        KeyBinding([.enter], "whole entry") { state in
            if state.audit.trail.selected != nil {
                state.audit.showingEntry = true
                state.audit.entryScroll = 0
            }
            return []
        },
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

    /// The selected entry's pane lines.
    static func paneLines(_ state: AppState, width: Int) -> [(String, Role)] {
        let rows = state.audit.trail.rows
        return rows.isEmpty ? [] : detailLines(rows[min(state.audit.trail.cursor, rows.count - 1)], state: state, width: width - 4)
    }

    /// The rows of the trail drawn now (less the search row and the selected entry's pane):
    /// what a page key moves by.
    static func visibleRows(_ state: AppState) -> Int {
        let area = state.frame.body
        let pane = paneLines(state, width: area.width)
        let paneHeight = pane.isEmpty ? 0 : min(pane.count + 1, max(3, (area.height - 2) / 2))
        return area.height - 2 - (state.audit.search != nil ? 1 : 0) - paneHeight
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let a = state.audit
        let width = area.width
        let x = canvas.write(" Audit trail ", x: area.x, y: area.y, role: .title)
        let rows = a.trail.rows
        let cursor = a.trail.cursor
        let searchRow = a.search != nil ? 1 : 0
        // The selected entry whole, below the list: old → new never cut at 80 columns.
        let pane = paneLines(state, width: width)
        let paneHeight = pane.isEmpty ? 0 : min(pane.count + 1, max(3, (area.height - 2) / 2))
        let room = area.height - 2 - searchRow - paneHeight
        let table = table(rows, state: state, width: width)
        canvas.fill(x: area.x, y: area.y + 1, width: width, role: .header)
        canvas.tableRow(table.layout, table.layout.columns.map { ($0.title, Role.header) }, x: area.x + 1, y: area.y + 1)
        if rows.isEmpty {
            canvas.write(a.filter == nil ? "No configuration changes yet: press 2 to set up Cleo." : "Nothing matches.", x: area.x + 2, y: area.y + 3, role: .muted, maxWidth: width - 3)
        }
        let start = max(0, min(cursor - room / 2, rows.count - room))
        renderTitle(a, newer: a.trail.newer + start, into: &canvas, at: Point(x: area.x + x + 1, y: area.y), width: width - x - 2)
        var y = area.y + 2
        for (index, cells) in table.rows.enumerated().dropFirst(start).prefix(max(0, room)) {
            let selected = index == cursor
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
                let more = "… Enter: the whole entry"
                canvas.write(more, x: area.x + width - 1 - TerminalText.width(more), y: paneTop + paneHeight - 1, role: .muted)
            }
        }
        if let field = a.search {
            canvas.fill(x: area.x, y: area.bottom - 1, width: width, role: .accent)
            let x = canvas.write(" / field or user: ", x: area.x, y: area.bottom - 1, role: .accent)
            canvas.field(field, x: area.x + x, y: area.bottom - 1, width: width - x - 1, role: .accent)
        }
        if let content = rawContent(state) { RawView.render(content, scroll: a.entryScroll, into: &canvas, in: area) }
    }

    /// The open entry view's content: every field of the selected entry whole.
    static func rawContent(_ state: AppState) -> RawView.Content? {
        guard state.audit.showingEntry, let entry = state.audit.trail.selected else { return nil }
        let when = RFC3339.formatShort(entry.at, offsetSeconds: state.session.offsetSeconds) + " (\(RelativeTime.ago(entry.at, now: state.now)))"
        var fields: [(label: String, value: String)] = [("when", when), ("who", "\(entry.user) from \(entry.origin)"), ("field", entry.field),
                                                        ("result", entry.result.rawValue), ("old", entry.old ?? "(unset)"), ("new", entry.new ?? "–")]
        if let detail = entry.detail { fields.append(("detail", detail)) }
        var content = RawView.Content(title: "audit entry #\(entry.id)", fields: fields, bytes: [], noBytes: "Secrets are shown as their masks and fingerprints, as everywhere.")
        content.kind = "Whole"
        return content
    }

    /// The title's phrases, whole or not at all: the count and `▲ N newer (g)` (the entries newer
    /// than the first row drawn) always, the search cut last, the legend on secrets dropped first.
    static func renderTitle(_ a: State, newer: Int, into canvas: inout Canvas, at origin: Point, width: Int) {
        let n = TransactionsScreen.grouped
        let (above, held, total) = (a.trail.newer, a.trail.rows.count, a.trail.total)
        let count = above > 0 ? "\(n(above + 1))–\(n(above + held)) of \(n(total)) entries"
            : total > held ? "newest \(n(held)) of \(n(total)) entries"
            : held == 1 ? TransactionsScreen.counted(1, "entry") : "\(n(held)) entries"
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
