import CleoDomain
import CleoIngest
import TerminalCanvas

/// The follower (file, position, counts, last event, rotation/truncation notices), serve's state
/// when one runs on this database, then either the rejected lines (code, message, raw view) or
/// the deliveries `serve` refused (time, remote, status, reason, the kept body of a 400): `Tab`
/// switches (serve.md, "What the console shows").
public enum EventsScreen {
    public struct State: Sendable, Equatable {
        /// Which list the screen shows under the follower; `Tab` switches.
        public enum List: Sendable, Equatable { case rejected, refused }
        public var list: List = .rejected
        /// The newest rejected lines, newest first.
        public var rejected: [RejectedLine] = []
        /// All rejected lines (the page may hold fewer).
        public var total = 0
        public var selected = 0
        /// The newest refused deliveries, newest first (bodies not loaded: `raw == []` means kept).
        public var refused: [RefusedDelivery] = []
        /// All refused deliveries (the page may hold fewer).
        public var refusedTotal = 0
        public var refusedSelected = 0
        /// The body loaded for the raw view, and whose it is.
        public var refusedBodyID: Int64?
        public var refusedBody: [UInt8] = []
        public var showingRaw = false
        /// The raw view's first line shown (its keys clamp it at the last line that fills it).
        public var rawScroll = 0
        /// Where each list's page is (keyset on id; `.newest` follows new rows) and how many rows
        /// are newer than it: paging goes back as far as the table does.
        public var rejectedWindow = RowWindow.newest
        public var rejectedAbove = 0
        public var refusedWindow = RowWindow.newest
        public var refusedAbove = 0
        /// Where the cursor goes on the page being loaded (an index; `Int.max` is the last row).
        var pendingIndex: Int?
        /// Or the row to stay on, by id.
        var pendingID: Int64?
        public init() {}

        /// Rows in the list shown.
        var count: Int { list == .rejected ? rejected.count : refused.count }

        /// The shown list's ids, newest first.
        var ids: [Int64] { list == .rejected ? rejected.map(\.id) : refused.map(\.id) }

        var window: RowWindow {
            get { list == .rejected ? rejectedWindow : refusedWindow }
            set { if list == .rejected { rejectedWindow = newValue } else { refusedWindow = newValue } }
        }

        var above: Int { list == .rejected ? rejectedAbove : refusedAbove }

        /// Rows of the shown list older than its page: known, not guessed from a full page (a
        /// table of exactly 500 rows has none below).
        var below: Int { max(0, (list == .rejected ? total : refusedTotal) - above - count) }

        func load(_ window: RowWindow) -> Effect { list == .rejected ? .loadRejected(window) : .loadRefused(window) }

        /// The list shown's selection.
        var cursor: Int {
            get { list == .rejected ? selected : refusedSelected }
            set { if list == .rejected { selected = newValue } else { refusedSelected = newValue } }
        }

    }

    /// How many rejected lines (and refusals) a page holds; moving past its end reads the next.
    public static let pageLimit = 500

