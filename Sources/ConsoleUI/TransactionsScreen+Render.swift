import CleoDomain
import CleoIngest
import TerminalCanvas

/// The live list drawn: summary line, columns by width, rows, search field, filter panel.
extension TransactionsScreen {

    /// The list's columns: the specs drive header and cells, the widths come from the page's
    /// values (sanitised before measured). What gives way when the width runs out, first to
    /// last: how long ago, then the country (its currency, beside the amount, says it on Cleo:
    /// CLP/CL, PEN/PE, MXN/MX; a disagreement is flagged MISMATCH; the detail has both), then
    /// the flags dropped (the `!` mark stays), the error cut to 17 then dropped, the user cut
    /// to 8, the id cut to 14 in the middle (ids that share a prefix differ at the end); the
    /// time, method, amount and status never. The time always has its seconds (two events a
    /// second apart must not look simultaneous).
    static func tableColumns(ago: Bool, country: Bool) -> [TableColumn] {
        var columns = [
            TableColumn("", reserve: 1), TableColumn("FIRST SEEN", reserve: 14),
            TableColumn("TRANSACTION", minimum: 14, rank: 1, reserve: 24, cutsInTheMiddle: true),
            TableColumn("METHOD", reserve: 7), TableColumn("AMOUNT", alignRight: true, reserve: 13), TableColumn("STATUS", reserve: 12),
            TableColumn("USER", minimum: 8, rank: 0), TableColumn("ERROR", minimum: 17, droppable: true, rank: 1),
            TableColumn("FLAGS", droppable: true, rank: 0),
        ]
        if country { columns.insert(TableColumn("CC"), at: 4) }
        if ago { columns.insert(TableColumn("AGO", droppable: true, rank: 0, reserve: 6), at: 2) }
        return columns
    }

