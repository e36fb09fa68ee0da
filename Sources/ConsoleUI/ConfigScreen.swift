import CleoDomain
import TerminalCanvas

/// The six fields in the provider page's order: secrets masked (last 4 and fingerprint) and
/// typed without echo, every rule checked in the editor, `w` shows the diff and asks, and a
/// save never overwrites another operator's change blindly (compare-and-swap on the version).
public enum ConfigScreen {
    public struct State: Sendable, Equatable {
        public var stored = StoredConfiguration()
        /// The version the operator has seen; a save expects it.
        public var seenVersion: Int64 = 0
        public var isLoaded = false
        /// Unsaved values, in clear in memory only.
        public var edits: [ConfigField: String] = [:]
        public var selected = ConfigField.chileApiKey
        public var editor: TextField?
        public var editorError: String?
        public var confirmingWrite = false
        /// Another operator saved since this screen loaded.
        public var conflict: String?
        /// Who changed what meanwhile (named in the write dialog's one question).
        public var theirChange: TheirChange?
        /// Why the last save was refused, shown whole on the screen (the status line is one row).
        public var saveError: String?
        /// The write dialog's first line shown (it scrolls when the diff is taller than the screen).
        public var diffScroll = 0
        /// Each region's last cashier test, beside its key.
        public var lastTests: [Region: CashierLastTest] = [:]
        /// Production: the test pay-in `t` asked about (y sends it).
        public var confirmingTest: Region?
        /// The test sent and not answered yet (one at a time).
        public var testing: Region?
        /// The answer of each region's test in this session, line by line (sanitised), shown whole.
        public var answers: [Region: [String]] = [:]
        /// The changes that wait for a second person (production), oldest first.
        public var pending: [PendingChange] = []
        /// The selection is on this pending change (below the fields) rather than on a field.
        public var selectedPending: Int64?
        /// `a`/`x` asked about this change (y decides it).
        public var confirmingDecision: DecisionAsk?
        /// `v` asked about revealing this secret (y reveals it).
        public var confirmingReveal: PendingField?
        /// The store's last refusal of `a`/`x`/`v`, shown whole until the next key.
        public var refusal: String?
        /// A secret shown in clear, until `until` (at most 10 s) or the next key.
        public var revealed: Revealed?
        /// The `webhookAuthorization` row (below the six fields) is selected.
        public var selectedAuthorization = false
        /// An unsaved `webhookAuthorization`, in clear in memory only.
        public var authorizationEdit: String?
        /// The keyed fingerprints of unsaved secrets, as the store will keep them (the runtime
        /// computes them with the key file; an unkeyed hash would differ from what is saved).
        public var editFingerprints: [PendingField: String] = [:]
        /// Why an unsaved secret's fingerprint cannot be shown before it is saved, or nil.
        public var fingerprintUnavailable: String?
        /// Production: the edits the open write dialog's `y` proposes (four eyes) rather than writes.
        public var proposing: [String] = []
        public init() {}

        public struct Revealed: Sendable, Equatable {
            public var field: PendingField
            public var value: String
            public var until: Timestamp
        }

        public struct DecisionAsk: Sendable, Equatable {
            public var decision: PendingDecision
            public var change: PendingChange
        }

        public struct TheirChange: Sendable, Equatable {
            public var by: String
            public var origin: String?
            public var at: Timestamp?
            public var fields: [PendingField]
            public var version: Int64
        }

        /// The fields another operator changed that this operator's edits would overwrite.
        var overwritten: [PendingField] {
            (theirChange?.fields ?? []).filter { edit($0) != nil }
        }

        public var hasUnsavedEdits: Bool { !edits.isEmpty || authorizationEdit != nil }

        /// The configuration as it would be after the edits (for completeness).
        var effectiveMissing: [String] {
            ConfigField.allCases.filter { $0.isRequired && !stored.isSet($0) && (edits[$0]?.isEmpty ?? true) }.map(\.rawValue)
                + (effectiveLacksAuthorization ? [WebhookAuthorization.fieldName] : [])
        }

