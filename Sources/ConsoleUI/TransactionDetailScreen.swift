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
        KeyBinding([.character("r")], "raw event") { state in
            guard state.detail.selected < state.detail.events.count else { return [] }
            state.detail.showingRaw = true
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

    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let d = state.detail
        let width = canvas.size.width
        guard let r = d.record else {
            let text = d.missing.map { "No transaction with id \($0) (Esc goes back)." } ?? "loading \(d.requestedID ?? "")…"
            canvas.write(text, x: 2, y: top + 1, role: .muted)
            return
        }
        canvas.write(" Transaction ", x: 0, y: top, role: .title)
        canvas.write(r.id, x: 13, y: top, role: .accent, maxWidth: width - 14)
        let (status, statusRole) = TransactionsScreen.statusText(r, now: state.now)
        let offset = state.session.offsetSeconds
        var y = top + 1
        func field(_ label: String, _ value: String, role: Role = .normal, x: Int = 1, labelWidth: Int = 12, maxWidth: Int = 36) {
            canvas.write(label, x: x, y: y, role: .muted)
            canvas.write(value, x: x + labelWidth, y: y, role: role, maxWidth: maxWidth)
        }
        // Two columns of fields.
        let right = width / 2 + 1
        let halfWidth = width / 2 - 14
        field("status", status + (r.rawStatus.isEmpty ? "" : "  (\(r.rawStatus))"), role: statusRole, maxWidth: halfWidth)
        canvas.write("amount", x: right, y: y, role: .muted)
        canvas.write(r.amount?.formatted(currency: r.currency) ?? "–", x: right + 12, y: y, maxWidth: halfWidth)
        y += 1
        field("method", "\(r.method.displayName) (\(r.method.rawValue))", maxWidth: halfWidth)
        canvas.write("country", x: right, y: y, role: .muted)
        canvas.write(r.region.map { "\($0.countryCode) \($0.displayName)" } ?? "–", x: right + 12, y: y, maxWidth: halfWidth)
        y += 1
        field("user", r.userID, maxWidth: halfWidth)
        canvas.write("psp id", x: right, y: y, role: .muted)
        canvas.write(r.pspTransactionID ?? "–", x: right + 12, y: y, maxWidth: halfWidth)
        y += 1
        field("reference", r.merchantReference.map { $0.isEmpty ? "(empty)" : $0 } ?? "–", maxWidth: halfWidth)
        canvas.write("first seen", x: right, y: y, role: .muted)
        canvas.write(RFC3339.formatShort(r.firstSeenAt, offsetSeconds: offset), x: right + 12, y: y, maxWidth: halfWidth)
        y += 1
        // How long ago, beside the absolute times (seconds shown), from the runtime's tick.
        field("updated", RFC3339.formatShort(r.updatedAt, offsetSeconds: offset) + " (\(RelativeTime.ago(r.updatedAt, now: state.now)))"
              + " · first seen \(RelativeTime.ago(r.firstSeenAt, now: state.now))", maxWidth: width - 14)
        y += 1
        let key: String
        if let region = r.region {
            let hint = state.config.stored.secrets[region.apiKeyField]
            key = "\(region.apiKeyField.rawValue) " + (hint.map { "\($0.mask) \($0.fingerprint)" } ?? "(not set!)")
        } else {
            key = "unknown until the country is known"
        }
        field("key", key, role: r.region != nil && state.config.stored.secrets[r.region!.apiKeyField] == nil ? .warning : .normal, maxWidth: width - 14)
        y += 1
        field("message", r.message ?? "–", maxWidth: width - 14)
        y += 1
        if let code = r.errorCode {
            if let known = PSPErrorCode(code: code) {
                canvas.write("error", x: 1, y: y, role: .muted)
                // Read whole: wrapped, never cut mid-word (a pay-out's guidance is about money).
                y += canvas.wrapped("\(code): \(known.meaning) — \(known.isSafeToRetry ? "safe to retry with a new request" : "do not retry blindly")",
                                    x: 13, y: y, width: width - 14, maxLines: 3, role: .statusDeclined)
                y += canvas.wrapped(known.guidance(for: r.method), x: 13, y: y, width: width - 14, maxLines: 4, role: r.method == .payOut ? .warning : .normal)
            } else {
                field("error", "\(code) (a code this console does not know; shown as received)", role: .statusDeclined, maxWidth: width - 14)
                y += 1
            }
        }
        if r.flags.contains(.conflict) {
            canvas.write("CONFLICT", x: 1, y: y, role: .flag)
            y += canvas.wrapped("a final status was followed by a different final status: support must look", x: 13, y: y, width: width - 14, maxLines: 3, role: .flag)
        }
        if r.flags.contains(.mismatch) {
            canvas.write("MISMATCH", x: 1, y: y, role: .flag)
            y += canvas.wrapped("an event disagreed on method, user, amount, currency or country (see notes)", x: 13, y: y, width: width - 14, maxLines: 3, role: .flag)
        }
        // Timeline.
        y += 0
        let n = TransactionsScreen.grouped
        let count = d.totalEvents <= d.events.count ? n(d.events.count)
            : d.after == 0 ? "newest \(n(d.events.count)) of \(n(d.totalEvents))"
            : "\(n(d.before + 1))–\(n(d.before + d.events.count)) of \(n(d.totalEvents))"
        canvas.write(TerminalText.padded(" TIMELINE (\(count))  RECEIVED        STATUS    RAW        MARK  MESSAGE", to: width), x: 0, y: y, role: .header)
        y += 1
        let available = top + height - y
        guard available > 0 else { return }
        let start = max(0, min(d.selected - available / 2, d.events.count - available))
        for (index, event) in d.events.enumerated().dropFirst(start).prefix(available) {
            let selected = index == d.selected
            let mark = event.duplicate ? "dup" : event.late ? "late" : ""
            let line = " line \(event.line)".padding(toLength: 13, withPad: " ", startingAt: 0)
                + RFC3339.formatShort(event.receivedAt, offsetSeconds: offset).dropFirst(5).padding(toLength: 16, withPad: " ", startingAt: 0)
                + event.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                + TerminalText.padded(TerminalText.sanitized(event.rawStatus), to: 10) + " "
                + mark.padding(toLength: 6, withPad: " ", startingAt: 0)
                + (event.errorCode.map { "[\($0)] " } ?? "") + (event.message ?? "")
                + (event.notes.map { " · " + $0 } ?? "")
            let role: Role = selected ? .selected : (event.duplicate || event.late ? .muted : .normal)
            // Cut with a visible mark, never mid-word in silence (`r` shows the event whole).
            canvas.write(TerminalText.truncated(TerminalText.sanitized(line), to: width), x: 0, y: y, role: role, maxWidth: width)
            if selected { canvas.paint(x: 0, y: y, width: width, role: .selected) }
            y += 1
        }
        if d.showingRaw, d.selected < d.events.count {
            RawView.render(title: "event at line \(d.events[d.selected].line)", bytes: d.events[d.selected].raw, into: &canvas, top: top, height: height)
        }
    }
}

/// A raw line with every control character shown as a visible escape.
enum RawView {
    static func render(title: String, bytes: [UInt8], into canvas: inout Canvas, top: Int, height: Int) {
        let width = canvas.size.width - 4
        canvas.overlay(Rect(x: 1, y: top + 1, width: width + 2, height: height - 2), title: " Raw: \(title) (Esc closes) ", role: .accent)
        let text = TerminalText.escaped(bytes)
        var lines: [String] = []
        var current = ""
        for character in text {
            if TerminalText.width(current) + TerminalText.width(of: character) > width - 2 {
                lines.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { lines.append(current) }
        let room = height - 4
        for (index, line) in lines.prefix(room).enumerated() {
            canvas.write(line, x: 3, y: top + 2 + index)
        }
        if lines.count > room { canvas.write("… \(lines.count - room) more lines", x: 3, y: top + height - 2, role: .muted) }
    }
}
