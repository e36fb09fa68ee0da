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
        /// The newest page of the timeline, in log order.
        public var events: [EventRecord] = []
        /// How many events the transaction has (more than `events` holds for a long timeline).
        public var totalEvents = 0
        public var selected = 0
        public var showingRaw = false
        /// The raw view's first line shown (its keys clamp it at the last line that fills it).
        public var rawScroll = 0
        public var missing: String?
        /// Where the timeline's page is (`.newest`: its end, reloaded as events arrive; else a
        /// page further back, by keyset on the event's id) and how many events come after it.
        public var window = RowWindow.newest
        public var after = 0
        /// Where the cursor goes on the page being loaded (`Int.max`: the last event).
        var pendingIndex: Int?
        /// Or the event to land on, by its row.
        var pendingRow: Int64?
        public init() {}

        /// Events before the page (log order).
        var before: Int { max(0, totalEvents - after - events.count) }
    }

    /// A reload of the detail: the row always; the timeline only while it shows its end.
    static func loaded(_ record: TransactionRecord, _ events: [EventRecord], totalEvents: Int, in state: inout AppState) -> [Effect] {
        state.detail.record = record
        state.detail.missing = nil
        if state.detail.window != .newest {
            // A page further back does not change as events arrive (they come after it).
            state.detail.after = max(0, totalEvents - state.detail.events.count - state.detail.before)
            state.detail.totalEvents = totalEvents
            return []
        }
        place(events, total: totalEvents, after: 0, in: &state.detail)
        return []
    }

    static func timelineLoaded(txSeq: Int64, _ events: [EventRecord], total: Int, after: Int, window: RowWindow, in state: inout AppState) -> [Effect] {
        guard state.detail.record?.seq == txSeq, window == state.detail.window else { return [] }
        // A short page after the current one is the timeline's end: shown as the newest page.
        if case .newerThan = window, events.count < timelineLimit {
            state.detail.window = .newest
            // On the event the move was going to: the first after the page it left.
            state.detail.pendingIndex = nil
            if let first = events.first { state.detail.pendingRow = first.rowID }
            return [.loadTimeline(txSeq: txSeq, .newest)]
        }
        place(events, total: total, after: after, in: &state.detail)
        if window != .newest, let last = events.last { state.detail.window = after == 0 ? .newest : .olderThan(last.rowID + 1) }
        return []
    }

    /// A page in: the cursor where a move asked, else on its event, the raw lines already read kept.
    static func place(_ events: [EventRecord], total: Int, after: Int, in d: inout State) {
        let selectedRow = d.pendingRow ?? (d.selected < d.events.count ? d.events[d.selected].rowID : nil)
        let raws = Dictionary(d.events.filter { !$0.raw.isEmpty }.map { ($0.rowID, $0.raw) }, uniquingKeysWith: { a, _ in a })
        d.events = events.map { event in
            var event = event
            if event.raw.isEmpty, let raw = raws[event.rowID] { event.raw = raw }
            return event
        }
        d.totalEvents = total
        d.after = after
        if let index = d.pendingIndex, d.pendingRow == nil {
            d.selected = index
        } else if let selectedRow, let index = events.firstIndex(where: { $0.rowID == selectedRow }) {
            d.selected = index
        }
        d.selected = max(0, min(d.selected, events.count - 1))
        d.pendingIndex = nil
        d.pendingRow = nil
    }

    /// `j`/`k` past the page's ends read the next page (keyset on the event's id).
    static func scroll(_ state: inout AppState, by delta: Int) -> [Effect] {
        let d = state.detail
        let target = d.selected + delta
        if target >= 0 && target < d.events.count {
            state.detail.selected = target
            return []
        }
        guard let seq = d.record?.seq else { return [] }
        if target < 0, d.before > 0, let first = d.events.first {
            return jump(&state, seq: seq, to: .olderThan(first.rowID), index: Int.max)
        }
        if target >= d.events.count, d.after > 0, let last = d.events.last {
            return jump(&state, seq: seq, to: .newerThan(last.rowID), index: 0)
        }
        return []
    }

    static func jump(_ state: inout AppState, seq: Int64, to window: RowWindow, index: Int) -> [Effect] {
        state.detail.window = window
        state.detail.pendingIndex = index
        state.detail.pendingRow = nil
        return [.loadTimeline(txSeq: seq, window)]
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.escape], "back", goes: .back),
        KeyBinding([.character("j"), .down], "scroll") { scroll(&$0, by: 1) },
        KeyBinding([.character("k"), .up], "scroll", inHints: false) { scroll(&$0, by: -1) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            // The transaction's first event, whatever page is held.
            guard state.detail.before > 0, let seq = state.detail.record?.seq else {
                state.detail.selected = 0
                return []
            }
            return jump(&state, seq: seq, to: .oldest, index: 0)
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            guard state.detail.window != .newest, let seq = state.detail.record?.seq else {
                state.detail.selected = max(0, state.detail.events.count - 1)
                return []
            }
            return jump(&state, seq: seq, to: .newest, index: Int.max)
        },
    ] + ListPaging.keys(screenful: { $0.bodyHeight - 14 }, move: { scroll(&$0, by: $1) }) + [
        KeyBinding([.character("r")], "raw event") { state in
            guard state.detail.selected < state.detail.events.count else { return [] }
            state.detail.showingRaw = true
            state.detail.rawScroll = 0
            let event = state.detail.events[state.detail.selected]
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
        let rows = state.detail.events.map { event -> [(text: String, role: Role)] in
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
        renderTimeline(state, into: &canvas, area: Rect(x: area.x, y: y, width: width, height: area.bottom - y))
        if let content = rawContent(state) { RawView.render(content, scroll: d.rawScroll, into: &canvas, in: area) }
    }

    /// The open raw view's content: the selected event's line.
    static func rawContent(_ state: AppState) -> RawView.Content? {
        let d = state.detail
        guard d.showingRaw, d.selected < d.events.count else { return nil }
        let event = d.events[d.selected]
        return RawView.Content(title: "event at line \(event.line)", bytes: event.raw)
    }

    /// The timeline in `area`: its title with the page's place, the table (a window that keeps
    /// the selected event in view), and the selected event's message whole when its cell is cut.
    static func renderTimeline(_ state: AppState, into canvas: inout Canvas, area: Rect) {
        let d = state.detail
        guard area.height >= 2 else { return }
        let n = TransactionsScreen.grouped
        let count = d.totalEvents <= d.events.count ? TransactionsScreen.counted(d.events.count, "event")
            : d.after == 0 ? "newest \(n(d.events.count)) of \(n(d.totalEvents)) events"
            : "events \(n(d.before + 1))–\(n(d.before + d.events.count)) of \(n(d.totalEvents))"
        let table = timelineTable(state, width: area.width)
        canvas.fill(x: area.x, y: area.y, width: area.width, role: .header)
        let x = canvas.write(" Timeline ", x: area.x, y: area.y, role: .header)
        canvas.write("· " + count, x: area.x + x, y: area.y, role: .header, maxWidth: area.width - x - 1)
        canvas.tableRow(table.layout, table.layout.columns.map { ($0.title, Role.header) }, x: area.x + 1, y: area.y + 1)
        // The selected event's message whole, under the table, when its cell cuts it.
        var whole: [String] = []
        if d.selected < table.rows.count, let index = table.layout.columns.firstIndex(where: { $0.title == "MESSAGE" }),
           let shown = table.layout.widths[index], TerminalText.width(table.rows[d.selected][index].text) > shown {
            whole = TerminalText.wrap("line \(d.events[d.selected].line): " + table.rows[d.selected][index].text, width: area.width - 2)
        }
        let room = area.height - 2
        let rows = max(1, room - whole.count)
        whole = Array(whole.prefix(max(0, room - rows)))
        let start = max(0, min(d.selected - rows / 2, d.events.count - rows))
        var y = area.y + 2
        for (index, cells) in table.rows.enumerated().dropFirst(start).prefix(rows) {
            let event = d.events[index]
            let selected = index == d.selected
            let shown = event.duplicate || event.late ? cells.map { (text: $0.text, role: Role.muted) } : cells
            canvas.tableRow(table.layout, shown, x: area.x + 1, y: y, rowRole: selected ? .selected : nil)
            if selected { canvas.paint(x: area.x, y: y, width: area.width, role: .selected) }
            y += 1
        }
        for (index, line) in whole.enumerated() {
            canvas.write(line, x: area.x + 1, y: area.bottom - whole.count + index, role: .muted, maxWidth: area.width - 2)
        }
    }
}