        var effectiveSecured: Bool { (edits[.isWebhookSecured] ?? stored.plain[.isWebhookSecured]) == "true" }
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "select") { step(&$0, 1) },
        KeyBinding([.character("k"), .up], "select", inHints: false) { step(&$0, -1) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            select(0, &state)
            return []
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            select(rows.count + state.config.pending.count - 1, &state)
            return []
        },
        KeyBinding([.character("a")], "approve") { askDecision(.approve, &$0) },
        KeyBinding([.character("x")], "reject") { askDecision(.reject, &$0) },
        KeyBinding([.enter], "edit") { state in
            if let change = targetChange(state), state.config.selectedPending != nil {
                state.say("change #\(change.id) waits for a second person: a approves, x rejects", error: true, seconds: 6)
                return []
            }
            if state.config.selectedAuthorization { return editAuthorization(&state) }
            let field = state.config.selected
            if let refused = refuse(field, &state) { return refused }
            if field.isBoolean { return toggle(&state) }
            // A secret starts empty (its value is never shown); other fields start from their value.
            let start = field.isSecret ? (state.config.edits[field] ?? "") : (state.config.edits[field] ?? state.config.stored.plain[field] ?? "")
            state.config.editor = TextField(text: start, isSecret: field.isSecret)
            state.config.editorError = nil
            return []
        },
        KeyBinding([.character(" ")], "toggle secured") { toggle(&$0) },
        KeyBinding([.character("w")], "write") { state in
            guard state.config.hasUnsavedEdits else {
                state.say("nothing to write: no unsaved edits")
                return []
            }
            state.config.proposing = proposing(state)
            state.config.confirmingWrite = true
            return []
        },
        KeyBinding([.character("t")], "test key") { testKey(&$0) },
        KeyBinding([.character("v")], "reveal") { askReveal(&$0) },
        KeyBinding([.character("u")], "undo edits") { state in
            state.config.edits = [:]
            state.config.authorizationEdit = nil
            state.config.editFingerprints = [:]
            state.config.conflict = nil
            state.say("unsaved edits undone")
            return [.loadConfig]
        },
        KeyBinding([.escape], "back", goes: .back),
    ]

    /// `t`: a sandbox test pay-in with the selected regional key — or why not.
    static func testKey(_ state: inout AppState) -> [Effect] {
        let field = state.config.selected
        guard state.config.selectedPending == nil, !state.config.selectedAuthorization, let region = Region.allCases.first(where: { $0.apiKeyField == field }) else {
            state.say("t tests a regional key: select chileApiKey, peruApiKey or mexicoApiKey", error: true)
            return []
        }
        if let testing = state.config.testing {
            state.say("a test of \(testing.apiKeyField.rawValue) is still waiting for the platform's answer", error: true)
            return []
        }
        guard state.config.stored.secrets[field] != nil else {
            let how = state.config.edits[field] != nil ? "w writes the edit first" : "Enter sets it, w writes it"
            state.say("\(field.rawValue) is not set: nothing to test (\(how))", error: true, seconds: 8)
            return []
        }
        if state.config.edits[field] != nil {
            state.say("\(field.rawValue) has an unsaved edit: w writes it first (the test uses the stored key)", error: true, seconds: 8)
            return []
        }
        guard state.session.hasCompanyToken else {
            state.say("no company token: start the console with CLEO_CONSOLE_TOKEN_FILE=FILE (never on the command line); nothing sent", error: true, seconds: 10)
            return []
        }
        if let reason = state.session.sendRefusal {
            state.say(reason, error: true, seconds: 8)
            return []
        }
        if state.session.isProduction {
            state.config.confirmingTest = region
            state.say("PRODUCTION: a real \(PaymentMethod.payIn.displayName) with \(field.rawValue) — \(testAnswers.sentence())", error: true, seconds: 3600)
            return []
        }
        return startTest(region, &state)
    }

    static func startTest(_ region: Region, _ state: inout AppState) -> [Effect] {
        state.config.testing = region
        state.say("testing \(region.apiKeyField.rawValue): a sandbox \(PaymentMethod.payIn.displayName) sent to the platform…", seconds: 3600)
        return [.testKey(region)]
    }

    /// The answer in one line, in the command line's words (`CashierOutcome.lines`).
    static func keyTested(_ region: Region, _ result: KeyTestResult, in state: inout AppState) -> [Effect] {
        if state.config.testing == region { state.config.testing = nil }
        let name = region.apiKeyField.rawValue
        switch result {
        case .notSent(let why):
            state.say("\(name) not tested: \(why)", error: true, seconds: 10)
        case .answered(let outcome, let at, let recordError):
            state.config.lastTests[region] = CashierLastTest(at: at, result: outcome.result.rawValue, errorCode: outcome.errorCode)
            state.config.answers[region] = (outcome.lines + (recordError.map { ["not recorded in the history: \($0)"] } ?? [])).map(TerminalText.sanitized)
            // The answer is drawn whole under the selected key: a message too long for one row then
            // names it only, covering none of it (a long message wraps upward over the body).
            let answerShown = state.screen == .config && state.config.selected == region.apiKeyField && !state.cashier.isOpen
            var line = "\(name) test: " + oneLine(outcome)
            if answerShown, TerminalText.width(line) > state.size.width - 1 {
                line = "\(name) test: " + (outcome.lines.first ?? outcome.result.rawValue) + " (the answer below)"
            }
            if let recordError { line += " · not recorded in the history: \(recordError)" }
            state.say(TerminalText.sanitized(line), error: outcome.result != .created || recordError != nil, seconds: 15)
        }
        return []
    }

    /// The first line of the answer and what matters most after it: the error code's meaning,
    /// else the platform's message, else what happened on the way.
    static func oneLine(_ outcome: CashierOutcome) -> String {
        let lines = outcome.lines
        var parts = [lines.first ?? outcome.result.rawValue]
        switch outcome.result {
        case .created:
            if let id = outcome.transactionID { parts.append("transactionId \(id)") }
        default:
            if let code = lines.first(where: { $0.hasPrefix("errorCode ") }) {
                parts.append(code)
            } else if let message = outcome.message {
                parts.append(message)
            } else if let detail = outcome.detail {
                parts.append(detail)
            }
        }
        return parts.joined(separator: " · ")
    }

    /// Beside a regional key, short (the row is narrow): `test: created`, `test: refused PSP_TIMEOUT`.
    static func lastTestText(_ field: ConfigField, _ state: AppState) -> String? {
        guard let region = Region.allCases.first(where: { $0.apiKeyField == field }) else { return nil }
        if state.config.testing == region { return "testing…" }
        guard let test = state.config.lastTests[region] else { return state.config.stored.secrets[field] == nil ? nil : "untested (t)" }
        return "test: \(test.result)\(test.errorCode.map { " " + $0 } ?? "")"
    }

    /// Under the table for the selected key: the last test whole, with its time.
    static func lastTestDetail(_ field: ConfigField, _ state: AppState) -> String? {
        guard let region = Region.allCases.first(where: { $0.apiKeyField == field }) else { return nil }
        guard let test = state.config.lastTests[region] else {
            return state.config.stored.secrets[field] == nil ? nil : "last test: never (t sends a test \(PaymentMethod.payIn.displayName))"
        }
        return "last test: \(test.result)\(test.errorCode.map { " " + $0 } ?? "") at \(RFC3339.formatShort(test.at, offsetSeconds: state.session.offsetSeconds))"
    }

    /// One list: the six fields and webhookAuthorization, then the pending changes below them.
    static func step(_ state: inout AppState, _ delta: Int) -> [Effect] {
        let ids = state.config.pending.map(\.id)
        let index = state.config.selectedPending.flatMap { id in ids.firstIndex(of: id).map { rows.count + $0 } } ?? rows.firstIndex(of: state.config.selectedRow)!
        select(index + delta, &state)
        return []
    }

    /// Selects the list's `index`th row (clamped): a field, webhookAuthorization or a pending change.
    static func select(_ index: Int, _ state: inout AppState) {
        let ids = state.config.pending.map(\.id)
        let next = max(0, min(rows.count + ids.count - 1, index))
        state.config.selectedPending = next < rows.count ? nil : ids[next - rows.count]
        state.config.selectedAuthorization = next < rows.count && rows[next] == .webhookAuthorization
        if next < rows.count, case .config(let field) = rows[next] {
            state.config.selected = field
        } else {
            state.config.selected = ConfigField.allCases.last!
        }
    }

    /// The hints, with the keys that change something marked when this session may not
    /// (roles.md: the TUI marks what the role may not do; the keys still answer, with the reason).
    /// With changes waiting, `a` and `x` come first (they fit at 80 columns); without, they hide.
    static func hints(for state: AppState) -> [(keys: String, label: String)] {
        let session = state.session
        let waiting = !state.config.pending.isEmpty
        var hidden: Set<String> = []
        var marked: [String] = []
        if session.refusal(toSet: .webhookUrl) != nil {
            hidden.formUnion(["edit", "toggle secured", "write", "undo edits"])
            marked += ["Enter", "Space", "w"]
        }
        if session.sendRefusal != nil {
            hidden.insert("test key")
            marked.append("t")
        }
        if !waiting || session.decideRefusal != nil {
            hidden.formUnion(["approve", "reject"])
            if waiting { marked += ["a", "x"] }
        }
        if session.role.refusal(of: .reveal) != nil || session.readOnlyReason != nil {
            hidden.insert("reveal")
            marked.append("v")
        }
        var out = keys.hints.filter { !hidden.contains($0.label) }
        let decide = out.filter { $0.label == "approve" || $0.label == "reject" }
        out = decide + out.filter { $0.label != "approve" && $0.label != "reject" }
        if !marked.isEmpty {
            let why = session.role.refusal(of: .set(.webhookUrl)) != nil || session.readOnlyReason == nil ? "not for \(session.role.rawValue)" : "read-only"
            // Before `Esc back`: what this role may not do matters more, and the line is cut at the edge.
            let back = out.firstIndex { $0.label == "back" } ?? out.count
            out.insert((marked.joined(separator: " "), why), at: back)
        }
        return out
    }

    /// The key still answers when the role or the database forbids the change: with the reason,
    /// and (roles.md: refused means audited where the user can write) the store audits it.
    static func refuse(_ field: ConfigField, _ state: inout AppState) -> [Effect]? {
        guard let reason = state.session.refusal(toSet: field) else { return nil }
        state.say(reason, error: true, seconds: 6)
        return state.session.readOnlyReason == nil ? [.auditRefusedChange(field)] : []
    }

    static func toggle(_ state: inout AppState) -> [Effect] {
        if let refused = refuse(.isWebhookSecured, &state) { return refused }
        let current = state.config.effectiveSecured
        let stored = state.config.stored.isWebhookSecured
        if !current == stored { state.config.edits[.isWebhookSecured] = nil } else { state.config.edits[.isWebhookSecured] = current ? "false" : "true" }
        state.config.selected = .isWebhookSecured
        state.config.selectedAuthorization = false
        return []
    }

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        state.config.refusal = nil
        if var field = state.config.editor {
            let before = field.text
            switch field.handle(key) {
            case .editing:
                state.config.editor = field
                // A refusal is about the text it refused: a changed text has not been judged yet.
                if !field.text.utf8.elementsEqual(before.utf8) { state.config.editorError = nil }
                return []
            case .cancelled:
                state.config.editor = nil
                state.config.editorError = nil
                return []
            case .submitted:
                if state.config.selectedAuthorization { return submitAuthorization(field, &state) }
                let target = state.config.selected
                switch ConfigRules.validate(field.text, for: target) {
                case .failure(let violation):
                    // The editor stays open with the rule on screen until fixed or cancelled.
                    state.config.editor = field
                    state.config.editorError = violation.rule
                case .success(let value):
                    let unchanged = !target.isSecret && value == state.config.stored.plain[target]
                    state.config.edits[target] = unchanged ? nil : value
                    state.config.editor = nil
                    state.config.editorError = nil
                    if target.isSecret { return fingerprint(.config(target), value, &state) }
                }
                return []
            }
        }
        if let effects = answerQuestion(key, in: &state) { return effects }
        if let region = state.config.confirmingTest {
            state.config.confirmingTest = nil
            guard key == .character("y") else {
                state.say("not sent: the test was cancelled")
                return []
            }
            return startTest(region, &state)
        }
        if state.config.confirmingWrite {
            let delta: Int? = switch key {
            case .character("j"), .down: 1
            case .ctrl("d"), .pageDown: 10
            case .character("k"), .up: -1
            case .ctrl("u"), .pageUp: -10
            case .character("G"), .end: Int.max / 2
            case .character("g"), .home: -(Int.max / 2)
            default: nil
            }
            if let delta {
                // G/End and g/Home too: the dialog's own ends, never a cancel.
                // No further than the drawn dialog scrolls: a j past its end would make k look dead.
                let limit = diffLayout(state, in: state.frame.body).maxScroll
                state.config.diffScroll = scrolled(state.config.diffScroll, by: delta, limit: limit)
                return []
            }
            state.config.confirmingWrite = false
            state.config.diffScroll = 0
            // n and Esc cancel, as the dialog says; a stray key falls on the same safe side.
            guard key == .character("y") else {
                state.say("not written; the edits are kept (u undoes them)")
                return []
            }
            let edits = ConfigField.allCases.compactMap { field in state.config.edits[field].map { ConfigEdit(field: field, value: $0) } }
            // The dialog showed the other operator's change: y is the answer to it, so the save
            // expects the version shown — a change made after that is still refused.
            let version = state.config.theirChange?.version ?? state.config.seenVersion
            return [.saveConfig(edits, authorization: state.config.authorizationEdit, expectedVersion: version)]
        }
        return keys.handle(key, in: &state) ?? []
    }

    // MARK: - Results

    static func loaded(_ stored: StoredConfiguration, in state: inout AppState) -> [Effect] {
        // A revealed secret that was replaced meanwhile is no longer the secret: hidden at once.
        if let shown = state.config.revealed, stored.hint(shown.field) != state.config.stored.hint(shown.field) {
            state.config.revealed = nil
        }
        var c = state.config
        var effects: [Effect] = []
        if c.hasUnsavedEdits && c.isLoaded && stored.version != c.seenVersion {
            if c.theirChange?.version != stored.version {
                let fields = changedFields(from: c.stored, to: stored) + (c.theirChange?.fields ?? [])
                c.theirChange = .init(by: stored.updatedBy ?? "another operator", origin: nil, at: stored.updatedAt,
                                      fields: rows.filter(fields.contains), version: stored.version)
                // Where they were: the audit trail has the origin of their save.
                effects.append(.loadAudit)
            }
            c.conflict = theirChangeText(c.theirChange!, offset: state.session.offsetSeconds) + " since you started editing"
        } else if !c.hasUnsavedEdits {
            c.seenVersion = stored.version
            c.conflict = nil
            c.theirChange = nil
        }
        c.stored = stored
        c.isLoaded = true
        state.config = c
        return effects
    }

    /// The rows whose stored value differs (secrets, webhookAuthorization too, by fingerprint).
    static func changedFields(from old: StoredConfiguration, to new: StoredConfiguration) -> [PendingField] {
        rows.filter { row in
            switch row {
            case .config(let field) where !field.isSecret: old.plain[field] != new.plain[field]
            default: old.hint(row)?.fingerprint != new.hint(row)?.fingerprint
            }
        }
    }

    /// `jorge (ssh 10.0.0.7) changed webhookUrl at 2026-11-25 14:00:00`.
    static func theirChangeText(_ change: State.TheirChange, offset: Int) -> String {
        let fields = change.fields.isEmpty ? "the configuration" : change.fields.map(\.rawValue).joined(separator: ", ")
        let when = change.at.map { " at " + RFC3339.formatShort($0, offsetSeconds: offset) } ?? ""
        return "\(change.by)\(change.origin.map { " (\($0))" } ?? "") changed \(fields)\(when)"
    }

    /// The audit trail came back: name where the other operator's save came from.
    static func auditLoaded(_ entries: [AuditEntry], in state: inout AppState) {
        guard var change = state.config.theirChange, change.origin == nil else { return }
        if let entry = entries.last(where: { $0.result == .saved && $0.user == change.by && (change.at == nil || $0.at == change.at) }) {
            change.origin = entry.origin
            state.config.theirChange = change
            state.config.conflict = theirChangeText(change, offset: state.session.offsetSeconds) + " since you started editing"
        }
    }

    static func saved(_ stored: StoredConfiguration, proposed: [PendingChange] = [], in state: inout AppState) -> [Effect] {
        state.config.stored = stored
        state.config.seenVersion = stored.version
        state.config.edits = [:]
        state.config.authorizationEdit = nil
        state.config.editFingerprints = [:]
        state.config.fingerprintUnavailable = nil
        state.config.conflict = nil
        state.config.theirChange = nil
        state.config.saveError = nil
        if proposed.isEmpty {
            state.say("saved: version \(stored.version)")
            return []
        }
        // Production: these are not in force yet; saying "saved" would be a lie.
        let list = proposed.map { "#\($0.id) \($0.field.rawValue)" }.joined(separator: ", ")
        let approve = proposed.map { String($0.id) }.joined(separator: ", ")
        state.say(TerminalText.sanitized("proposed \(list): \(proposed.count == 1 ? "waits" : "wait") for a second person to approve (a here, or config approve \(approve)); "
                                         + "the old value stays in force until then"), seconds: 10)
        // Listed at once, and the list read again (another proposal may have come meanwhile).
        state.config.pending += proposed.filter { change in !state.config.pending.contains { $0.id == change.id } }
        return [.loadConfig]
    }

    static func saveFailed(_ reason: String, _ stored: StoredConfiguration?, in state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        if let stored {
            // Changed again meanwhile: the next `w` names that change and asks about it.
            let before = state.config.stored
            let fields = changedFields(from: before, to: stored) + (state.config.theirChange?.fields ?? [])
            state.config.theirChange = .init(by: stored.updatedBy ?? "another operator", origin: nil, at: stored.updatedAt,
                                             fields: rows.filter(fields.contains), version: stored.version)
            state.config.stored = stored
            state.config.conflict = theirChangeText(state.config.theirChange!, offset: state.session.offsetSeconds)
                + " — w shows it and asks; u discards your edits"
            effects.append(.loadAudit)
        }
        state.config.saveError = "not saved: " + reason
        state.say("not saved (the reason is on the Config screen)", error: true, seconds: 10)
        return effects
    }

    // MARK: - Render

    static func display(_ field: ConfigField, _ c: State) -> (String, Role) {
        if let edit = c.edits[field] {
            // `(unsaved)` is a column of its own (never cut with the value).
            if field.isSecret { return (unsavedSecret(.config(field), edit, c), .changed) }
            return (edit, .changed)
        }
        if field.isSecret {
            guard let hint = c.stored.secrets[field] else { return ("(not set)", .warning) }
            return (hint.mask + "  " + hint.fingerprint, .normal)
        }
        if field == .isWebhookSecured { return (c.stored.isWebhookSecured ? "true" : "false", c.stored.isWebhookSecured ? .success : .warning) }
        guard let value = c.stored.plain[field] else { return ("(not set)", .warning) }
        return (value, .normal)
    }

    /// The rows' columns (no header: the rows name themselves): the unsaved mark, the
    /// name, the value, and a note — `(unsaved)`, else a regional key's last test. What gives way
    /// first: the note is cut to 9 columns, after taking the room a short value leaves in its row
    /// (`spillsLeft`: the last test is whole under the list for the
    /// selected key; `(unsaved)` is never cut), then the value to 16 with `…` (the selected one
    /// is whole under the list); the mark and the name never. The value's reserve leaves a gap
    /// of two after a key's mask and fingerprint.
    static let fieldColumns = [
        TableColumn(""), TableColumn(""), TableColumn("", minimum: 16, rank: 1, reserve: 26), TableColumn("", minimum: 9, rank: 0, spillsLeft: true),
    ]

    static func fieldTable(_ state: AppState, width: Int) -> (layout: TableLayout, rows: [[(text: String, role: Role)]]) {
        let c = state.config
        let rows = Self.rows.map { row -> [(text: String, role: Role)] in
            let selected = row == c.selectedRow && c.selectedPending == nil
            let unsaved = c.edit(row) != nil
            var value: String, role: Role, name: String
            var note: (String, Role) = unsaved ? ("(unsaved)", .changed) : ("", .muted)
            switch row {
            case .config(let field):
                (value, role) = display(field, c)
                name = field.qualifiedName + (field.isRequired ? " *" : "")
                if !unsaved, let test = lastTestText(field, state) { note = (test, .muted) }
            case .webhookAuthorization:
                (value, role) = authorizationDisplay(c)
                // Required while the webhook is secured (serve does not start without it).
                name = WebhookAuthorization.fieldName + (c.effectiveSecured ? " *" : "")
            }
            if let shown = c.revealed, shown.field == row {
                // Sanitised like any text (a secret is bytes someone typed); the time left is under the table.
                value = shown.value
                role = .warning
            }
            let cells: [(String, Role)] = [(unsaved ? "*" : " ", .changed), (name, .normal), (value, role), note]
            return cells.enumerated().map { index, cell in
                (text: TerminalText.sanitized(cell.0), role: selected && index > 0 ? .selected : cell.1)
            }
        }
        return (TableLayout(fieldColumns, rows: rows.map { $0.map(\.text) }, available: width - 2), rows)
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let c = state.config
        let width = area.width
        let offset = state.session.offsetSeconds
        var y = area.y
        let last = c.stored.updatedAt.map { "last change \(RFC3339.formatShort($0, offsetSeconds: offset)) by \(c.stored.updatedBy ?? "?")" } ?? "never changed"
        let x = canvas.write(" Cleo configuration ", x: area.x, y: y, role: .title)
        canvas.write("version \(c.stored.version) · \(last)", x: area.x + x + 1, y: y, role: .muted, maxWidth: width - x - 2)
        y += 1
        let missing = c.effectiveMissing
        if !missing.isEmpty {
            // Every missing field named: the list wraps rather than stopping at the edge.
            let lines = TerminalText.wrap("⚠ incomplete — missing: " + missing.joined(separator: ", "), width: width - 2)
            canvas.fill(x: area.x, y: y, width: width, height: lines.count, role: .warning)
            for line in lines {
                canvas.write(line, x: area.x + 1, y: y, role: .warning, maxWidth: width - 2)
                y += 1
            }
        }
        if !c.effectiveSecured {
            y += canvas.wrapped("⚠ isWebhookSecured is off: webhook calls carry no Authorization header", x: area.x + 1, y: y, width: width - 2, maxLines: 2, role: .warning)
        } else if let warning = authorizationWarning(c) {
            y += canvas.wrapped(warning, x: area.x + 1, y: y, width: width - 2, maxLines: 2, role: .warning)
        }
        if let conflict = c.conflict {
            canvas.write(" ✗", x: area.x, y: y, role: .error)
            y += canvas.wrapped(conflict, x: area.x + 3, y: y, width: width - 4, maxLines: 3, role: .error)
        }
        if let error = c.saveError, c.conflict == nil {
            canvas.write(" ✗", x: area.x, y: y, role: .error)
            y += canvas.wrapped(error, x: area.x + 3, y: y, width: width - 4, maxLines: 3, role: .error)
        }
        if let refusal = c.refusal {
            canvas.write(" ✗", x: area.x, y: y, role: .error)
            y += canvas.wrapped(refusal, x: area.x + 3, y: y, width: width - 4, maxLines: 3, role: .error)
        }
        y += 1
        let table = fieldTable(state, width: width)
        for (row, cells) in zip(rows, table.rows) {
            let selected = row == c.selectedRow && c.selectedPending == nil
            canvas.tableRow(table.layout, cells, x: area.x + 1, y: y, rowRole: nil)
            if selected { canvas.paint(x: area.x + 3, y: y, width: width - 4, role: .selected) }
            y += 1
        }
        let pendingRows = renderPending(state, into: &canvas, in: Rect(x: area.x, y: y + 1, width: width, height: area.bottom - y - 1))
        y += pendingRows == 0 ? 1 : pendingRows + 2
        if c.selectedPending != nil, let change = targetChange(state) {
            for line in pendingDetail(change, state) where y < area.bottom {
                y += canvas.wrapped(line, x: area.x + 3, y: y, width: width - 4, maxLines: area.bottom - y, role: .muted)
            }
            if c.confirmingWrite { renderDiff(state, into: &canvas, in: area) }
            renderQuestion(state, into: &canvas, in: area)
            return
        }
        // Below the list, within the body: what does not fit ends with `…`, never stops silently.
        func note(_ text: String, maxLines: Int, role: Role = .muted) {
            y += canvas.wrapped(text, x: area.x + 3, y: y, width: width - 4, maxLines: min(maxLines, max(0, area.bottom - y)), role: role)
        }
        // The selected key's notes; webhookAuthorization's row has its own (no tests).
        let field: ConfigField? = c.selectedAuthorization ? nil : c.selected
        let name = field?.rawValue ?? WebhookAuthorization.fieldName
        if let index = rows.firstIndex(of: c.selectedRow), let shown = table.layout.widths[2],
           TerminalText.width(table.rows[index][2].text) > shown {
            // The value is cut in its cell: whole here (a revealed key too: it was asked for).
            note(name + " = " + table.rows[index][2].text, maxLines: 4, role: table.rows[index][2].role)
        }
        note((field?.qualifiedName ?? name) + ": " + (field?.summary ?? authorizationSummary), maxLines: 2)
        // Right after a test its answer matters more than the rule (which the editor shows when broken).
        let answer = Region.allCases.first(where: { $0.apiKeyField == field }).flatMap { region in c.answers[region].map { (region, $0) } }
        if answer == nil || c.editor != nil {
            note("rule: " + (field?.ruleText ?? "required while isWebhookSecured is true; " + WebhookAuthorization.ruleText), maxLines: 2)
        }
        let setAt: Timestamp?
        if let field { setAt = field.isSecret ? c.stored.secrets[field]?.setAt : nil } else { setAt = c.stored.webhookAuthorization?.setAt }
        if let setAt {
            note("set \(RelativeTime.ago(setAt, now: state.now)) (\(RFC3339.formatShort(setAt, offsetSeconds: offset)))", maxLines: 1)
        }
        if let field, let test = lastTestDetail(field, state) { note(test, maxLines: 2) }
        // The answer of this session's test whole (the status line is one row, cut at 80 columns).
        // Never cut: what does not fit is said, with where to read it whole.
        if let (region, answer) = answer, c.editor == nil {
            let lines = answer.flatMap { TerminalText.wrap($0, width: width - 6) }
            let room = area.bottom - y
            let shown = lines.count <= room ? lines : Array(lines.prefix(max(0, room - 1)))
            let role: Role = c.lastTests[region]?.result == "created" ? .muted : .error
            for line in shown {
                canvas.write(line, x: area.x + 5, y: y, role: role, maxWidth: width - 6)
                y += 1
            }
            if shown.count < lines.count, room > 0 {
                canvas.write("… \(lines.count - shown.count) more line(s): cleo-console cashier history, or a taller terminal", x: area.x + 5, y: y, role: .muted, maxWidth: width - 6)
                y += 1
            }
        }
        if let shown = c.revealed, shown.field == c.selectedRow, y < area.bottom {
            let left = secondsLeft(shown, now: state.now)
            note("in clear: hidden in \(left) s or at the next key · audited as viewed · never copied", maxLines: 2, role: .warning)
        }
        if let editor = c.editor { renderEditor(editor, name: name, below: y, state, into: &canvas, in: area) }
        if c.confirmingWrite { renderDiff(state, into: &canvas, in: area) }
        renderQuestion(state, into: &canvas, in: area)
    }

    /// The editor's box, a row below `y` — or higher, over the notes, when the body ends first:
    /// the box is always whole in the body. A key's character count has its own row, and the
    /// refusal is under it at the box's full width, read whole (the box grows for it).
    static func renderEditor(_ editor: TextField, name: String, below y: Int, _ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let width = area.width
        let text = state.config.editorError.map { "✗ " + name + ": " + $0 }
        let errorLines = text.map { TerminalText.wrap($0, width: width - 6) } ?? []
        let countRows = editor.isSecret ? 1 : 0
        let boxHeight = min(area.height, 3 + max(1, countRows + errorLines.count))
        let top = max(area.y, min(y + 1, area.bottom - boxHeight))
        canvas.box(x: area.x + 1, y: top, width: width - 2, height: boxHeight,
                   title: " Edit \(name)\(editor.isSecret ? " (not echoed)" : "") · Enter accepts · Esc cancels ", role: .accent)
        canvas.field(editor, x: area.x + 3, y: top + 1, width: width - 8)
        var row = top + 2
        if editor.isSecret {
            canvas.write("\(editor.text.count) characters", x: area.x + width - 20, y: row, role: .muted)
            row += 1
        }
        if let text, row < top + boxHeight - 1 {
            canvas.wrapped(text, x: area.x + 3, y: row, width: width - 6, maxLines: top + boxHeight - 1 - row, role: .error)
        }
    }

    /// Whether a change of `field` waits for a second person here (production, roles.md).
    static func isProposed(_ field: PendingField, _ c: State, production: Bool) -> Bool {
        guard production else { return false }
        switch field {
        case .config(let field): return c.edits[field].map { FourEyes.needsSecondPerson(field, old: c.stored.display(field), new: $0) } ?? false
        case .webhookAuthorization: return c.authorizationEdit != nil
        }
    }

    /// The names of the edits that `y` proposes rather than writes (set when `w` opens the dialog).
    static func proposing(_ state: AppState) -> [String] {
        rows.filter { state.config.edit($0) != nil && isProposed($0, state.config, production: state.session.isProduction) }.map(\.rawValue)
    }

    /// What `y` does, after its verb: the version it writes, and what it proposes instead.
    static func writeDetail(_ c: State) -> String {
        let written = rows.filter { c.edit($0) != nil && !c.proposing.contains($0.rawValue) }.map(\.rawValue)
        let version = "(version \(c.seenVersion) → \(c.seenVersion + 1))"
        guard !c.proposing.isEmpty else { return " " + version }
        let proposed = c.proposing.joined(separator: ", ")
        let approval = "a second person approves; the old value stays in force until then"
        if written.isEmpty { return " \(proposed): \(approval)" }
        return " \(written.joined(separator: ", ")) \(version) and proposes \(proposed): \(approval)"
    }

    /// The write dialog's lines: every changed value whole (wrapped, secrets masked), the
    /// warnings, the other operator's change — and, pinned at its bottom, the one question.
    static func diffLines(_ state: AppState, width: Int) -> (body: [(String, Role)], question: [(String, Role)]) {
        let c = state.config
        var lines: [(String, Role)] = []
        func value(_ name: String, theirs: Bool, old: String, new: String) {
            // The name of who changed it meanwhile is theirs (any length): wrapped, never cut.
            lines += TerminalText.wrap(name + (theirs ? " (changed meanwhile by \(c.theirChange!.by))" : "") + ":", width: width)
                .map { ($0, theirs ? .warning : .accent) }
            lines += TerminalText.wrap(old, width: width - 2, label: "now: ").map { ("  " + $0, .muted) }
            lines += TerminalText.wrap(new, width: width - 2, label: "new: ").map { ("  " + $0, .normal) }
        }
        for field in ConfigField.allCases {
            guard let edit = c.edits[field] else { continue }
            value(field.rawValue, theirs: c.overwritten.contains(.config(field)), old: c.stored.display(field) ?? "(unset)",
                  new: field.isSecret ? unsavedSecret(.config(field), edit, c) : edit)
        }
        if let edit = c.authorizationEdit {
            value(WebhookAuthorization.fieldName, theirs: c.overwritten.contains(.webhookAuthorization), old: c.stored.webhookAuthorization?.display ?? "(unset)",
                  new: unsavedSecret(.webhookAuthorization, edit, c))
        }
        let unprinted = rows.contains { row in row.isSecret && c.edit(row) != nil && c.editFingerprints[row] == nil }
        if unprinted, let why = c.fingerprintUnavailable {
            lines += TerminalText.wrap("Fingerprints are shown once saved: \(why).", width: width).map { ($0, .muted) }
        }
        for warning in authorizationDiffWarnings(state) {
            lines += TerminalText.wrap(warning, width: width).map { ($0, .warning) }
        }
        let answers = writeAnswers(c)
        var question: [(String, Role)] = [("", .normal)]
        if let change = c.theirChange {
            lines.append(("", .normal))
            lines += TerminalText.wrap(theirChangeText(change, offset: state.session.offsetSeconds) + " after you loaded this screen.", width: width)
                .map { ($0, .warning) }
            let overwritten = c.overwritten
            let lead = overwritten.isEmpty
                ? "Your edits touch other fields: write them on top of their change? "
                : "Overwrite their change to \(overwritten.map(\.rawValue).joined(separator: ", "))? "
            question += answers.wrapped(after: lead, width: width).map { ($0, .warning) }
        } else {
            question += answers.wrapped(detail: writeDetail(c), width: width).map { ($0, .accent) }
        }
        return (lines, question)
    }

    /// The write dialog over `area`: its lines, its box, the rows inside for the values (the
    /// question below them is always in view) and how far they scroll. The renderer draws this,
    /// and the scroll keys stop where the values' last line is in view (`maxScroll`).
    static func diffLayout(_ state: AppState, in area: Rect) -> (body: [(String, Role)], question: [(String, Role)], box: Rect, room: Int, maxScroll: Int) {
        // The whole width: nothing of the screen under it shows beside its frame.
        let width = area.width - 2
        var (body, question) = diffLines(state, width: width - 4)
        // A question taller than the screen (a very narrow one) keeps its end: its answers.
        question = Array(question.suffix(max(1, area.height - 2)))
        let boxHeight = min(area.height, body.count + question.count + 2)
        let room = max(0, boxHeight - 2 - question.count)
        let y = area.y + max(0, (area.height - boxHeight) / 2)
        return (body, question, Rect(x: area.x + 1, y: y, width: width, height: boxHeight), room, max(0, body.count - room))
    }

    static func renderDiff(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        let (body, question, box, room, maxScroll) = diffLayout(state, in: area)
        let scroll = min(state.config.diffScroll, maxScroll)
        let more = body.count > room ? " · j/k scroll (\(min(body.count, scroll + room)) of \(body.count) lines)" : ""
        canvas.overlay(box, title: " Write these changes?\(more) ", role: .accent)
        let shown = Array(body.dropFirst(scroll).prefix(room)) + question
        for (index, line) in shown.prefix(box.height - 2).enumerated() {
            canvas.write(line.0, x: box.x + 2, y: box.y + 1 + index, role: line.1, maxWidth: box.width - 4)
        }
    }
}
