import CleoDomain
import TerminalCanvas

/// The follower (file, position, counts, last event, rotation/truncation notices) and the
/// rejected lines with their code, message and raw view.
public enum EventsScreen {
    public struct State: Sendable, Equatable {
        /// The newest rejected lines, newest first.
        public var rejected: [RejectedLine] = []
        /// All rejected lines (the page may hold fewer).
        public var total = 0
        public var selected = 0
        public var showingRaw = false
        public init() {}
    }

    /// How many of the newest rejected lines the screen holds (the CLI lists them all).
    public static let pageLimit = 500

    static let keys: [KeyBinding] = [
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            state.events.selected = 0
            return []
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            state.events.selected = max(0, state.events.rejected.count - 1)
            return []
        },
        KeyBinding([.ctrl("d")], "half page", inHints: false) { state in
            state.events.selected = stepped(state.events.selected, by: max(1, (state.bodyHeight - 8) / 2), count: state.events.rejected.count)
            return []
        },
        KeyBinding([.ctrl("u")], "half page up", inHints: false) { state in
            state.events.selected = stepped(state.events.selected, by: -max(1, (state.bodyHeight - 8) / 2), count: state.events.rejected.count)
            return []
        },
        KeyBinding([.character("j"), .down], "move") { state in
            state.events.selected = stepped(state.events.selected, by: 1, count: state.events.rejected.count)
            return []
        },
        KeyBinding([.character("k"), .up], "move", inHints: false) { state in
            state.events.selected = stepped(state.events.selected, by: -1, count: state.events.rejected.count)
            return []
        },
        KeyBinding([.enter, .character("r")], "raw line") { state in
            if !state.events.rejected.isEmpty { state.events.showingRaw = true }
            return []
        },
        KeyBinding([.escape], "back") { state in
            state.screen = .transactions
            return []
        },
    ]

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
        let list = state.events
        let count = list.total > list.rejected.count ? "newest \(list.rejected.count) of \(TransactionsScreen.grouped(list.total))" : "\(list.rejected.count)"
        canvas.write(TerminalText.padded(TerminalText.padded(" REJECTED LINES (\(count)), NEWEST FIRST", to: 33) + " LINE     CODE                   MESSAGE", to: width), x: 0, y: y, role: .header)
        y += 1
        let room = top + height - y
        if list.rejected.isEmpty {
            canvas.write("No rejected lines: every line of the log was accepted.", x: 2, y: y, role: .muted)
            return
        }
        let start = max(0, min(list.selected - room / 2, list.rejected.count - room))
        for (index, r) in list.rejected.enumerated().dropFirst(start).prefix(max(0, room)) {
            let selected = index == list.selected
            let text = "  " + TerminalText.padded(lastComponent(r.file), to: 20) + " " + TerminalText.padded(String(r.line), to: 8)
                + " " + TerminalText.padded(r.code, to: 22) + " " + r.message
            canvas.write(text, x: 0, y: y, role: selected ? .selected : .normal, maxWidth: width)
            if selected { canvas.paint(x: 0, y: y, width: width, role: .selected) }
            y += 1
        }
        if list.showingRaw, list.selected < list.rejected.count {
            let r = list.rejected[list.selected]
            let suffix = r.rawLength > r.raw.count ? " · first \(r.raw.count) of \(r.rawLength) bytes" : ""
            RawView.render(title: "line \(r.line) · \(r.code)\(suffix)", bytes: r.raw, into: &canvas, top: top, height: height)
        }
    }

    static func ago(_ t: Timestamp, _ now: Timestamp) -> String {
        let seconds = max(0, (now.millisecondsSince1970 - t.millisecondsSince1970) / 1000)
        if seconds < 60 { return "\(seconds) s ago" }
        if seconds < 3600 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }
}

/// The last path component (a rotated file shows as `webhook-events.jsonl.1`).
func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
