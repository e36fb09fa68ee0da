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
        /// The rejected lines, newest first, a page at a time (keyset on id, never the whole table).
        public var rejected = PagedList<RejectedLine>(home: .top, pageLimit: EventsScreen.pageLimit, followsHome: true)
        /// The refused deliveries, newest first (bodies not loaded: `raw == []` means kept).
        public var refused = PagedList<RefusedDelivery>(home: .top, pageLimit: EventsScreen.pageLimit, followsHome: true)
        /// The body loaded for the raw view, and whose it is.
        public var refusedBodyID: Int64?
        public var refusedBody: [UInt8] = []
        public var showingRaw = false
        /// The raw view's first line shown (its keys clamp it at the last line that fills it).
        public var rawScroll = 0
        public init() {}

        /// Rows on the shown list's page.
        var count: Int { list == .rejected ? rejected.rows.count : refused.rows.count }

        /// The shown list's ids, newest first.
        var ids: [Int64] { list == .rejected ? rejected.rows.map(\.id) : refused.rows.map(\.id) }

        /// The shown list's cursor and how many of its rows are newer than its page.
        var cursor: Int { list == .rejected ? rejected.cursor : refused.cursor }
        var above: Int { list == .rejected ? rejected.newer : refused.newer }
    }

    /// How many rejected lines (and refusals) a page holds; moving past its end reads the next.
    public static let pageLimit = 500

    static let keys: [KeyBinding] = [
        KeyBinding([.tab], "switch list") { state in
            state.events.list = state.events.list == .rejected ? .refused : .rejected
            return []
        },
        KeyBinding([.character("g"), .home], "first", inHints: false) { move(&$0, .first) },
        KeyBinding([.character("G"), .end], "last", inHints: false) { move(&$0, .last) },
        KeyBinding([.character("j"), .down], "move") { move(&$0, .by(1)) },
        KeyBinding([.character("k"), .up], "move", inHints: false) { move(&$0, .by(-1)) },
        KeyBinding([.enter, .character("r")], "raw") { state in
            let e = state.events
            switch e.list {
            case .rejected:
                if !e.rejected.rows.isEmpty { state.events.showingRaw = true }
                state.events.rawScroll = 0
                return []
            case .refused:
                // Opened for every refusal: its fields are read whole there (the pane promises it),
                // with its body when serve kept one.
                guard let refusal = e.refused.selected else { return [] }
                state.events.showingRaw = true
                state.events.rawScroll = 0
                return refusal.raw == nil || e.refusedBodyID == refusal.id ? [] : [.loadRefusedBody(id: refusal.id)]
            }
        },
        KeyBinding([.escape], "back", goes: .back),
    ] + ListPaging.keys(screenful: { visibleRows($0) }, move: { move(&$0, .by($1)) })

    /// What the screen reloads after a commit or when shown: each list's page where it is (or
    /// the page it is reading).
    static func reloadEffects(_ state: AppState) -> [Effect] {
        [.loadRejected(state.events.rejected.requestedWindow), .loadRefused(state.events.refused.requestedWindow)]
    }

    /// The shown list's cursor moves (`PagedList`): the page it reads is its effect.
    static func move(_ state: inout AppState, _ move: ListMove) -> [Effect] {
        switch state.events.list {
        case .rejected: state.events.rejected.apply(move).map { [.loadRejected($0)] } ?? []
        case .refused: state.events.refused.apply(move).map { [.loadRefused($0)] } ?? []
        }
    }

    /// Reads `window` of the shown list, the cursor landing at `index` (`Int.max`: the last row).
    static func jump(_ state: inout AppState, to window: RowWindow, index: Int) -> [Effect] {
        switch state.events.list {
        case .rejected: [.loadRejected(state.events.rejected.read(window, landing: ListLanding(index: index)))]
        case .refused: [.loadRefused(state.events.refused.read(window, landing: ListLanding(index: index)))]
        }
    }

    static func rejectedLoaded(_ lines: [RejectedLine], total: Int, above: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        state.events.rejected.receive(lines, total: total, newer: above, window: window).map { [.loadRejected($0)] } ?? []
    }

    static func refusedLoaded(_ refusals: [RefusedDelivery], total: Int, above: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        state.events.refused.receive(refusals, total: total, newer: above, window: window).map { [.loadRefused($0)] } ?? []
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
        let y = renderFollower(state, into: &canvas, in: area)
        renderList(state, into: &canvas, in: Rect(x: area.x, y: y, width: area.width, height: area.bottom - y))
        if let content = rawContent(state) { RawView.render(content, scroll: state.events.rawScroll, into: &canvas, in: area) }
    }

    /// The rows of the list drawn now: what a page key moves by (the follower's section above it
    /// grows with notices and serve's lines, so it is measured by drawing it, not guessed).
    static func visibleRows(_ state: AppState) -> Int {
        let area = state.frame.body
        var scratch = Canvas(size: state.size)
        let y = renderFollower(state, into: &scratch, in: area)
        return rowsRoom(state, height: area.bottom - y, width: area.width)
    }

    /// The follower's section (and serve's lines, the notices); returns the row below it.
    static func renderFollower(_ state: AppState, into canvas: inout Canvas, in area: Rect) -> Int {
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
        return y + 1
    }

    /// The open raw view's content: the selected entry's fields whole, then its bytes.
    static func rawContent(_ state: AppState) -> RawView.Content? {
        let list = state.events
        guard list.showingRaw else { return nil }
        let n = TransactionsScreen.grouped
        switch list.list {
        case .rejected:
            guard let r = list.rejected.selected else { return nil }
            let suffix = r.rawLength > r.raw.count ? " · first \(n(r.raw.count)) of \(n(r.rawLength)) bytes" : ""
            return RawView.Content(title: "line \(r.line) · \(r.code)\(suffix)",
                                   fields: [("file", r.file), ("line", "\(r.line), at byte \(n(Int(r.offset)))"), ("code", r.code), ("message", r.message)],
                                   bytes: r.raw)
        case .refused:
            guard let r = list.refused.selected else { return nil }
            let kept = r.raw != nil
            let loaded = list.refusedBodyID == r.id
            let body = loaded ? list.refusedBody : []
            let suffix = !kept ? "" : !loaded ? " · loading" : r.rawLength > body.count ? " · first \(n(body.count)) of \(n(r.rawLength)) bytes" : ""
            return RawView.Content(title: "\(r.status) from \(r.remote)\(suffix)",
                                   fields: [("time", when(r.at, state)), ("remote", r.remote), ("status", "HTTP \(r.status)"), ("reason", r.reason)],
                                   bytes: body, noBytes: kept ? nil : "No body kept for this refusal: serve keeps the body of a 400 only (serve.md).")
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
            guard let r = list.rejected.selected else { return [] }
            entry = ("\(r.file) · line \(r.line) · byte \(n(Int(r.offset))) · \(r.code)", "message: ", r.message)
        case .refused:
            guard let r = list.refused.selected else { return [] }
            entry = ("\(when(r.at, state)) · \(r.remote) · HTTP \(r.status)", "reason: ", r.reason)
        }
        return TerminalText.wrap(entry.head, width: width).map { ($0, .muted) } + TerminalText.wrap(entry.text, width: width, label: entry.label).map { ($0, .normal) }
    }

    /// The rows' room in a list area of `height`: what the switcher and header leave, less the
    /// selected entry's pane.
    static func rowsRoom(_ state: AppState, height: Int, width: Int) -> Int {
        let space = height - 2
        let pane = detailLines(state, width: width - 4)
        return space - (pane.isEmpty ? 0 : min(pane.count + 1, max(3, space / 2)))
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
               list.rejected.rows.map { [lastComponent($0.file), String($0.line), $0.code, $0.message].map(TerminalText.sanitized) })
            : ([TableColumn("TIME"), TableColumn("AGO", droppable: true, rank: 0), TableColumn("REMOTE", minimum: 15, rank: 1),
                TableColumn("HTTP"), TableColumn("REASON", minimum: 10, rank: 0)],
               list.refused.rows.map { [RFC3339.formatShort($0.at, offsetSeconds: offset), RelativeTime.compact($0.at, now: state.now),
                                   $0.remote, String($0.status), $0.reason].map(TerminalText.sanitized) })
        let table = TableLayout(columns, rows: cells, available: width - 2)
        let room = rowsRoom(state, height: area.height, width: width)
        let pane = detailLines(state, width: width - 4)
        let paneHeight = area.height - 2 - room
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
        let rejected = counted(list.rejected.rows.count, list.rejected.total, above: list.rejected.newer)
        let refused = counted(list.refused.rows.count, list.refused.total, above: list.refused.newer)
        let full = [(State.List.rejected, "Rejected lines (\(rejected))"), (.refused, "Refused deliveries (\(refused))")]
        let short = [(State.List.rejected, list.list == .rejected ? full[0].1 : "Rejected (\(rejected))"),
                     (.refused, list.list == .refused ? full[1].1 : "Refused (\(refused))")]
        let shortest = [(State.List.rejected, list.list == .rejected ? full[0].1 : "Rejected (\(n(list.rejected.total)))"),
                        (.refused, list.list == .refused ? full[1].1 : "Refused (\(n(list.refused.total)))")]
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
