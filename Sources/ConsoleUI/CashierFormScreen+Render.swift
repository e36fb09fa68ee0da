import CleoDomain
import TerminalCanvas

extension CashierFormScreen {
    /// The form over the screen's body: a title with the environment and the key, the verdict,
    /// the rows (name · value · problems beside), the selected row's problems whole (or its
    /// editor) at the bottom; the question and the answer over it.
    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let form = state.cashier
        let width = canvas.size.width
        canvas.fill(x: 0, y: top, width: width, height: height, role: .normal)
        let check = validation(state)
        let region = check.region ?? form.region
        var y = top
        let environment = state.session.isProduction ? "PRODUCTION" : state.session.environment
        var x = canvas.write(" Cashier \(form.method.displayName) ", x: 0, y: y, role: .title)
        x += canvas.write(" \(environment) ", x: x, y: y, role: state.session.isProduction ? .production : .accent) + 1
        let field = region.apiKeyField.rawValue
        if let hint = state.config.stored.secrets[region.apiKeyField] {
            canvas.write("key \(field) \(hint.mask) \(hint.fingerprint)", x: x, y: y, role: .muted, maxWidth: width - x - 1)
        } else if state.config.isLoaded {
            canvas.write("key \(field): not set", x: x, y: y, role: .error, maxWidth: width - x - 1)
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
        y += canvas.wrapped(verdict.0, x: 1, y: y, width: width - 2, maxLines: 2, role: verdict.1)
        for problem in general.prefix(2) {
            y += canvas.wrapped("✗ " + TerminalText.sanitized(problem.description), x: 1, y: y, width: width - 2, maxLines: 1, role: .error)
        }
        let footer = 4
        let listHeight = max(1, top + height - y - footer)
        let first = max(0, min(form.selected - listHeight / 2, rows.count - listHeight))
        let values = liveValues(form)
        // The longest name (`address.postalCode *`) is 20 columns; the problems get the most room.
        let valueX = 24
        let valueWidth = max(12, (width - valueX) * 2 / 5)
        let problemX = valueX + valueWidth + 2
        for (index, row) in rows.enumerated().dropFirst(first).prefix(listHeight) {
            let selected = index == form.selected
            let problems = check.problems.filter { $0.field == row }
            let warnings = check.warnings.filter { $0.field == row }
            let mark = !problems.isEmpty ? ("✗", Role.error) : !warnings.isEmpty ? ("!", Role.warning) : (" ", Role.normal)
            canvas.write(mark.0, x: 1, y: y, role: mark.1)
            let required = CashierRequest.fields.first { $0.name == row }?.required ?? CashierRequest.addressFields.first { "address." + $0.name == row }?.required ?? false
            canvas.write(TerminalText.padded(row + (required ? " *" : ""), to: valueX - 3), x: 3, y: y, role: selected ? .selected : .normal)
            let text = values[row].map(TerminalText.sanitized) ?? ""
            let shown = selectors.contains(row) ? text + " ⇄" : (text.isEmpty ? "(empty)" : text)
            canvas.write(shown, x: valueX, y: y, role: selected ? .selected : (text.isEmpty ? .muted : .normal), maxWidth: valueWidth)
            if selected { canvas.paint(x: 3, y: y, width: problemX - 4, role: .selected) }
            let beside = (problems + warnings).map(\.rule).joined(separator: "; ")
            if !beside.isEmpty, problemX < width - 4 {
                canvas.write(TerminalText.truncated(TerminalText.sanitized(beside), to: width - problemX - 1), x: problemX, y: y,
                             role: problems.isEmpty ? .warning : .error)
            }
            y += 1
        }
        // The selected row whole: its editor, or every problem of it wrapped (never cut).
        let row = rows[form.selected]
        let footY = top + height - footer
        if let editor = form.editor {
            canvas.box(x: 1, y: footY, width: width - 2, height: footer, title: " Edit \(row) · Enter accepts · Esc cancels ", role: .accent)
            canvas.field(editor, x: 3, y: footY + 1, width: width - 8)
            let problems = check.problems.filter { $0.field == row }.map(\.rule).joined(separator: "; ")
            if !problems.isEmpty {
                canvas.write("✗ " + TerminalText.sanitized(problems), x: 3, y: footY + 2, role: .error, maxWidth: width - 6)
            }
        } else {
            // The selected row's problems first, then the others', each whole as room allows.
            let problems = check.problems.filter { $0.field == row } + check.warnings.filter { $0.field == row }
            var lines: [String] = problems.map { "\(row): " + $0.rule }
            lines += (check.problems + check.warnings).filter { $0.field != row && rowNames.contains($0.field) }.map(\.description)
            if lines.isEmpty {
                lines = [selectors.contains(row) ? "\(row): Space or Enter chooses (\(row == "type" ? "PAYIN / PAYOUT" : "CL / PE / MX — the fields start from that country's template"))"
                                                 : "\(row): Enter edits; an empty value leaves it out of the request"]
            }
            var footLine = footY
            for line in lines where footLine < top + height {
                footLine += canvas.wrapped(TerminalText.sanitized(line), x: 3, y: footLine, width: width - 4, maxLines: top + height - footLine,
                                           role: check.isValid && check.warnings.isEmpty ? .muted : .error)
            }
        }
        if form.confirming || form.typedConfirmation != nil { renderQuestion(state, check, into: &canvas, top: top, height: height) }
        if form.answer != nil { renderAnswer(state, into: &canvas, top: top, height: height) }
    }

    static func renderQuestion(_ state: AppState, _ check: CashierRequestValidation, into canvas: inout Canvas, top: Int, height: Int) {
        let form = state.cashier
        let width = canvas.size.width - 2
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
            lines.append(("y sends · any other key cancels", .accent))
        }
        let boxHeight = min(height, lines.count + 2 + (form.typedConfirmation != nil ? 1 : 0))
        let y = top + max(0, (height - boxHeight) / 2)
        canvas.overlay(Rect(x: 1, y: y, width: width, height: boxHeight), title: " Send to the platform? ", role: state.session.isProduction ? .production : .accent)
        for (index, line) in lines.prefix(boxHeight - 2).enumerated() {
            canvas.write(line.0, x: 3, y: y + 1 + index, role: line.1, maxWidth: width - 4)
        }
        if let field = form.typedConfirmation {
            canvas.field(field, x: 3, y: y + boxHeight - 2, width: min(30, width - 6))
        }
    }

    /// The answer whole: every line wrapped, scrolled with j/k when taller than the body.
    static func renderAnswer(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let form = state.cashier
        let width = canvas.size.width - 2
        let lines = (form.answer ?? []).flatMap { TerminalText.wrap($0, width: width - 4) }
        let room = max(1, height - 3)
        let scroll = max(0, min(form.answerScroll, lines.count - room))
        let boxHeight = min(height, lines.count + 3)
        let y = top + max(0, (height - boxHeight) / 2)
        let more = lines.count > room ? " · j/k scroll (\(scroll + room) of \(lines.count))" : ""
        canvas.overlay(Rect(x: 1, y: y, width: width, height: boxHeight), title: " The platform's answer\(more) ", role: form.answerIsError ? .error : .success)
        for (index, line) in lines.dropFirst(scroll).prefix(boxHeight - 3).enumerated() {
            canvas.write(line, x: 3, y: y + 1 + index, role: form.answerIsError && index + scroll == 0 ? .error : .normal, maxWidth: width - 4)
        }
        canvas.write("any key: back to the form · Esc closes it", x: 3, y: y + boxHeight - 2, role: .muted, maxWidth: width - 4)
    }
}
