import CleoDomain
import TerminalCanvas

extension CashierFormScreen {
    /// The form over the screen's body: a title with the environment and the key, the verdict,
    /// the rows (name · value · problems beside), the selected row's problems whole (or its
    /// editor) at the bottom; the question and the answer over it.
    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let form = state.cashier
        let width = area.width
        canvas.fill(x: area.x, y: area.y, width: width, height: area.height, role: .normal)
        let check = validation(state)
        let region = check.region ?? form.region
        var y = area.y
        let environment = state.session.isProduction ? "PRODUCTION" : state.session.environment
        var x = canvas.write(" Cashier \(form.method.displayName) ", x: area.x, y: y, role: .title)
        x += canvas.write(" \(environment) ", x: area.x + x, y: y, role: state.session.isProduction ? .production : .accent) + 1
        let field = region.apiKeyField.rawValue
        if let hint = state.config.stored.secrets[region.apiKeyField] {
            canvas.write("key \(field) \(hint.mask) \(hint.fingerprint)", x: area.x + x, y: y, role: .muted, maxWidth: width - x - 1)
        } else if state.config.isLoaded {
            canvas.write("key \(field): not set", x: area.x + x, y: y, role: .error, maxWidth: width - x - 1)
        }
        y += 1
        let rowNames = Set(rows)
        let general = check.problems.filter { !rowNames.contains($0.field) }
        var verdict: (String, Role)
        if check.isValid {
            verdict = ("✓ no problems: s sends (it asks first)" + (check.warnings.isEmpty ? "" : " · \(check.warnings.count) warning(s) beside their fields"), .success)
        } else {
            verdict = ("✗ \(check.problems.count) problem\(check.problems.count == 1 ? "" : "s"), each beside its field; nothing is sent until they are fixed", .error)
        }
        y += canvas.wrapped(verdict.0, x: area.x + 1, y: y, width: width - 2, maxLines: 2, role: verdict.1)
        for problem in general.prefix(2) {
            y += canvas.wrapped("✗ " + TerminalText.sanitized(problem.description), x: area.x + 1, y: y, width: width - 2, maxLines: 1, role: .error)
        }
        let footer = 4
        let listHeight = max(1, area.bottom - y - footer)
        let first = max(0, min(form.selected - listHeight / 2, rows.count - listHeight))
        let table = formTable(state, check, width: width, measuring: first..<min(rows.count, first + listHeight))
        let valueIndex = 2
        for index in rows.indices.dropFirst(first).prefix(listHeight) {
            canvas.tableRow(table.layout, table.rows[index], x: area.x + 1, y: y)
            // The name and the value highlighted (not the mark, not the problems).
            if index == form.selected, let offset = table.layout.offsets[valueIndex], let w = table.layout.widths[valueIndex] {
                canvas.paint(x: area.x + 3, y: y, width: offset + w - 2, role: .selected)
            }
            y += 1
        }
        // The selected row's value whole when its cell cuts it (what is sent must be read).
        let selectedValue = table.rows[form.selected][valueIndex].text
        let valueCut = table.layout.widths[valueIndex].map { TerminalText.width(selectedValue) > $0 } ?? true
        // The selected row whole: its editor, or every problem of it wrapped (never cut).
        let row = rows[form.selected]
        let footY = area.bottom - footer
        if let editor = form.editor {
            canvas.box(x: area.x + 1, y: footY, width: width - 2, height: footer, title: " Edit \(row) · Enter accepts · Esc cancels ", role: .accent)
            canvas.field(editor, x: area.x + 3, y: footY + 1, width: width - 8)
            let problems = check.problems.filter { $0.field == row }.map(\.rule).joined(separator: "; ")
            if !problems.isEmpty {
                canvas.wrapped("✗ " + problems, x: area.x + 3, y: footY + 2, width: width - 6, maxLines: footer - 3, role: .error)
            }
        } else {
            // The selected row's problems first, then the others', each whole as room allows.
            let problems = check.problems.filter { $0.field == row } + check.warnings.filter { $0.field == row }
            var lines: [String] = (valueCut && form.editor == nil ? ["\(row) = " + selectedValue] : []) + problems.map { "\(row): " + $0.rule }
            lines += (check.problems + check.warnings).filter { $0.field != row && rowNames.contains($0.field) }.map(\.description)
            if lines.isEmpty {
                lines = [selectors.contains(row) ? "\(row): Space or Enter chooses (\(row == "type" ? "PAYIN / PAYOUT" : "CL / PE / MX — the fields start from that country's template"))"
                                                 : "\(row): Enter edits; an empty value leaves it out of the request"]
            }
            var footLine = footY
            for line in lines where footLine < area.bottom {
                footLine += canvas.wrapped(TerminalText.sanitized(line), x: area.x + 3, y: footLine, width: width - 4, maxLines: area.bottom - footLine,
                                           role: check.isValid && check.warnings.isEmpty ? .muted : .error)
            }
        }
        if form.confirming || form.typedConfirmation != nil { renderQuestion(state, check, into: &canvas, in: area) }
        if form.answer != nil { renderAnswer(state, into: &canvas, in: area) }
    }

    /// The form's columns (no header: the rows name themselves): the mark, the name, the value,
    /// the problems beside it. What gives way first: the problems are cut (each is whole under
    /// the list), then the value down to 16 columns (the selected one whole under the list);
    /// the name and the mark never.
    static let formColumns = [
        TableColumn(""), TableColumn("", reserve: 20), TableColumn("", minimum: 16, rank: 1, reserve: 24),
        TableColumn("", minimum: 12, rank: 0),
    ]

    /// Every row's cells; the widths from the rows shown (`measuring`), so a long value scrolled
    /// out of view does not take the room of the problems beside the ones in view.
    static func formTable(_ state: AppState, _ check: CashierRequestValidation, width: Int, measuring: Range<Int>? = nil) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let form = state.cashier
        let values = liveValues(form)
        let cells = rows.enumerated().map { index, row -> [(text: String, role: Role)] in
            let selected = index == form.selected
            let problems = check.problems.filter { $0.field == row }
            let warnings = check.warnings.filter { $0.field == row }
            let mark = !problems.isEmpty ? ("✗", Role.error) : !warnings.isEmpty ? ("!", Role.warning) : (" ", Role.normal)
            let required = CashierRequest.fields.first { $0.name == row }?.required ?? CashierRequest.addressFields.first { "address." + $0.name == row }?.required ?? false
            let text = values[row].map(TerminalText.sanitized) ?? ""
            let shown = selectors.contains(row) ? text + " ⇄" : (text.isEmpty ? "(empty)" : text)
            let beside = TerminalText.sanitized((problems + warnings).map(\.rule).joined(separator: "; "))
            return [mark, (row + (required ? " *" : ""), selected ? .selected : .normal),
                    (shown, selected ? .selected : (text.isEmpty ? .muted : .normal)), (beside, problems.isEmpty ? .warning : .error)]
        }
        let measured = cells[measuring ?? cells.indices].map { $0.map(\.text) }
        return (TableLayout(formColumns, rows: Array(measured), available: width - 2), cells)
    }

    static func renderQuestion(_ state: AppState, _ check: CashierRequestValidation, into canvas: inout Canvas, in area: Rect) {
        let form = state.cashier
        let width = area.width - 2
        let region = check.region ?? form.region
        let amount = check.amount.map { $0.formatted(currency: region.currency) } ?? ""
        let key = state.config.stored.secrets[region.apiKeyField].map { "\($0.mask) \($0.fingerprint)" } ?? ""
        var lines: [(String, Role)] = []
        if state.session.isProduction {
            lines += TerminalText.wrap("PRODUCTION: this creates a real \(form.method.displayName) of \(amount) for user \(TerminalText.sanitized(form.values["userId"] ?? "")) with \(region.apiKeyField.rawValue) \(key).",
                                       width: width - 4).map { ($0, .warning) }
            lines.append(("Type \(productionWord) and Enter to send; Esc cancels.", .accent))
        } else {
            lines += TerminalText.wrap("Send this \(form.method.displayName) of \(amount) for user \(TerminalText.sanitized(form.values["userId"] ?? "")) to the \(state.session.environment) platform with \(region.apiKeyField.rawValue) \(key)?",
                                       width: width - 4).map { ($0, .normal) }
            lines.append(("The send is recorded in cashier history.", .muted))
            lines += sendAnswers.wrapped(width: width - 4).map { ($0, .accent) }
        }
        let boxHeight = min(area.height, lines.count + 2 + (form.typedConfirmation != nil ? 1 : 0))
        let y = area.y + max(0, (area.height - boxHeight) / 2)
        canvas.overlay(Rect(x: area.x + 1, y: y, width: width, height: boxHeight), title: " Send to the platform? ", role: state.session.isProduction ? .production : .accent)
        for (index, line) in lines.prefix(boxHeight - 2).enumerated() {
            canvas.write(line.0, x: area.x + 3, y: y + 1 + index, role: line.1, maxWidth: width - 4)
        }
        if let field = form.typedConfirmation {
            canvas.field(field, x: area.x + 3, y: y + boxHeight - 2, width: min(30, width - 6))
        }
    }

    /// The answer's box over `area`: its wrapped lines, the box and the rows for them (one row is
    /// the box's own hint). The renderer draws this, and j stops where the last line is in view.
    static func answerLayout(_ state: AppState, in area: Rect) -> (lines: [String], box: Rect, room: Int, maxScroll: Int) {
        let width = area.width - 2
        let lines = (state.cashier.answer ?? []).flatMap { TerminalText.wrap($0, width: width - 4) }
        let room = max(1, area.height - 3)
        let boxHeight = min(area.height, lines.count + 3)
        let y = area.y + max(0, (area.height - boxHeight) / 2)
        return (lines, Rect(x: area.x + 1, y: y, width: width, height: boxHeight), room, max(0, lines.count - room))
    }

    /// The answer whole: every line wrapped, scrolled with j/k when taller than the body.
    static func renderAnswer(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let form = state.cashier
        let (lines, box, room, maxScroll) = answerLayout(state, in: area)
        let scroll = min(form.answerScroll, maxScroll)
        let more = lines.count > room ? " · j/k scroll (\(scroll + room) of \(lines.count))" : ""
        canvas.overlay(box, title: " The platform's answer\(more) ", role: form.answerIsError ? .error : .success)
        for (index, line) in lines.dropFirst(scroll).prefix(box.height - 3).enumerated() {
            canvas.write(line, x: box.x + 2, y: box.y + 1 + index, role: form.answerIsError && index + scroll == 0 ? .error : .normal, maxWidth: box.width - 4)
        }
        canvas.write(answerKeys.map { "\($0.keys) \($0.label)" }.joined(separator: " · "), x: box.x + 2, y: box.y + box.height - 2, role: .muted,
                     maxWidth: box.width - 4)
    }
}
