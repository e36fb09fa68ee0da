import Foundation
import CleoDomain
import TerminalCanvas

/// One transaction: every field, the regional key that serves it (masked), the error code with
/// its meaning and guidance, flags explained, and the timeline of its events with a raw view.
public enum TransactionDetailScreen {
    /// The newest events a detail loads (`tx show ID --json` has them all).
    public static let timelineLimit = 500

    public struct State: Sendable, Equatable {
        public var requestedID: String?
        public var record: TransactionRecord?
        /// The timeline in log order, a page at a time (keyset on the event's id; `.newest` is
        /// its end, reloaded as events arrive). The cursor stays on its event as events arrive.
        public var timeline = PagedList<EventRecord>(home: .bottom, pageLimit: TransactionDetailScreen.timelineLimit, followsHome: false)
        public var showingRaw = false
        /// The raw view's first line shown (its keys clamp it at the last line that fills it).
        public var rawScroll = 0
        public var missing: String?
        public init() {}
    }

    /// A reload of the detail: the row always; the timeline only while it shows its end.
    static func loaded(_ record: TransactionRecord, _ events: [EventRecord], totalEvents: Int, in state: inout AppState) -> [Effect] {
        state.detail.record = record
        state.detail.missing = nil
        guard state.detail.timeline.requestedWindow == .newest else {
            // A page further back does not change as events arrive (they come after it).
            state.detail.timeline.recount(total: totalEvents)
            return []
        }
        return receive(events, total: totalEvents, after: 0, window: .newest, in: &state)
    }

    static func timelineLoaded(txSeq: Int64, _ events: [EventRecord], total: Int, after: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        guard state.detail.record?.seq == txSeq else { return [] }
        return receive(events, total: total, after: after, window: window, in: &state)
    }

    /// A page in (`PagedList`), the raw lines already read kept on their events.
    static func receive(_ events: [EventRecord], total: Int, after: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        let raws = Dictionary(state.detail.timeline.rows.filter { !$0.raw.isEmpty }.map { ($0.rowID, $0.raw) }, uniquingKeysWith: { a, _ in a })
        let page = events.map { event in
            var event = event
            if event.raw.isEmpty, let raw = raws[event.rowID] { event.raw = raw }
            return event
        }
        return load(state.detail.timeline.receive(page, total: total, newer: after, window: window), state)
    }

    /// The timeline's read of `window`, when there is one.
    static func load(_ window: RowWindow?, _ state: AppState) -> [Effect] {
        guard let window, let seq = state.detail.record?.seq else { return [] }
        return [.loadTimeline(txSeq: seq, window)]
    }

    /// `j`/`k` past the page's ends read the next page (keyset on the event's id).
    static func move(_ state: inout AppState, _ move: ListMove) -> [Effect] {
        guard state.detail.record != nil else { return [] }
        return load(state.detail.timeline.apply(move), state)
    }

