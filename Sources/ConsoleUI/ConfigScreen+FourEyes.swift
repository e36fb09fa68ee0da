import CleoDomain
import TerminalCanvas

/// Four eyes on the Config screen (roles.md): the changes that wait, listed below the fields;
/// `a` approves and `x` rejects the selected one after a question — through the store's one
/// path, so a refusal (their own change, a role that may not) is said and audited as the CLI's.
/// And reveal (`v`, admin only): a question, the clear value for at most 10 s, audited `viewed`.
extension ConfigScreen {
    /// How long a revealed secret stays: under 10 s, so the next clock tick (about 1 s apart)
    /// hides it within roles.md's 10 s.
    static let revealMilliseconds: Int64 = 9_000

    /// The pending change the keys act on: the selected row, else the selected field's one.
    static func targetChange(_ state: AppState) -> PendingChange? {
        let c = state.config
        if let id = c.selectedPending { return c.pending.first { $0.id == id } }
        return c.pending.first { $0.field == c.selectedRow }
    }

    static func askDecision(_ decision: PendingDecision, _ state: inout AppState) -> [Effect] {
        guard !state.config.pending.isEmpty else {
            state.say("nothing waits for a second person (production changes that need one are listed here)")
            return []
        }
        guard let change = targetChange(state) else {
            state.say("\(decision == .approve ? "a approves" : "x rejects") the selected pending change: j moves down to them", error: true, seconds: 6)
            return []
        }
        // What the store will refuse goes to it unasked: the reason comes back and is audited
        // exactly as `config approve` by the same user would be.
        let own = change.proposedBy.utf8.elementsEqual(state.session.user.utf8)
        if own || state.session.decideRefusal != nil {
            return [.decidePending(decision, id: change.id)]
        }
        state.config.confirmingDecision = .init(decision: decision, change: change)
        return []
    }

    static func decided(_ decision: PendingDecision, id: Int64, _ result: DecisionResult, in state: inout AppState) -> [Effect] {
        switch result {
        case .decided(let change):
            let outcome = decision == .approve ? "approved: now in force" : "rejected: the old value stays"
            state.say(TerminalText.sanitized("#\(change.id) \(change.field.rawValue) \(outcome)"), seconds: 8)
            state.config.pending.removeAll { $0.id == id }
            if state.config.selectedPending == id { state.config.selectedPending = nil }
        case .refused(let reason):
            refused(reason, &state)
        }
        return [.loadConfig]
    }

    static func pendingLoaded(_ changes: [PendingChange], in state: inout AppState) {
        state.config.pending = changes
        if let id = state.config.selectedPending, !changes.contains(where: { $0.id == id }) {
            state.config.selectedPending = changes.last?.id
        }
        // A question about a change decided meanwhile (by someone else) is answered by the store;
        // it stays so the operator sees the answer.
    }

    static func askReveal(_ state: inout AppState) -> [Effect] {
        let field = state.config.selectedRow
        guard state.config.selectedPending == nil, field.isSecret else {
            state.say("v reveals a secret: select chileApiKey, peruApiKey, mexicoApiKey or webhookAuthorization", error: true)
            return []
        }
        guard state.config.stored.hint(field) != nil else {
            state.say("\(field.rawValue) is not set: nothing to reveal", error: true)
            return []
        }
        // A role that may not is refused by the store (and audited where it can write).
        if state.session.role.refusal(of: .reveal) != nil || state.session.readOnlyReason != nil { return [.revealSecret(field)] }
        state.config.confirmingReveal = field
        return []
    }

    /// Whole seconds until a revealed secret hides (the reducer's clock may lag the store's by a tick).
    static func secondsLeft(_ shown: State.Revealed, now: Timestamp) -> Int64 {
        min(revealMilliseconds / 1000, max(0, (shown.until.millisecondsSince1970 - now.millisecondsSince1970 + 999) / 1000))
    }

    static func revealed(_ field: PendingField, _ result: RevealResult, in state: inout AppState) -> [Effect] {
        switch result {
        case .shown(let value, let at):
            state.config.revealed = .init(field: field, value: value, until: at.adding(milliseconds: revealMilliseconds))
            select(rows.firstIndex(of: field)!, &state)
        case .refused(let reason):
            refused(reason, &state)
        }
        return []
    }

    /// The store's reason, whole on the screen (the status line is one row, cut at 80 columns)
    /// until the next key; the status line says where it is.
    static func refused(_ reason: String, _ state: inout AppState) {
        let text = TerminalText.sanitized(reason)
        state.config.refusal = text
        state.say(TerminalText.width(text) <= state.size.width - 2 ? text : "refused (the reason is on the Config screen)", error: true, seconds: 10)
    }

