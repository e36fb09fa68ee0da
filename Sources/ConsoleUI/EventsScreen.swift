import CleoDomain
import TerminalCanvas

/// The follower (file, position, counts, last event, rotation/truncation notices), then either
/// the rejected lines (code, message, raw view) or the deliveries `serve` refused (time, remote,
/// status, reason, the kept body of a 400): `Tab` switches (serve.md, "What the console shows").
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
        public init() {}

        /// Rows in the list shown.
        var count: Int { list == .rejected ? rejected.count : refused.count }

        /// The list shown's selection.
        var cursor: Int {
            get { list == .rejected ? selected : refusedSelected }
            set { if list == .rejected { selected = newValue } else { refusedSelected = newValue } }
        }

        mutating func move(by delta: Int) { cursor = stepped(cursor, by: delta, count: count) }
    }

    /// How many of the newest rejected lines (and of the newest refusals) the screen holds (the
    /// CLI lists them all).
    public static let pageLimit = 500

    static let keys: [KeyBinding] = [
        KeyBinding([.tab], "switch list") { state in
            state.events.list = state.events.list == .rejected ? .refused : .rejected
            return []
        },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            state.events.cursor = 0
            return []
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            state.events.cursor = max(0, state.events.count - 1)
            return []
        },
        KeyBinding([.ctrl("d")], "half page", inHints: false) { state in
            state.events.move(by: max(1, (state.bodyHeight - 8) / 2))
            return []
        },
        KeyBinding([.ctrl("u")], "half page up", inHints: false) { state in
            state.events.move(by: -max(1, (state.bodyHeight - 8) / 2))
            return []
        },
        KeyBinding([.character("j"), .down], "move") { state in
            state.events.move(by: 1)
            return []
        },
        KeyBinding([.character("k"), .up], "move", inHints: false) { state in
            state.events.move(by: -1)
            return []
        },
        KeyBinding([.enter, .character("r")], "raw") { state in
            let e = state.events
            switch e.list {
            case .rejected:
                if !e.rejected.isEmpty { state.events.showingRaw = true }
                return []
            case .refused:
                guard e.refusedSelected < e.refused.count else { return [] }
                let refusal = e.refused[e.refusedSelected]
                guard refusal.raw != nil else {
                    state.say("no body kept for this refusal: serve keeps the body of a 400 only (serve.md)")
                    return []
                }
                state.events.showingRaw = true
                return e.refusedBodyID == refusal.id ? [] : [.loadRefusedBody(id: refusal.id)]
            }
        },
        KeyBinding([.escape], "back") { state in
            state.screen = .transactions
            return []
        },
    ]

    /// A new page of refusals: newest first, so the selection stays on its refusal when new ones
    /// arrive above it.
    static func refusedLoaded(_ refusals: [RefusedDelivery], total: Int, in state: inout AppState) -> [Effect] {
        var e = state.events
        let selectedID = e.refusedSelected < e.refused.count ? e.refused[e.refusedSelected].id : nil
        e.refused = refusals
        e.refusedTotal = total
        if let selectedID, e.refusedSelected > 0, let index = refusals.firstIndex(where: { $0.id == selectedID }) { e.refusedSelected = index }
        e.refusedSelected = min(e.refusedSelected, max(0, refusals.count - 1))
        state.events = e
        return []
    }

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        keys.handle(key, in: &state) ?? []
    }

    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let f = state.follower
        let width = canvas.size.width
        var y = top
        canvas.write(" Events log ", x: 0, y: y, role: .title)
        let phase: (String, Role) = switch f.phase {
        case .following: ("● following", .success)
        case .waiting: ("○ waiting for the log to appear", .warning)
        case .starting: ("… starting", .muted)
        case .failed: ("✗ failed: \(f.error ?? "")", .error)
        }
        canvas.write(phase.0, x: 13, y: y, role: phase.1, maxWidth: width - 14)
        y += 1
        func line(_ label: String, _ value: String, role: Role = .normal) {
            canvas.write(label, x: 2, y: y, role: .muted)
            y += canvas.wrapped(value, x: 18, y: y, width: width - 19, maxLines: 2, role: role)
        }
        line("file", f.path)
        line("position", "line \(f.nextLine) · byte \(TransactionsScreen.grouped(Int(f.offset)))")
        line("applied", "\(TransactionsScreen.grouped(Int(f.linesApplied))) lines · \(TransactionsScreen.grouped(Int(f.events))) events · \(f.duplicates) duplicates · \(f.late) late · \(f.rejected) rejected")
        line("last event", f.lastEventAt.map { RFC3339.formatShort($0, offsetSeconds: state.session.offsetSeconds) + " (" + ago($0, state.now) + ")" } ?? "none yet")
        for notice in f.notices.prefix(2) {
            // Read whole: a notice wraps under its label instead of stopping mid-word.
            canvas.write("notice", x: 2, y: y, role: .muted)
            y += canvas.wrapped(notice, x: 18, y: y, width: width - 19, maxLines: 3, role: .warning)
        }
        y += 1
        renderList(state, into: &canvas, y: y, bottom: top + height)
        let list = state.events
        guard list.showingRaw else { return }
        switch list.list {
        case .rejected where list.selected < list.rejected.count:
            let r = list.rejected[list.selected]
            let suffix = r.rawLength > r.raw.count ? " · first \(r.raw.count) of \(r.rawLength) bytes" : ""
            RawView.render(title: "line \(r.line) · \(r.code)\(suffix)", bytes: r.raw, into: &canvas, top: top, height: height)
        case .refused where list.refusedSelected < list.refused.count:
            let r = list.refused[list.refusedSelected]
            let loaded = list.refusedBodyID == r.id
            let body = loaded ? list.refusedBody : []
            let suffix = !loaded ? " · loading" : r.rawLength > body.count ? " · first \(TransactionsScreen.grouped(body.count)) of \(TransactionsScreen.grouped(r.rawLength)) bytes" : ""
            RawView.render(title: "\(r.status) from \(TerminalText.sanitized(r.remote))\(suffix)", bytes: body, into: &canvas, top: top, height: height)
        default: break
        }
    }

    /// The switcher (both lists with their counts, the one shown highlighted), the shown list's
    /// column header, and its rows around the selection.
    static func renderList(_ state: AppState, into canvas: inout Canvas, y top: Int, bottom: Int) {
        let list = state.events
        let width = canvas.size.width
        var y = top
        func counted(_ shown: Int, _ total: Int) -> String {
            total > shown ? "newest \(TransactionsScreen.grouped(shown)) of \(TransactionsScreen.grouped(total))" : TransactionsScreen.grouped(shown)
        }
        var x = 1
        for (kind, title) in [(State.List.rejected, "Rejected lines (\(counted(list.rejected.count, list.total)))"),
                              (.refused, "Refused deliveries (\(counted(list.refused.count, list.refusedTotal)))")] {
            x += canvas.write(" \(title) ", x: x, y: y, role: kind == list.list ? .title : .muted) + 2
        }
        if width - x >= 12 { canvas.write("newest first", x: x, y: y, role: .muted) }
        y += 1
        let header = list.list == .rejected
            ? "  " + TerminalText.padded("FILE", to: 20) + " " + TerminalText.padded("LINE", to: 8) + " " + TerminalText.padded("CODE", to: 22) + " MESSAGE"
            : "  " + TerminalText.padded("TIME", to: 19) + " " + TerminalText.padded("REMOTE", to: 26) + " HTTP REASON"
        canvas.write(TerminalText.padded(header, to: width), x: 0, y: y, role: .header)
        y += 1
        let room = bottom - y
        guard list.count > 0 else {
            let empty = list.list == .rejected
                ? "No rejected lines: every line of the log was accepted."
                : "No refused deliveries: serve has refused none on this database (or never ran on it)."
            canvas.wrapped(empty, x: 2, y: y, width: width - 3, maxLines: 2, role: .muted)
            return
        }
        let cursor = list.cursor
        let start = max(0, min(cursor - room / 2, list.count - room))
        for index in (start..<list.count).prefix(max(0, room)) {
            let text: String
            switch list.list {
            case .rejected:
                let r = list.rejected[index]
                text = "  " + cell(lastComponent(r.file), 20) + " " + cell(String(r.line), 8) + " " + cell(r.code, 22) + " " + TerminalText.truncated(TerminalText.sanitized(r.message), to: width - 55)
            case .refused:
                let r = list.refused[index]
                text = "  " + cell(RFC3339.formatShort(r.at, offsetSeconds: state.session.offsetSeconds), 19) + " " + cell(r.remote, 26)
                    + " " + cell(String(r.status), 4) + " " + TerminalText.truncated(TerminalText.sanitized(r.reason), to: width - 54)
            }
            let selected = index == cursor
            canvas.write(text, x: 0, y: y, role: selected ? .selected : .normal, maxWidth: width)
            if selected { canvas.paint(x: 0, y: y, width: width, role: .selected) }
            y += 1
        }
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