    /// The table for the page held at the canvas's width (a column of margin on the right): its
    /// layout and each row's cells with their roles (sanitised, so a placeholder takes the
    /// columns it is drawn in).
    static func table(_ state: AppState, width: Int, rowCount: Int) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let t = state.transactions
        let rows = Array(t.rows.prefix(max(0, rowCount)))
        return TableLayout.firstWhole([(true, true), (false, true), (false, false)]) { ago, country in
            let cells = rows.map { row -> [(text: String, role: Role)] in
                let (status, statusRole) = statusText(row, now: state.now)
                let mark = mark(for: row, t)
                var cells: [(text: String, role: Role)] = [
                    (mark?.rawValue ?? " ", mark == .flagged ? .flag : .changed),
                    (shortTime(row.firstSeenAt, offset: state.session.offsetSeconds), .muted),
                    (row.id, .normal), (row.method.displayName, .normal),
                    (row.amount?.formatted(currency: row.currency) ?? "–", .normal), (status, statusRole), (row.userID, .normal),
                    (row.errorCode ?? "", row.errorCode == nil ? .normal : .statusDeclined), (row.flags.names.joined(separator: ","), .flag),
                ]
                if country { cells.insert((row.region?.countryCode ?? "–", .normal), at: 4) }
                if ago { cells.insert((RelativeTime.compact(row.firstSeenAt, now: state.now), .muted), at: 2) }
                return cells.map { (text: TerminalText.sanitized($0.text), role: $0.role) }
            }
            return (TableLayout(tableColumns(ago: ago, country: country), rows: cells.map { $0.map(\.text) }, available: width - 1), cells)
        }
    }

    /// A word and a symbol per status; the symbols differ from each other and from every row
    /// mark and the cut-text mark, in UTF-8 and in their ASCII stand-ins (`+`, `x`, `o`).
    static func statusLabel(_ status: TransactionStatus) -> String {
        switch status {
        case .pending: "◌ Pending"
        case .approved: "✓ Approved"
        case .declined: "✗ Declined"
        }
    }

    static func statusText(_ row: TransactionRecord, now: Timestamp) -> (String, Role) {
        switch row.status {
        case .approved: return (statusLabel(row.status), .statusApproved)
        case .declined: return (statusLabel(row.status), .statusDeclined)
        case .pending:
            if row.isOverdue(at: now, minutes: overdueMinutes) {
                return (statusLabel(row.status) + " " + RelativeTime.compact(row.firstSeenAt, now: now), .overdue)
            }
            return (statusLabel(row.status), .statusPending)
        }
    }

    /// The row marks (first column) and what they mean, for the legend.
    enum RowMark: String, CaseIterable {
        case new = "★", changed = "~", flagged = "!"
        var meaning: String {
            switch self {
            case .new: "new"
            case .changed: "changed"
            case .flagged: "flagged"
            }
        }
    }

    /// The marks in words, for help: what the summary line's legend says, and the overdue status.
    static var markLegend: String {
        "Row marks: " + RowMark.allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: ", ")
            + "; \(statusLabel(.pending)) 1h: overdue (Pending over \(overdueMinutes) min)"
    }

    static func mark(for row: TransactionRecord, _ t: State) -> RowMark? {
        if let mark = t.marks[row.id] { return mark.isNew ? .new : .changed }
        return row.flags.isEmpty ? nil : .flagged
    }

    /// `1 transaction`, `2 transactions`.
    public static func counted(_ n: Int, _ noun: String) -> String {
        "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    /// The summary line. What gives way when the width runs out, last first: the legend (down to
    /// the marks on screen), the filter summary (cut), the overdue warning; the position and the
    /// pause state never.
    static func renderSummary(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let t = state.transactions
        let y = area.y
        // Columns from the area's left edge: `x` is relative, drawn at `area.x + x`.
        let width = area.width
        var x = canvas.write(" Transactions ", x: area.x, y: y, role: .title) + 1
        let matching = t.query.isFiltered ? " matching" : ""
        var where_: String
        if let position = t.position, !t.rows.isEmpty {
            // Before the first count of these filters: where, not a total that is not yet known.
            // Nor beside rows of the filters before (their page not in yet): a count of 3 over
            // the 4 rows of the search before read as a wrong list.
            where_ = "row \(grouped(position)) of " + (t.isCounted && t.rowsCurrent ? grouped(max(t.total, position)) + matching
                                                       : "…" + matching + (t.rowsCurrent ? " (counting)" : " (loading)"))
        } else if !t.isLoaded {
            where_ = "loading…"
        } else {
            // No position yet (the window's rows above not counted): the total, once it is this list's.
            where_ = !t.rowsCurrent ? "…\(matching) (loading)" : t.rows.isEmpty ? "0\(matching)"
                : t.isCounted ? "\(grouped(t.total))\(matching)" : "…\(matching) (counting)"
        }
        if t.window != .newest, let above = t.rowsAboveOfCurrentWindow, above > 0 {
            where_ += " · ▲ \(grouped(above)) newer (g)"
        }
        let paused = t.isPaused ? " ⏸ PAUSED · \(grouped(t.arrivedWhilePaused)) new · p resumes " : ""
        let pausedWidth = TerminalText.width(paused)
        x += canvas.write(where_, x: area.x + x, y: y, role: .normal, maxWidth: width - x - pausedWidth)
        var room = width - x - pausedWidth
        if t.overdue > 0 {
            // Short ("Pending" is implied: only Pending rows go overdue) so the legend fits beside it at 80.
            let text = "  ⚠ \(grouped(t.overdue)) overdue >\(overdueMinutes)m"
            if TerminalText.width(text) <= room {
                x += canvas.write(text, x: area.x + x, y: y, role: .overdue)
                room = width - x - pausedWidth
            }
        }
        // The legend: every mark, else (no room) the marks on screen, else none — help names them.
        let onScreen = Set(t.rows.prefix(max(0, area.height - 2)).compactMap { mark(for: $0, t) })
        let legends = [RowMark.allCases, RowMark.allCases.filter(onScreen.contains)].filter { !$0.isEmpty }
            .map { "  " + $0.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: " ") + " " }
        var filter = t.query.summary.isEmpty ? "" : "  filter: " + t.query.summary
        if TerminalText.width(filter) > room - 1 {
            // Cut, it would read as nonsense ("filter: statu"): say how many and where each is
            // seen — the panel (f) does not hold the search (/).
            let search = t.query.search != nil
            let count = t.query.summaryParts.count - (search ? 1 : 0)
            let all = count + (search ? 1 : 0)
            let forms = [
                "  " + ((count > 0 ? ["\(count) filter\(count == 1 ? "" : "s") (f)"] : []) + (search ? ["search (/)"] : [])).joined(separator: " + "),
                "  \(all) filter\(all == 1 ? "" : "s") (" + ((count > 0 ? ["f"] : []) + (search ? ["/"] : [])).joined(separator: " ") + ")",
            ]
            // No room even for that: "matching" beside the position already says it is filtered.
            filter = forms.first { TerminalText.width($0) <= room - 1 } ?? ""
        }
        if !filter.isEmpty, room > 12 {
            x += canvas.write(filter, x: area.x + x, y: y, role: .accent, maxWidth: room - 1)
            room = width - x - pausedWidth
        }
        if !paused.isEmpty {
            canvas.write(paused, x: area.x + width - pausedWidth, y: y, role: .warning)
        } else if let legend = legends.first(where: { TerminalText.width($0) <= room }) {
            canvas.write(legend, x: area.x + width - TerminalText.width(legend), y: y, role: .muted)
        }
    }

    static func shortTime(_ t: Timestamp, offset: Int) -> String {
        let full = RFC3339.formatShort(t, offsetSeconds: offset)  // 2026-11-25 21:20:17
        return String(full.dropFirst(5))  // 11-25 21:20:17
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let t = state.transactions
        let width = area.width
        renderSummary(state, into: &canvas, in: area)
        // Header and cells from the same column specs.
        let listTop = area.y + 2
        let rows = area.height - 2
        let table = table(state, width: width, rowCount: rows)
        canvas.fill(x: area.x, y: area.y + 1, width: width, role: .header)
        canvas.tableRow(table.layout, table.layout.columns.map { ($0.title, Role.header) }, x: area.x, y: area.y + 1)
        if t.rows.isEmpty {
            // The hint wraps (a long events path included) instead of stopping mid-word.
            var y = listTop + 1
            for (index, line) in emptyText(state).enumerated() where y < listTop + rows {
                y += canvas.wrapped(line, x: area.x + 2, y: y, width: width - 4, maxLines: listTop + rows - y, role: index == 0 ? .normal : .muted)
            }
            if let field = t.search { renderSearch(field, into: &canvas, in: area) }
            if t.filters.isOpen { FilterPanel.render(state, into: &canvas, in: area) }
            if let request = t.confirmingExport { renderExportQuestion(request, into: &canvas, in: area) }
            return
        }
        for (index, (row, cells)) in zip(t.rows.prefix(rows), table.rows).enumerated() {
            let y = listTop + index
            let isSelected = row.id.sameBytes(as: t.selectedID ?? "")
            canvas.tableRow(table.layout, cells, x: area.x, y: y, rowRole: isSelected ? .selected : nil)
            if isSelected { canvas.paint(x: area.x, y: y, width: width, role: .selected) }
        }
        if let field = t.search { renderSearch(field, into: &canvas, in: area) }
        if t.filters.isOpen { FilterPanel.render(state, into: &canvas, in: area) }
        if let request = t.confirmingExport { renderExportQuestion(request, into: &canvas, in: area) }
    }

    /// The search line, the area's last row.
    static func renderSearch(_ field: TextField, into canvas: inout Canvas, in area: Rect) {
        let y = area.bottom - 1
        canvas.fill(x: area.x, y: y, width: area.width, role: .accent)
        let x = canvas.write(" / search (id, psp id, user or reference prefix): ", x: area.x, y: y, role: .accent, maxWidth: area.width)
        canvas.field(field, x: area.x + x, y: y, width: area.width - x - 1, role: .accent)
    }

    /// What to do when there is nothing to show.
    static func emptyText(_ state: AppState) -> [String] {
        let t = state.transactions
        if !t.isLoaded { return ["loading…"] }
        if t.query.isFiltered {
            return ["No transaction matches these filters.", "Esc clears the search, f changes the filters."]
        }
        switch state.follower.phase {
        case .waitingForLog where state.follower.waitingFor != nil:
            // The path is there but is no log to read (a FIFO, a directory, no permission).
            return ["No transactions yet: waiting, " + TerminalText.sanitized(state.follower.waitingFor ?? "") + ".",
                    "The events log must be a regular file this user may read (--events or CLEO_CONSOLE_EVENTS).",
                    "The follower looks again as soon as the path changes."]
        case .waitingForLog:
            return ["No transactions yet: the events log does not exist.",
                    "Expected at \(state.follower.path) (--events or CLEO_CONSOLE_EVENTS).",
                    "cleo-console serve receives Mozarto's webhooks and appends one line per delivery there.",
                    "To watch a synthetic feed: cleo-console demo --events /tmp/demo.jsonl (or `make demo`, which uses a separate demo database)."]
        default:
            return ["No transactions yet: following \(state.follower.path).",
                    "Rows appear here as webhook events are appended to the log.",
                    "Rejected lines are on the Events screen (3)."]
        }
    }

    public static func grouped(_ n: Int) -> String { n.grouped }
}
