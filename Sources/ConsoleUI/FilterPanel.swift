import Foundation
import CleoDomain
import TerminalCanvas

/// The stacked filters of `f`: status, country, currency, method, flagged, overdue Pending and a
/// date range. Each change reloads the list (the filters run as SQL).
public struct FilterPanel: Sendable, Equatable {
    public enum Row: Int, CaseIterable, Sendable {
        case status, country, currency, method, flagged, overdue, since, until

        var label: String {
            switch self {
            case .status: "status"
            case .country: "country"
            case .currency: "currency"
            case .method: "method"
            case .flagged: "flagged (CONFLICT/MISMATCH)"
            case .overdue: "overdue Pending (>30 min)"
            case .since: "first seen since (date or 6h)"
            case .until: "first seen until (date or 2d)"
            }
        }
    }

    public var isOpen = false
    public var row = Row.status
    /// The date being typed, when a date row is being edited.
    public var editing: TextField?
    public var error: String?

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "move") { state in
            state.transactions.filters.row = Row(rawValue: min(Row.allCases.count - 1, state.transactions.filters.row.rawValue + 1))!
            return []
        },
        KeyBinding([.character("k"), .up], "move", inHints: false) { state in
            state.transactions.filters.row = Row(rawValue: max(0, state.transactions.filters.row.rawValue - 1))!
            return []
        },
        KeyBinding([.character(" "), .enter, .right], "change") { change(&$0, backwards: false) },
        KeyBinding([.left], "back", inHints: false) { change(&$0, backwards: true) },
        KeyBinding([.character("c")], "clear all") { state in
            let search = state.transactions.query.search
            state.transactions.query = TransactionQuery()
            state.transactions.query.search = search
            return reload(&state)
        },
        KeyBinding([.escape, .character("f")], "close") { state in
            state.transactions.filters.isOpen = false
            state.transactions.filters.error = nil
            return []
        },
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        if var field = state.transactions.filters.editing {
            switch field.handle(key) {
            case .editing:
                state.transactions.filters.editing = field
                return []
            case .cancelled:
                state.transactions.filters.editing = nil
                return []
            case .submitted:
                let row = state.transactions.filters.row
                let text = field.text.trimmingCharacters(in: .whitespaces)
                if text.isEmpty {
                    if row == .since { state.transactions.query.since = nil } else { state.transactions.query.until = nil }
                } else {
                    let offset = state.session.offsetSeconds
                    // cli.md: a duration back from now (90m, 6h, 2d) works as in `tx list --since`.
                    let ago = DurationBound.before(state.now, text)
                    guard var bound = ago ?? RFC3339.parseBound(text, offsetSeconds: { _ in offset }) else {
                        state.transactions.filters.error = "\(text): not a date (YYYY-MM-DD), an RFC 3339 time or a duration (90m, 6h, 2d)"
                        state.transactions.filters.editing = field
                        return []
                    }
                    if row == .until && text.count == 10 && ago == nil { bound = bound.adding(milliseconds: 86_400_000 - 1) }
                    if row == .since { state.transactions.query.since = bound } else { state.transactions.query.until = bound }
                }
                state.transactions.filters.editing = nil
                state.transactions.filters.error = nil
                return reload(&state)
            }
        }
        return keys.handle(key, in: &state) ?? []
    }

    static func cycle<T: Equatable>(_ value: T?, _ all: [T], backwards: Bool) -> T? {
        let options: [T?] = [nil] + all.map { Optional($0) }
        let index = options.firstIndex { $0 == value } ?? 0
        let next = (index + (backwards ? options.count - 1 : 1)) % options.count
        return options[next]
    }

    static func change(_ state: inout AppState, backwards: Bool) -> [Effect] {
        var q = state.transactions.query
        switch state.transactions.filters.row {
        case .status: q.status = cycle(q.status, TransactionStatus.allCases, backwards: backwards)
        case .country: q.region = cycle(q.region, Region.allCases, backwards: backwards)
        case .currency: q.currency = cycle(q.currency, Currency.allCases, backwards: backwards)
        case .method: q.method = cycle(q.method, PaymentMethod.allCases, backwards: backwards)
        case .flagged: q.flaggedOnly.toggle()
        case .overdue: q.overdueMinutes = q.overdueMinutes == nil ? TransactionsScreen.overdueMinutes : nil
        case .since, .until:
            let current = state.transactions.filters.row == .since ? q.since : q.until
            let text = current.map { String(RFC3339.formatShort($0, offsetSeconds: state.session.offsetSeconds).prefix(10)) } ?? ""
            state.transactions.filters.editing = TextField(text: text)
            return []
        }
        state.transactions.query = q
        return reload(&state)
    }

    static func reload(_ state: inout AppState) -> [Effect] {
        state.transactions.window = .newest
        state.transactions.pendingSelection = .first
        return [state.loadPage()]
    }

    static func value(_ row: Row, _ state: AppState) -> String {
        let q = state.transactions.query
        let offset = state.session.offsetSeconds
        // A bound at midnight shows as its day; one from a duration with its time.
        func day(_ t: Timestamp?) -> String {
            guard let t else { return "any" }
            let full = RFC3339.formatShort(t, offsetSeconds: offset)
            return full.hasSuffix("00:00:00") || full.hasSuffix("23:59:59") ? String(full.prefix(10)) : String(full.prefix(16))
        }
        switch row {
        case .status: return q.status?.rawValue ?? "any"
        case .country: return q.region.map { "\($0.countryCode) \($0.displayName)" } ?? "any"
        case .currency: return q.currency?.rawValue ?? "any"
        case .method: return q.method?.displayName ?? "any"
        case .flagged: return q.flaggedOnly ? "[x] only flagged" : "[ ] all"
        case .overdue: return q.overdueMinutes != nil ? "[x] only overdue" : "[ ] all"
        case .since: return day(q.since)
        case .until: return day(q.until)
        }
    }

    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let panel = state.transactions.filters
        let width = 52
        let x = canvas.size.width - width - 1
        let boxHeight = Row.allCases.count + 4
        canvas.box(x: x, y: top + 1, width: width, height: boxHeight, title: " Filters ", role: .accent)
        for row in Row.allCases {
            let y = top + 2 + row.rawValue
            let selected = row == panel.row
            canvas.fill(x: x + 1, y: y, width: width - 2, role: selected ? .selected : .normal)
            canvas.write(TerminalText.padded(row.label, to: 30), x: x + 2, y: y, role: selected ? .selected : .muted)
            if selected, let field = panel.editing {
                canvas.field(field, x: x + 33, y: y, width: width - 35, role: .selected)
            } else {
                canvas.write(value(row, state), x: x + 33, y: y, role: selected ? .selected : .normal, maxWidth: width - 35)
            }
        }
        let footer = panel.error ?? "Space/Enter change · c clear all · Esc close"
        canvas.write(footer, x: x + 2, y: top + 2 + Row.allCases.count + 1, role: panel.error == nil ? .muted : .error, maxWidth: width - 4)
    }
}
