import Foundation
import CleoDomain
import TerminalCanvas

/// The stacked filters of `f`: any of the statuses (one box each), country, currency, method,
/// flagged, overdue Pending and a date range, each value with how many it would show. Each
/// change reloads the list (the filters run as SQL).
public struct FilterPanel: Sendable, Equatable {
    public enum Row: Int, CaseIterable, Sendable {
        case pending, approved, declined, country, currency, method, flagged, overdue, since, until

        var label: String {
            switch self {
            case .pending: "status"
            case .approved, .declined: ""
            case .country: "country"
            case .currency: "currency"
            case .method: "method"
            case .flagged: "flagged"
            case .overdue: "overdue"
            case .since: "since"
            case .until: "until"
            }
        }

        /// The status a status row toggles.
        var status: TransactionStatus? {
            switch self {
            case .pending: .pending
            case .approved: .approved
            case .declined: .declined
            default: nil
            }
        }
    }

    public var isOpen = false
    public var row = Row.pending
    /// How many each value would show (the counts' grouped query, while the panel is open).
    public var facets: TransactionFacets?
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
        case .pending, .approved, .declined:
            let status = state.transactions.filters.row.status!
            if q.statuses.contains(status) { q.statuses.remove(status) } else { q.statuses.insert(status) }
            // All three is no filter at all.
            if q.statuses.count == TransactionStatus.allCases.count { q.statuses = [] }
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

    /// `:status` and the panel say the same: several statuses, comma-separated.
    static func statusesText(_ q: TransactionQuery) -> String {
        q.statusFilter.isEmpty ? "any" : q.statusFilter.map(\.rawValue).joined(separator: ",")
    }

    static func reload(_ state: inout AppState) -> [Effect] {
        TransactionsScreen.restart(&state, at: .newest, select: .first)
    }

    static func value(_ row: Row, _ state: AppState) -> String {
        let q = state.transactions.query
        let offset = state.session.offsetSeconds
        // A bound at midnight shows as its day; one from a duration with its time.
        func day(_ t: Timestamp?, _ hint: String) -> String {
            guard let t else { return "any" }
            let full = RFC3339.formatShort(t, offsetSeconds: offset)
            return full.hasSuffix("00:00:00") || full.hasSuffix("23:59:59") ? String(full.prefix(10)) : String(full.prefix(16))
        }
        switch row {
        case .pending, .approved, .declined:
            let status = row.status!
            let checked = !q.statusFilter.isEmpty && q.statuses.contains(status)
            return (checked ? "[x] " : "[ ] ") + TransactionsScreen.statusLabel(status)
        case .country: return q.region.map { "\($0.countryCode) \($0.displayName)" } ?? "any"
        case .currency: return q.currency?.rawValue ?? "any"
        case .method: return q.method?.displayName ?? "any"
        case .flagged: return q.flaggedOnly ? "[x] only CONFLICT/MISMATCH" : "[ ] all"
        case .overdue: return q.overdueMinutes.map { "[x] only Pending > \($0) min" } ?? "[ ] all"
        case .since: return day(q.since, "6h")
        case .until: return day(q.until, "2d")
        }
    }

    /// How many each choice of a row would show, given the other filters ("" until counted).
    static func counts(_ row: Row, _ state: AppState) -> String {
        guard let facets = state.transactions.filters.facets else { return "" }
        let q = state.transactions.query
        let n = TransactionsScreen.grouped
        switch row {
        case .pending, .approved, .declined: return n(facets.count(row.status!, in: q))
        case .country: return Region.allCases.map { "\($0.countryCode) \(n(facets.count($0, in: q)))" }.joined(separator: " · ")
        case .currency: return Currency.allCases.map { "\($0.rawValue) \(n(facets.count($0, in: q)))" }.joined(separator: " · ")
        case .method: return PaymentMethod.allCases.map { "\($0.displayName) \(n(facets.count($0, in: q)))" }.joined(separator: " · ")
        case .flagged: return "\(n(facets.countFlagged(in: q))) flagged"
        default: return ""
        }
    }

    /// Beside a value that has no counts: what it takes.
    static func hint(_ row: Row, _ state: AppState) -> String {
        let q = state.transactions.query
        switch row {
        case .since where q.since == nil: return "a date, RFC 3339 or 6h"
        case .until where q.until == nil: return "a date, RFC 3339 or 2d"
        default: return ""
        }
    }

    /// The panel's columns (no header): the label, the value, a status's count (right-aligned),
    /// the counts of each choice (or what a date takes). What gives way first: the choices'
    /// counts are cut to 12 columns with `…`, then the value to 12; the label and a status's
    /// count never.
    static let columns = [
        TableColumn("", reserve: 8), TableColumn("", minimum: 12, rank: 1, reserve: 12), TableColumn("", alignRight: true),
        TableColumn("", minimum: 12, rank: 0),
    ]

    static func table(_ state: AppState, width: Int) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let panel = state.transactions.filters
        let rows = Row.allCases.map { row -> [(text: String, role: Role)] in
            let selected = row == panel.row
            let counts = counts(row, state)
            let cells: [(String, Role)] = [
                (row.label, .muted), (value(row, state), .normal),
                (row.status != nil ? counts : "", .muted), (row.status == nil ? (counts.isEmpty ? hint(row, state) : counts) : "", .muted),
            ]
            return cells.map { (text: TerminalText.sanitized($0.0), role: selected ? .selected : $0.1) }
        }
        return (TableLayout(columns, rows: rows.map { $0.map(\.text) }, available: width), rows)
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let panel = state.transactions.filters
        let width = min(area.width - 2, 78)
        let x = area.right - width - 1
        // The refusal of a typed date whole (wrapped, the box grows for it), never stopping mid-word.
        let footer = TerminalText.wrap(panel.error ?? "Space/Enter change · statuses add up · c clear all · Esc close", width: width - 4)
        let boxHeight = min(area.height - 1, Row.allCases.count + 3 + footer.count)
        let inner = canvas.overlay(Rect(x: x, y: area.y + 1, width: width, height: boxHeight), title: " Filters · counts for each choice ", role: .accent)
        let table = table(state, width: inner.width - 2)
        for (row, cells) in zip(Row.allCases, table.rows) {
            let y = inner.y + row.rawValue
            let selected = row == panel.row
            canvas.fill(x: inner.x, y: y, width: inner.width, role: selected ? .selected : .normal)
            if selected, let field = panel.editing, let valueX = table.layout.offsets[1] {
                canvas.tableRow(table.layout, Array(cells.prefix(1)), x: inner.x + 1, y: y)
                canvas.field(field, x: inner.x + 1 + valueX, y: y, width: inner.width - valueX - 2, role: .selected)
                continue
            }
            canvas.tableRow(table.layout, cells, x: inner.x + 1, y: y)
        }
        for (index, line) in footer.enumerated() where inner.y + Row.allCases.count + 1 + index < inner.bottom {
            canvas.write(line, x: inner.x + 1, y: inner.y + Row.allCases.count + 1 + index, role: panel.error == nil ? .muted : .error)
        }
    }
}