    static let keys: [KeyBinding] = [
        KeyBinding([.tab], "switch list") { state in
            state.events.list = state.events.list == .rejected ? .refused : .rejected
            return []
        },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            if state.events.window == .newest {
                state.events.cursor = 0
                return []
            }
            return jump(&state, to: .newest, index: 0)
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            let e = state.events
            let total = e.list == .rejected ? e.total : e.refusedTotal
            // The whole list is held: its last row. Else the oldest row of the whole table.
            if e.above == 0 && e.count >= total {
                state.events.cursor = max(0, e.count - 1)
                return []
            }
            return jump(&state, to: .oldest, index: Int.max)
        },
        KeyBinding([.character("j"), .down], "move") { move(&$0, by: 1) },
        KeyBinding([.character("k"), .up], "move", inHints: false) { move(&$0, by: -1) },
        KeyBinding([.enter, .character("r")], "raw") { state in
            let e = state.events
            switch e.list {
            case .rejected:
                if !e.rejected.isEmpty { state.events.showingRaw = true }
                state.events.rawScroll = 0
                return []
            case .refused:
                guard e.refusedSelected < e.refused.count else { return [] }
                // Opened for every refusal: its fields are read whole there (the pane promises it),
                // with its body when serve kept one.
                let refusal = e.refused[e.refusedSelected]
                state.events.showingRaw = true
                state.events.rawScroll = 0
                return refusal.raw == nil || e.refusedBodyID == refusal.id ? [] : [.loadRefusedBody(id: refusal.id)]
            }
        },
        KeyBinding([.escape], "back", goes: .back),
    ] + ListPaging.keys(screenful: { $0.bodyHeight - 8 }, move: { move(&$0, by: $1) })

    /// What the screen reloads after a commit or when shown: each list's page where it is.
    static func reloadEffects(_ state: AppState) -> [Effect] {
        [.loadRejected(state.events.rejectedWindow), .loadRefused(state.events.refusedWindow)]
    }

    /// The cursor moves; past the page's last row the next older page is read, above its first
    /// (when the page is not the newest) the newer one — keyset on id, like the transactions.
    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        let e = state.events
        let ids = e.ids
        let target = e.cursor + delta
        if target >= 0 && target < ids.count {
            state.events.cursor = target
            return []
        }
        if target >= ids.count, e.below > 0, let last = ids.last {
            return jump(&state, to: .olderThan(last), index: target - ids.count)
        }
        if target < 0, e.window != .newest, let first = ids.first {
            return jump(&state, to: .newerThan(first), index: pageLimit + target)
        }
        state.events.cursor = max(0, min(ids.count - 1, target))
        return []
    }

    static func jump(_ state: inout AppState, to window: RowWindow, index: Int) -> [Effect] {
        state.events.window = window
        state.events.pendingIndex = index
        state.events.pendingID = nil
        return [state.events.load(window)]
    }

    static func rejectedLoaded(_ lines: [RejectedLine], total: Int, above: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        loaded(lines, id: \.id, of: .rejected, total: total, above: above, window: window, in: &state,
               rows: \.rejected, cursor: \.selected, total: \.total, above: \.rejectedAbove, window: \.rejectedWindow, reload: { .loadRejected($0) })
    }

    static func refusedLoaded(_ refusals: [RefusedDelivery], total: Int, above: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        loaded(refusals, id: \.id, of: .refused, total: total, above: above, window: window, in: &state,
               rows: \.refused, cursor: \.refusedSelected, total: \.refusedTotal, above: \.refusedAbove, window: \.refusedWindow, reload: { .loadRefused($0) })
    }

    /// A page of either list placed in its own fields: an answer to an older request dropped, an
    /// empty older page never swapped in, the selection kept on its row (or a reload asked).
    private static func loaded<Row>(_ page: [Row], id: KeyPath<Row, Int64>, of kind: State.List, total: Int, above: Int, window: RowWindow,
                                    in state: inout AppState, rows: WritableKeyPath<State, [Row]>, cursor: WritableKeyPath<State, Int>,
                                    total totalField: WritableKeyPath<State, Int>, above aboveField: WritableKeyPath<State, Int>,
                                    window windowField: WritableKeyPath<State, RowWindow>, reload: (RowWindow) -> Effect) -> [Effect] {
        var e = state.events
        guard window == e[keyPath: windowField] else { return [] }  // an answer to an older request
        let held = e[keyPath: rows]
        let selectedID = e[keyPath: cursor] < held.count ? held[e[keyPath: cursor]][keyPath: id] : nil
        if page.isEmpty, let first = held.first, case .olderThan = window {
            // Nothing older after all: the page held stays, on its last row.
            keepHeld(of: kind, count: held.count, first: first[keyPath: id], above: e[keyPath: aboveField], events: &e)
            state.events = e
            return []
        }
        let placed = placeLoaded(page.map { $0[keyPath: id] }, of: kind, window: window, selectedID: selectedID, cursor: e[keyPath: cursor], events: &e)
        if let next = placed.reload {
            state.events = e
            return [reload(next)]
        }
        e[keyPath: cursor] = placed.cursor
        e[keyPath: rows] = page
        e[keyPath: totalField] = total
        e[keyPath: aboveField] = above
        if let first = page.first, window != .newest { e[keyPath: windowField] = .olderThan(first[keyPath: id] + 1) }
        state.events = e
        return []
    }

    /// An empty page older than the one held is never swapped in (the rows would be replaced by
    /// nothing and ↑ would have no row to page from): the held page's window again, its last row.
    static func keepHeld(of kind: State.List, count: Int, first: Int64, above: Int, events e: inout State) {
        let window: RowWindow = above == 0 ? .newest : .olderThan(first + 1)
        if kind == .rejected {
            e.rejectedWindow = window
            e.selected = count - 1
        } else {
            e.refusedWindow = window
            e.refusedSelected = count - 1
        }
        if kind == e.list {
            e.pendingIndex = nil
            e.pendingID = nil
        }
    }

    /// Where the cursor lands on a loaded page (newest first): where a move asked, else on the
    /// row it was on (new rows arriving above it), else as near as the page allows. A short page
    /// above the top is replaced by the newest page (returned: the window to load instead).
    static func placeLoaded(_ ids: [Int64], of kind: State.List, window: RowWindow, selectedID: Int64?, cursor current: Int,
                            events e: inout State) -> (cursor: Int, reload: RowWindow?) {
        var cursor = current
        // A move's target is the shown list's (the other one reloads beside it after a commit).
        let pendingIndex = kind == e.list ? e.pendingIndex : nil
        let pendingID = kind == e.list ? e.pendingID : nil
        if case .newerThan = window, ids.count < pageLimit {
            if let pendingIndex {
                // The row the move was going to, found again on the newest page.
                let index = min(pendingIndex, ids.count - 1)
                e.pendingID = index >= 0 ? ids[index] : selectedID
                e.pendingIndex = nil
            }
            if kind == .rejected { e.rejectedWindow = .newest } else { e.refusedWindow = .newest }
            return (current, .newest)
        }
        if let index = pendingIndex {
            cursor = index
        } else if let id = pendingID {
            cursor = ids.firstIndex(of: id) ?? 0
        } else if let selectedID, cursor > 0 || window != .newest, let index = ids.firstIndex(of: selectedID) {
            cursor = index
        }
        cursor = max(0, min(cursor, ids.count - 1))
        if kind == e.list {
            e.pendingIndex = nil
            e.pendingID = nil
        }
        return (cursor, nil)
    }

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        keys.handle(key, in: &state) ?? []
    }

    /// `parts` joined with ` · ` into lines of at most `width` columns, broken only between parts.
    static func joined(_ parts: [String], width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for part in parts {
            let candidate = current.isEmpty ? part : current + " · " + part
            if current.isEmpty || TerminalText.width(candidate) <= width {
                current = candidate
            } else {
                lines.append(current)
                current = part
            }
        }
        lines.append(current)
        return lines
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let f = state.follower
        let width = area.width
        var y = area.y
        canvas.write(" Events log ", x: area.x, y: y, role: .title)
        let phase: (String, Role) = switch f.phase {
        case .following: ("● following", .success)
        case .waitingForLog: (f.waitingFor.map { "○ waiting: " + TerminalText.sanitized($0) } ?? "○ waiting for the log to appear", .warning)
        case .starting: ("… starting", .muted)
        case .failed(let message): ("✗ failed: " + TerminalText.sanitized(message), .error)
        }
        canvas.write(phase.0, x: area.x + 13, y: y, role: phase.1, maxWidth: width - 14)
        y += 1
        func line(_ label: String, _ value: String, role: Role = .normal) {
            canvas.write(label, x: area.x + 2, y: y, role: .muted)
            y += canvas.wrapped(value, x: area.x + 18, y: y, width: width - 19, maxLines: 2, role: role)
        }
        line("file", f.path)
        let position = f.position
        line("position", "line \(position?.nextLine ?? 1) · byte \(TransactionsScreen.grouped(Int(position?.offset ?? 0)))")
        // Broken between the counts, never inside one ("7 / rejected" read as two things).
        let c = f.counts
        let counted = TransactionsScreen.counted
        let counts = [counted(Int(c.linesApplied), "line"), counted(Int(c.events), "event"), counted(Int(c.duplicates), "duplicate"),
                      "\(TransactionsScreen.grouped(Int(c.late))) late", "\(TransactionsScreen.grouped(Int(c.rejected))) rejected"]
        let lines = Self.joined(counts, width: width - 19)
        canvas.write("applied", x: area.x + 2, y: y, role: .muted)
        for (index, text) in lines.prefix(2).enumerated() {
            // A third line's counts go on the second, cut with … (only with counts in the billions).
            let shown = index == 1 ? lines.dropFirst().joined(separator: " · ") : text
            y += canvas.wrapped(shown, x: area.x + 18, y: y, width: width - 19, maxLines: 1)
        }
        line("last event", f.lastEventAt.map { RFC3339.formatShort($0, offsetSeconds: state.session.offsetSeconds) + " (" + ago($0, state.now) + ")" } ?? "none yet")
        for service in serviceLines(state) { line(service.label, service.value, role: service.role) }
        for notice in f.notices.prefix(2) {
            // Read whole: a notice wraps under its label instead of stopping mid-word.
            canvas.write("notice", x: area.x + 2, y: y, role: .muted)
            y += canvas.wrapped(notice.kind.rawValue + ": " + notice.detail, x: area.x + 18, y: y, width: width - 19, maxLines: 3, role: .warning)
        }
        y += 1
        renderList(state, into: &canvas, in: Rect(x: area.x, y: y, width: width, height: area.bottom - y))
        if let content = rawContent(state) { RawView.render(content, scroll: state.events.rawScroll, into: &canvas, in: area) }
    }

    /// The open raw view's content: the selected entry's fields whole, then its bytes.
    static func rawContent(_ state: AppState) -> RawView.Content? {
        let list = state.events
        guard list.showingRaw else { return nil }
        let n = TransactionsScreen.grouped
        switch list.list {
        case .rejected where list.selected < list.rejected.count:
            let r = list.rejected[list.selected]
            let suffix = r.rawLength > r.raw.count ? " · first \(n(r.raw.count)) of \(n(r.rawLength)) bytes" : ""
            return RawView.Content(title: "line \(r.line) · \(r.code)\(suffix)",
                                   fields: [("file", r.file), ("line", "\(r.line), at byte \(n(Int(r.offset)))"), ("code", r.code), ("message", r.message)],
                                   bytes: r.raw)
        case .refused where list.refusedSelected < list.refused.count:
            let r = list.refused[list.refusedSelected]
            let kept = r.raw != nil
            let loaded = list.refusedBodyID == r.id
            let body = loaded ? list.refusedBody : []
            let suffix = !kept ? "" : !loaded ? " · loading" : r.rawLength > body.count ? " · first \(n(body.count)) of \(n(r.rawLength)) bytes" : ""
            return RawView.Content(title: "\(r.status) from \(r.remote)\(suffix)",
                                   fields: [("time", when(r.at, state)), ("remote", r.remote), ("status", "HTTP \(r.status)"), ("reason", r.reason)],
                                   bytes: body, noBytes: kept ? nil : "No body kept for this refusal: serve keeps the body of a 400 only (serve.md).")
        default: return nil
        }
    }

    static func when(_ t: Timestamp, _ state: AppState) -> String {
        RFC3339.formatShort(t, offsetSeconds: state.session.offsetSeconds) + " (" + ago(t, state.now) + ")"
    }

    /// The selected entry, every value whole (wrapped): what its row cuts at 80 columns.
    static func detailLines(_ state: AppState, width: Int) -> [(String, Role)] {
        let list = state.events
        let n = TransactionsScreen.grouped
        let entry: (head: String, label: String, text: String)
        switch list.list {
        case .rejected:
            guard list.selected < list.rejected.count else { return [] }
            let r = list.rejected[list.selected]
            entry = ("\(r.file) · line \(r.line) · byte \(n(Int(r.offset))) · \(r.code)", "message: ", r.message)
        case .refused:
            guard list.refusedSelected < list.refused.count else { return [] }
            let r = list.refused[list.refusedSelected]
            entry = ("\(when(r.at, state)) · \(r.remote) · HTTP \(r.status)", "reason: ", r.reason)
        }
        return TerminalText.wrap(entry.head, width: width).map { ($0, .muted) } + TerminalText.wrap(entry.text, width: width, label: entry.label).map { ($0, .normal) }
    }

    /// The switcher (both lists with their counts, the one shown highlighted, and how many rows
    /// are newer than the first drawn), the shown list's column header, its rows around the
    /// selection, and the selected entry whole below them.
    static func renderList(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let list = state.events
        let width = area.width
        // One table primitive: the column specs drive header and cells, sized to the page's
        // values; at a narrow width the message (reason) is cut first, then the file (remote).
        let offset = state.session.offsetSeconds
        let (columns, cells): ([TableColumn], [[String]]) = list.list == .rejected
            ? ([TableColumn("FILE", minimum: 12, rank: 1), TableColumn("LINE"), TableColumn("CODE", minimum: 12, rank: 2),
                TableColumn("MESSAGE", minimum: 10, rank: 0)],
               list.rejected.map { [lastComponent($0.file), String($0.line), $0.code, $0.message].map(TerminalText.sanitized) })
            : ([TableColumn("TIME"), TableColumn("AGO", droppable: true, rank: 0), TableColumn("REMOTE", minimum: 15, rank: 1),
                TableColumn("HTTP"), TableColumn("REASON", minimum: 10, rank: 0)],
               list.refused.map { [RFC3339.formatShort($0.at, offsetSeconds: offset), RelativeTime.compact($0.at, now: state.now),
                                   $0.remote, String($0.status), $0.reason].map(TerminalText.sanitized) })
        let table = TableLayout(columns, rows: cells, available: width - 2)
        // The rows' room: what the switcher and header leave, less the selected entry's pane.
        let space = area.height - 2
        let pane = detailLines(state, width: width - 4)
        let paneHeight = pane.isEmpty ? 0 : min(pane.count + 1, max(3, space / 2))
        let room = space - paneHeight
        let cursor = list.cursor
        let start = max(0, min(cursor - room / 2, list.count - room))
        renderSwitcher(list, newer: list.above + start, into: &canvas, at: Point(x: area.x, y: area.y), width: width)
        var y = area.y + 1
        canvas.write(TerminalText.padded("  " + table.header, to: width), x: area.x, y: y, role: .header, maxWidth: width)
        y += 1
        guard list.count > 0 else {
            let empty = list.list == .rejected
                ? "No rejected lines: every line of the log was accepted."
                : "No refused deliveries: serve has refused none on this database (or never ran on it)."
            canvas.wrapped(empty, x: area.x + 2, y: y, width: width - 3, maxLines: 2, role: .muted)
            return
        }
        for index in (start..<list.count).prefix(max(0, room)) {
            let text = "  " + table.line(cells[index])
            let selected = index == cursor
            canvas.write(text, x: area.x, y: y, role: selected ? .selected : .normal, maxWidth: width)
            if selected { canvas.paint(x: area.x, y: y, width: width, role: .selected) }
            y += 1
        }
        guard paneHeight > 0 else { return }
        let top = area.bottom - paneHeight
        canvas.write(String(repeating: "─", count: width), x: area.x, y: top, role: .muted)
        canvas.write(list.list == .rejected ? " selected line " : " selected refusal ", x: area.x + 2, y: top, role: .muted)
        var shown = Array(pane.prefix(paneHeight - 1))
        if pane.count > shown.count, let last = shown.last {
            // Cut here, never silently: the raw view has every field whole.
            let more = " Enter shows it whole"
            let room = width - 4 - TerminalText.width(more)
            var text = TerminalText.truncated(last.0, to: room)
            if !text.hasSuffix("…") { text = TerminalText.truncated(text + " …", to: room) }
            shown[shown.count - 1] = (text + more, last.1)
        }
        for (index, line) in shown.enumerated() {
            canvas.write(line.0, x: area.x + 2, y: top + 1 + index, role: line.1, maxWidth: width - 4)
        }
    }

    /// Both lists' titles, then `newest first` and `▲ N newer (g)`: what gives way first is
    /// `newest first`, then the other list's title is shortened to its count; the sign never.
    static func renderSwitcher(_ list: State, newer: Int, into canvas: inout Canvas, at origin: Point, width: Int) {
        let n = TransactionsScreen.grouped
        func counted(_ shown: Int, _ total: Int, above: Int) -> String {
            if above == 0 { return total > shown ? "newest \(n(shown)) of \(n(total))" : n(shown) }
            return "\(n(above + 1))–\(n(above + shown)) of \(n(total))"
        }
        let rejected = counted(list.rejected.count, list.total, above: list.rejectedAbove)
        let refused = counted(list.refused.count, list.refusedTotal, above: list.refusedAbove)
        let full = [(State.List.rejected, "Rejected lines (\(rejected))"), (.refused, "Refused deliveries (\(refused))")]
        let short = [(State.List.rejected, list.list == .rejected ? full[0].1 : "Rejected (\(rejected))"),
                     (.refused, list.list == .refused ? full[1].1 : "Refused (\(refused))")]
        let shortest = [(State.List.rejected, list.list == .rejected ? full[0].1 : "Rejected (\(n(list.total)))"),
                        (.refused, list.list == .refused ? full[1].1 : "Refused (\(n(list.refusedTotal)))")]
        let sign = newer > 0 ? "▲ \(n(newer)) newer (g)" : ""
        func used(_ titles: [(State.List, String)]) -> Int { titles.reduce(1) { $0 + TerminalText.width($1.1) + 4 } }
        // The fullest line that fits: full titles with `newest first`, without it, then the other
        // list's title shorter (its page, then only its total).
        let options = [(full, true), (full, false), (short, true), (short, false), (shortest, false)]
        let (titles, newestFirst) = options.first { option in
            let tail = [option.1 ? "newest first" : "", sign].filter { !$0.isEmpty }.joined(separator: " · ")
            return used(option.0) + TerminalText.width(tail) <= width
        } ?? (shortest, false)
        var x = 1
        for (kind, title) in titles {
            x += canvas.write(" \(title) ", x: origin.x + x, y: origin.y, role: kind == list.list ? .title : .muted, maxWidth: width - x) + 2
        }
        if newestFirst { x += canvas.write("newest first" + (sign.isEmpty ? "" : " · "), x: origin.x + x, y: origin.y, role: .muted, maxWidth: max(0, width - x)) }
        if !sign.isEmpty, x < width { canvas.write(sign, x: origin.x + x, y: origin.y, role: .accent, maxWidth: width - x) }
    }

    /// A column's cell: sanitised before it is measured (a control shown as `␛` takes a column,
    /// so padding the raw text would push the next columns right).
    static func cell(_ text: String, _ columns: Int) -> String {
        TerminalText.padded(TerminalText.sanitized(text), to: columns)
    }

    static func ago(_ t: Timestamp, _ now: Timestamp) -> String { RelativeTime.ago(t, now: now) }
}

/// The last path component (a rotated file shows as `webhook-events.jsonl.1`).
func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