    /// Every key hides a revealed secret (it does its own job too); so does the clock.
    static func hideRevealed(_ state: inout AppState) {
        state.config.revealed = nil
    }

    static func clockTicked(_ state: inout AppState) {
        if let shown = state.config.revealed, shown.until.millisecondsSince1970 <= state.now.millisecondsSince1970 {
            state.config.revealed = nil
        }
    }

    /// The y/n of the decision and reveal questions; nil when neither is open.
    static func answerQuestion(_ key: Key, in state: inout AppState) -> [Effect]? {
        if let ask = state.config.confirmingDecision {
            state.config.confirmingDecision = nil
            guard key == .character("y") else {
                state.say("change #\(ask.change.id) not \(ask.decision == .approve ? "approved" : "rejected"): cancelled; it still waits")
                return []
            }
            return [.decidePending(ask.decision, id: ask.change.id)]
        }
        if let field = state.config.confirmingReveal {
            state.config.confirmingReveal = nil
            guard key == .character("y") else {
                state.say("not revealed: cancelled")
                return []
            }
            return [.revealSecret(field)]
        }
        return nil
    }

    // MARK: - Render

    /// The pending list's columns (no header): id, field, old → new, who, when proposed, the
    /// expiry. What gives way first: the fingerprints (the masks alone, in every row alike),
    /// then the proposal's time is dropped, then who is cut to 8 columns with `…`, then old → new
    /// to 12; the id, the field and the expiry never. The selected change is whole below.
    static let pendingColumns = [
        TableColumn(""), TableColumn(""), TableColumn("", minimum: 12, rank: 1), TableColumn("", minimum: 8, rank: 0),
        TableColumn("", droppable: true, rank: 0), TableColumn(""),
    ]

    static func pendingTable(_ changes: [PendingChange], offset: Int, width: Int) -> (layout: TableLayout, rows: [[String]]) {
        TableLayout.firstWhole([false, true]) { compact in
            func shown(_ text: String) -> String { compact ? String(text.split(separator: " ").first ?? Substring(text)) : text }
            let rows = changes.map { change -> [String] in
                let proposed = RFC3339.formatShort(change.proposedAt, offsetSeconds: offset).dropFirst(5).prefix(11)
                let expires = RFC3339.formatShort(change.expiresAt, offsetSeconds: offset).dropFirst(5).prefix(11)
                return ["#\(change.id)", change.field.rawValue, "\(shown(change.old ?? "(unset)")) → \(shown(change.new))", "by " + change.proposedBy,
                        String(proposed), "expires \(expires)"].map(TerminalText.sanitized)
            }
            return (TableLayout(pendingColumns, rows: rows, available: width), rows)
        }
    }

    /// The selected change whole (wrapped): who, from where, when; what the keys do for this
    /// session; old → new; the expiry.
    static func pendingDetail(_ change: PendingChange, _ state: AppState) -> [String] {
        let offset = state.session.offsetSeconds
        let own = change.proposedBy.utf8.elementsEqual(state.session.user.utf8)
        let keys: String
        if own {
            keys = "your own change: it needs a second person (a and x are refused for you)"
        } else if let reason = state.session.decideRefusal {
            keys = reason
        } else {
            keys = "a approves it (then in force) · x rejects it · each asks first"
        }
        return [
            "#\(change.id) \(change.field.rawValue) proposed by \(change.proposedBy)@\(change.proposedFrom) at \(RFC3339.formatShort(change.proposedAt, offsetSeconds: offset))",
            keys,
            "now: \(change.old ?? "(unset)") → new: \(change.new)",
            "until approved the old value stays in force; expires \(RFC3339.formatShort(change.expiresAt, offsetSeconds: offset))",
        ].map(TerminalText.sanitized)
    }

    /// Rows from the top of `area`: the list of pending changes (the selected one highlighted).
    /// Returns the rows used.
    static func renderPending(_ state: AppState, into canvas: inout Canvas, in area: Rect) -> Int {
        let c = state.config
        let y = area.y, bottom = area.bottom
        guard !c.pending.isEmpty, y < bottom else { return 0 }
        let width = area.width
        // Rows for the list, leaving the selected change's detail as many as it wraps to (two for
        // a field's notes); a window that keeps the selected change in view when they do not all fit.
        // (and the blank row above the detail).
        let reserved = c.selectedPending.flatMap { id in c.pending.first { $0.id == id } }
            .map { change in 1 + pendingDetail(change, state).reduce(0) { $0 + TerminalText.wrap($1, width: width - 4).count } } ?? 2
        let room = max(1, min(c.pending.count, bottom - y - 1 - reserved))
        let index = c.selectedPending.flatMap { id in c.pending.firstIndex { $0.id == id } } ?? 0
        let first = max(0, min(index - room / 2, c.pending.count - room))
        let window = first..<(first + room)
        var row = y
        let count = room < c.pending.count ? ": \(first + 1)–\(first + room) of \(c.pending.count) (j/k)" : " (\(c.pending.count))"
        canvas.write("Waiting for a second person\(count) · a approves · x rejects", x: area.x + 3, y: row, role: .warning, maxWidth: width - 4)
        row += 1
        let table = pendingTable(c.pending, offset: state.session.offsetSeconds, width: width - 4)
        for (change, cells) in zip(c.pending[window], table.rows[window]) where row < bottom {
            let selected = c.selectedPending == change.id
            canvas.tableRow(table.layout, cells.map { (text: $0, role: selected ? Role.selected : .normal) }, x: area.x + 3, y: row)
            if selected { canvas.paint(x: area.x + 3, y: row, width: width - 4, role: .selected) }
            row += 1
        }
        return row - y
    }