    /// Reads `window`, the cursor landing at `index` (`Int.max`: the last event).
    static func jump(_ state: inout AppState, seq: Int64, to window: RowWindow, index: Int) -> [Effect] {
        [.loadTimeline(txSeq: seq, state.detail.timeline.read(window, landing: ListLanding(index: index)))]
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.escape], "back", goes: .back),
        KeyBinding([.character("j"), .down], "scroll") { move(&$0, .by(1)) },
        KeyBinding([.character("k"), .up], "scroll", inHints: false) { move(&$0, .by(-1)) },
        // The transaction's first and last event, whatever page is held.
        KeyBinding([.character("g"), .home], "first", inHints: false) { move(&$0, .first) },
        KeyBinding([.character("G"), .end], "last", inHints: false) { move(&$0, .last) },
    ] + ListPaging.keys(screenful: { visibleRows($0) }, move: { move(&$0, .by($1)) }) + [
        KeyBinding([.character("r")], "raw event") { state in
            guard let event = state.detail.timeline.selected else { return [] }
            state.detail.showingRaw = true
            state.detail.rawScroll = 0
            return event.raw.isEmpty && event.rowID > 0 ? [.loadEventRaw(rowID: event.rowID)] : []
        },
        KeyBinding([.character("y")], "copy id") { state in
            guard let id = state.detail.record?.id else { return [] }
            return state.copy(id, what: "transaction id")
        },
        KeyBinding([.character("Y")], "copy psp id") { state in
            guard let psp = state.detail.record?.pspTransactionID, !psp.isEmpty else {
                state.say("this transaction has no psp id yet", error: true)
                return []
            }
            return state.copy(psp, what: "psp id")
        },
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        keys.handle(key, in: &state) ?? []
    }

    /// The timeline's columns: the specs drive header and cells. What gives way when the width
    /// runs out, first to last: the raw status dropped (the status word stays; `r` shows the
    /// line whole), then the message cut with `…` (the selected event's is shown whole under the
    /// table); the line, time, status, mark and error code never.
    static let timelineColumns = [
        TableColumn("LINE", alignRight: true), TableColumn("RECEIVED", reserve: 14), TableColumn("STATUS", reserve: 8),
        TableColumn("RAW", droppable: true, rank: 0), TableColumn("MARK"), TableColumn("ERROR"),
        TableColumn("MESSAGE", minimum: 12, rank: 0),
    ]

    /// The page held as cells (sanitised before measured) and their layout within `width`
    /// columns (a column of margin each side).
    static func timelineTable(_ state: AppState, width: Int) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let offset = state.session.offsetSeconds
        let rows = state.detail.timeline.rows.map { event -> [(text: String, role: Role)] in
            let cells: [(String, Role)] = [
                (String(event.line), .muted), (String(RFC3339.formatShort(event.receivedAt, offsetSeconds: offset).dropFirst(5)), .normal),
                (event.status.rawValue, .normal), (event.rawStatus, .muted), (event.duplicate ? "dup" : event.late ? "late" : "", .warning),
                (event.errorCode ?? "", .statusDeclined), (timelineMessage(event), .normal),
            ]
            return cells.map { (text: TerminalText.sanitized($0.0), role: $0.1) }
        }
        return (TableLayout(timelineColumns, rows: rows.map { $0.map(\.text) }, available: width - 2), rows)
    }

    static func timelineMessage(_ event: EventRecord) -> String {
        (event.message ?? "") + (event.notes.map { (event.message == nil ? "" : " · ") + $0 } ?? "")
    }

    /// The fields, two to a row when both values fit their half; a value that does not (a long
    /// psp id, user or reference) gets the whole row, so what support reads out is never cut.
    static func renderFields(_ pairs: [((String, String, Role), (String, String, Role))], into canvas: inout Canvas, area: Rect) -> Int {
        let labelWidth = 12
        var y = area.y
        func field(_ f: (String, String, Role), in rect: Rect) -> Int {
            canvas.write(f.0, x: rect.x, y: y, role: .muted)
            return canvas.wrapped(f.1, x: rect.x + labelWidth, y: y, width: rect.width - labelWidth, maxLines: 2, role: f.2)
        }
        for (left, right) in pairs where y < area.bottom {
            let halves = Layout.horizontal(Rect(x: area.x, y: y, width: area.width, height: 1), [.fill, .length(1), .fill])
            let fits = [(left, halves[0]), (right, halves[2])].allSatisfy { TerminalText.width(TerminalText.sanitized($0.0.1)) <= $0.1.width - labelWidth }
            if fits {
                _ = field(left, in: halves[0])
                _ = field(right, in: halves[2])
                y += 1
            } else {
                y += field(left, in: area)
                if y < area.bottom { y += field(right, in: area) }
            }
        }
        return y - area.y
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let d = state.detail
        let width = area.width
        guard let r = d.record else {
            let text = d.missing.map { "No transaction with id \($0) (Esc goes back)." } ?? "loading \(d.requestedID ?? "")…"
            canvas.wrapped(text, x: area.x + 2, y: area.y + 1, width: width - 4, maxLines: 3, role: .muted)
            return
        }
        let y = renderRecord(r, state, into: &canvas, in: area)
        renderTimeline(state, into: &canvas, area: Rect(x: area.x, y: y, width: width, height: area.bottom - y))
        if let content = rawContent(state) { RawView.render(content, scroll: d.rawScroll, into: &canvas, in: area) }
    }

    /// The timeline's rows drawn now: what a page key moves by (the fields above it wrap, and
    /// guidance or flags add lines, so they are measured by drawing them, not guessed).
    static func visibleRows(_ state: AppState) -> Int {
        guard let r = state.detail.record else { return 1 }
        let area = state.frame.body
        var scratch = Canvas(size: state.size)
        let y = renderRecord(r, state, into: &scratch, in: area)
        let timeline = Rect(x: area.x, y: y, width: area.width, height: area.bottom - y)
        return timelineRoom(state, table: timelineTable(state, width: timeline.width), area: timeline).rows
    }

    /// The transaction's fields, its error's guidance and its flags; returns the row below them.
    static func renderRecord(_ r: TransactionRecord, _ state: AppState, into canvas: inout Canvas, in area: Rect) -> Int {
        let width = area.width
        let x = canvas.write(" Transaction ", x: area.x, y: area.y, role: .title)
        canvas.wrapped(r.id, x: area.x + x, y: area.y, width: width - x - 1, maxLines: 1, role: .accent)
        let (status, statusRole) = TransactionsScreen.statusText(r, now: state.now)
        let offset = state.session.offsetSeconds
        let fields = area.inset(dx: 1)
        var y = area.y + 1
        y += renderFields([
            (("status", status + (r.rawStatus.isEmpty ? "" : "  (\(r.rawStatus))"), statusRole), ("amount", r.amount?.formatted(currency: r.currency) ?? "–", .normal)),
            (("method", "\(r.method.displayName) (\(r.method.rawValue))", .normal), ("country", r.region.map { "\($0.countryCode) \($0.displayName)" } ?? "–", .normal)),
            (("user", r.userID, .normal), ("psp id", r.pspTransactionID ?? "–", .normal)),
            (("reference", r.merchantReference.map { $0.isEmpty ? "(empty)" : $0 } ?? "–", .normal), ("first seen", RFC3339.formatShort(r.firstSeenAt, offsetSeconds: offset), .normal)),
        ], into: &canvas, area: Rect(x: fields.x, y: y, width: fields.width, height: area.bottom - y))
        func field(_ label: String, _ value: String, role: Role = .normal, labelRole: Role = .muted, maxLines: Int = 2) {
            guard y < area.bottom else { return }
            canvas.write(label, x: area.x + 1, y: y, role: labelRole)
            y += canvas.wrapped(value, x: area.x + 13, y: y, width: width - 14, maxLines: min(maxLines, area.bottom - y), role: role)
        }
        // How long ago, beside the absolute times (seconds shown), from the runtime's tick.
        field("updated", RFC3339.formatShort(r.updatedAt, offsetSeconds: offset) + " (\(RelativeTime.ago(r.updatedAt, now: state.now)))"
              + " · first seen \(RelativeTime.ago(r.firstSeenAt, now: state.now))")
        let key: String
        if let region = r.region {
            let hint = state.config.stored.secrets[region.apiKeyField]
            key = "\(region.apiKeyField.rawValue) " + (hint.map { "\($0.mask) \($0.fingerprint)" } ?? "(not set!)")
        } else {
            key = "unknown until the country is known"
        }
        field("key", key, role: r.region != nil && state.config.stored.secrets[r.region!.apiKeyField] == nil ? .warning : .normal)
        field("message", r.message ?? "–", maxLines: 3)
        if let code = r.errorCode {
            if let known = PSPErrorCode(code: code) {
                // Read whole: wrapped, never cut mid-word (a pay-out's guidance is about money).
                // A pay-out is retried only once Cleo confirms no money moved (the guidance below).
                let retry = !known.isSafeToRetry ? "do not retry blindly"
                    : r.method == .payOut ? "retry only once Cleo confirms no money moved" : "safe to retry with a new request"
                field("error", "\(code): \(known.meaning) — \(retry)", role: .statusDeclined, maxLines: 3)
                if y < area.bottom {
                    y += canvas.wrapped(known.guidance(for: r.method), x: area.x + 13, y: y, width: width - 14, maxLines: min(4, area.bottom - y),
                                        role: r.method == .payOut ? .warning : .normal)
                }
            } else {
                field("error", "\(code) (a code this console does not know; shown as received)", role: .statusDeclined)
                // Unknown is not harmless: a pay-out's caution and the unknown code's advice still apply.
                if y < area.bottom {
                    y += canvas.wrapped(PSPErrorCode.unknown.guidance(for: r.method), x: area.x + 13, y: y, width: width - 14,
                                        maxLines: min(4, area.bottom - y), role: r.method == .payOut ? .warning : .normal)
                }
            }
        }
        if r.flags.contains(.conflict) {
            field("CONFLICT", "a final status was followed by a different final status: support must look at it", role: .flag, labelRole: .flag, maxLines: 3)
        }
        if r.flags.contains(.mismatch) {
            field("MISMATCH", "an event disagreed on method, user, amount, currency or country (see notes)", role: .flag, labelRole: .flag, maxLines: 3)
        }
        return y
    }

    /// The open raw view's content: the selected event's line.
    static func rawContent(_ state: AppState) -> RawView.Content? {
        let d = state.detail
        guard d.showingRaw, let event = d.timeline.selected else { return nil }
        return RawView.Content(title: "event at line \(event.line)", bytes: event.raw)
    }

    /// The timeline's rows in `area`, and the selected event's message whole under them when
    /// its cell cuts it (as many of its lines as leave a row).
    static func timelineRoom(_ state: AppState, table: (layout: TableLayout, rows: [[(text: String, role: Role)]]), area: Rect) -> (rows: Int, whole: [String]) {
        let timeline = state.detail.timeline
        let selected = timeline.cursor
        var whole: [String] = []
        if selected < table.rows.count, let index = table.layout.columns.firstIndex(where: { $0.title == "MESSAGE" }),
           let shown = table.layout.widths[index], TerminalText.width(table.rows[selected][index].text) > shown {
            whole = TerminalText.wrap("line \(timeline.rows[selected].line): " + table.rows[selected][index].text, width: area.width - 2)
        }
        let room = area.height - 2
        let rows = max(1, room - whole.count)
        return (rows, Array(whole.prefix(max(0, room - rows))))
    }

    /// The timeline in `area`: its title with the page's place, the table (a window that keeps
    /// the selected event in view), and the selected event's message whole when its cell is cut.
    static func renderTimeline(_ state: AppState, into canvas: inout Canvas, area: Rect) {
        let timeline = state.detail.timeline
        guard area.height >= 2 else { return }
        let n = TransactionsScreen.grouped
        let (events, selected, total, before) = (timeline.rows, timeline.cursor, timeline.total, timeline.older)
        let count = total <= events.count ? TransactionsScreen.counted(events.count, "event")
            : timeline.newer == 0 ? "newest \(n(events.count)) of \(n(total)) events"
            : "events \(n(before + 1))–\(n(before + events.count)) of \(n(total))"
        let table = timelineTable(state, width: area.width)
        canvas.fill(x: area.x, y: area.y, width: area.width, role: .header)
        let x = canvas.write(" Timeline ", x: area.x, y: area.y, role: .header)
        canvas.write("· " + count, x: area.x + x, y: area.y, role: .header, maxWidth: area.width - x - 1)
        canvas.tableRow(table.layout, table.layout.columns.map { ($0.title, Role.header) }, x: area.x + 1, y: area.y + 1)
        let (rows, whole) = timelineRoom(state, table: table, area: area)
        let start = max(0, min(selected - rows / 2, events.count - rows))
        var y = area.y + 2
        for (index, cells) in table.rows.enumerated().dropFirst(start).prefix(rows) {
            let event = events[index]
            let isSelected = index == selected
            let shown = event.duplicate || event.late ? cells.map { (text: $0.text, role: Role.muted) } : cells
            canvas.tableRow(table.layout, shown, x: area.x + 1, y: y, rowRole: isSelected ? .selected : nil)
            if isSelected { canvas.paint(x: area.x, y: y, width: area.width, role: .selected) }
            y += 1
        }
        for (index, line) in whole.enumerated() {
            canvas.write(line, x: area.x + 1, y: area.bottom - whole.count + index, role: .muted, maxWidth: area.width - 2)
        }
    }
}