    /// The questions of `a`/`x` and `v`, in an overlay that clears what is under it.
    static func renderQuestion(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let width = area.width - 2
        var lines: [(String, Role)] = []
        let title: String
        if let ask = state.config.confirmingDecision {
            let change = ask.change
            title = ask.decision == .approve ? " Approve change #\(change.id)? " : " Reject change #\(change.id)? "
            let detail = pendingDetail(change, state)
            for line in [detail[0], detail[2], detail[3]] {
                lines += TerminalText.wrap(line, width: width - 4).map { ($0, .normal) }
            }
            lines.append(("", .normal))
            let effect = ask.decision == .approve
                ? ": \(change.field.rawValue) becomes the new value now, in \(state.session.isProduction ? "PRODUCTION" : state.session.environment)"
                : ": the old value stays"
            lines += decisionAnswers(ask.decision).wrapped(detail: effect, width: width - 4).map { ($0, .accent) }
        } else if let field = state.config.confirmingReveal {
            title = " Reveal \(field.rawValue)? "
            let what = field == .webhookAuthorization ? "The secret" : "The key"
            lines += TerminalText.wrap("\(what) is shown in clear for at most 10 s (any key hides it sooner), and the viewing is audited as viewed with your name.",
                                       width: width - 4).map { ($0, .normal) }
            lines += TerminalText.wrap("Make sure nobody reads over your shoulder; it is never copied.", width: width - 4).map { ($0, .warning) }
            lines.append(("", .normal))
            lines += revealAnswers.wrapped(width: width - 4).map { ($0, .accent) }
        } else {
            return
        }
        let boxHeight = min(area.height, lines.count + 2)
        let y = area.y + max(0, (area.height - boxHeight) / 2)
        canvas.overlay(Rect(x: area.x + 1, y: y, width: width, height: boxHeight), title: title, role: .accent)
        for (index, line) in lines.prefix(boxHeight - 2).enumerated() {
            canvas.write(line.0, x: area.x + 3, y: y + 1 + index, role: line.1, maxWidth: width - 4)
        }
    }
}

extension Session {
    /// Why this session may not approve or reject (the role, then the database), or nil.
    var decideRefusal: String? {
        if let reason = role.refusal(of: .decide) { return "\(user): \(reason)" }
        return readOnlyReason.map { "read-only: \($0)" }
    }
}

extension ConfigScreen.State {
    /// A question is open (write, test, decision, reveal): the next key answers it.
    public var isAsking: Bool { confirmingWrite || confirmingTest != nil || confirmingDecision != nil || confirmingReveal != nil }
}

extension ConfigScreen {
    /// The answers of the open question, or nil: its dialog and the key hints read the same ones.
    static func answers(_ c: State) -> Answers? {
        if c.confirmingWrite { return writeAnswers(c) }
        if c.confirmingTest != nil { return testAnswers }
        if let ask = c.confirmingDecision { return decisionAnswers(ask.decision) }
        if c.confirmingReveal != nil { return revealAnswers }
        return nil
    }

    /// y writes, or overwrites the other operator's change when the edits touch it.
    /// Production: y proposes when every edit waits for a second person (`proposing`).
    static func writeAnswers(_ c: State) -> Answers {
        if !c.overwritten.isEmpty { return Answers(yes: "overwrite") }
        let allProposed = !c.proposing.isEmpty && rows.allSatisfy { c.edit($0) == nil || c.proposing.contains($0.rawValue) }
        return Answers(yes: allProposed ? "propose" : "write")
    }
    static func decisionAnswers(_ decision: PendingDecision) -> Answers { Answers(yes: decision == .approve ? "approve" : "reject") }
    static let revealAnswers = Answers(yes: "reveal for 10 s")
    static let testAnswers = Answers(yes: "send the test")
}
