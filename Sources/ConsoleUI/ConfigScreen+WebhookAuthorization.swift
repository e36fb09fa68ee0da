import CleoDomain
import TerminalCanvas

/// `webhookAuthorization` on the Config screen (serve.md: "set like the regional keys: stdin or
/// the TUI, sealed at rest, masked, audited"): a row below the six fields, typed without echo,
/// saved with them through the store's one path (four eyes in production), and a warning while
/// `isWebhookSecured` is on without it — `serve` refuses to start then (exit 78).
extension ConfigScreen {
    /// The rows of the list, in order: the six fields, then webhookAuthorization.
    static let rows: [PendingField] = ConfigField.allCases.map { .config($0) } + [.webhookAuthorization]

    static let authorizationSummary = "the Authorization value Mozarto sends; serve requires it while isWebhookSecured is true"

    /// Why this session may not set webhookAuthorization (the role, then the database), or nil.
    static func authorizationRefusal(_ session: Session) -> String? {
        if let reason = session.role.refusal(of: .setWebhookAuthorization) { return "\(session.user): \(reason)" }
        return session.readOnlyReason.map { "read-only: \($0)" }
    }

    /// Enter on the row: the editor (no echo, starts empty as a key's), or the refusal, audited
    /// by the store where this user can write.
    static func editAuthorization(_ state: inout AppState) -> [Effect] {
        if let reason = authorizationRefusal(state.session) {
            state.say(reason, error: true, seconds: 6)
            return state.session.readOnlyReason == nil ? [.auditRefusedAuthorization] : []
        }
        state.config.editor = TextField(text: state.config.authorizationEdit ?? "", isSecret: true)
        state.config.editorError = nil
        return []
    }

    /// Enter in the editor: the rule (the store checks it again, and audits a refusal), then the
    /// unsaved value and its keyed fingerprint asked for.
    static func submitAuthorization(_ field: TextField, _ state: inout AppState) -> [Effect] {
        if let problem = WebhookAuthorization.problem(field.text) {
            state.config.editor = field
            state.config.editorError = problem
            return []
        }
        state.config.authorizationEdit = field.text
        state.config.editor = nil
        state.config.editorError = nil
        return fingerprint(.webhookAuthorization, field.text, &state)
    }

    /// An unsaved secret's fingerprint is the store's keyed one, computed by the runtime; until it
    /// comes the mask is shown alone (an unkeyed hash would not be what is saved).
    static func fingerprint(_ field: PendingField, _ value: String, _ state: inout AppState) -> [Effect] {
        state.config.editFingerprints[field] = nil
        return [.fingerprintSecret(field, value)]
    }

    static func fingerprinted(_ field: PendingField, value: String, _ fingerprint: String?, unavailable: String?, in state: inout AppState) -> [Effect] {
        // Only for the value still unsaved (bytes compared): an answer for an older edit is dropped.
        guard let edit = state.config.edit(field), edit.utf8.elementsEqual(value.utf8) else { return [] }
        state.config.editFingerprints[field] = fingerprint.map(TerminalText.sanitized)
        state.config.fingerprintUnavailable = fingerprint == nil ? unavailable.map(TerminalText.sanitized) : nil
        return []
    }

    /// An unsaved secret as the list and the write dialog show it: its mask and the fingerprint
    /// it will be stored with, once known.
    static func unsavedSecret(_ field: PendingField, _ value: String, _ c: State) -> String {
        SecretMask.mask(value) + (c.editFingerprints[field].map { " " + $0 } ?? "")
    }

    /// The row's value and role.
    static func authorizationDisplay(_ c: State) -> (String, Role) {
        if let edit = c.authorizationEdit { return (unsavedSecret(.webhookAuthorization, edit, c), .changed) }
        guard let hint = c.stored.webhookAuthorization else { return ("(not set)", c.effectiveSecured ? .warning : .muted) }
        return (hint.mask + "  " + hint.fingerprint, .normal)
    }

    /// The warning under the title while isWebhookSecured is (or is being turned) on without it.
    static func authorizationWarning(_ c: State) -> String? {
        guard c.effectiveLacksAuthorization else { return nil }
        let turning = c.edits[.isWebhookSecured] == "true" ? "turning isWebhookSecured on" : "isWebhookSecured is on"
        return "⚠ \(turning) with no webhookAuthorization: serve refuses to start (exit 78) — set it below"
    }

    /// The write dialog's warnings about webhookAuthorization, above its question.
    static func authorizationDiffWarnings(_ state: AppState) -> [String] {
        let c = state.config
        if c.effectiveLacksAuthorization {
            let what = c.edits[.isWebhookSecured] == "true" ? "This turns isWebhookSecured on" : "isWebhookSecured stays on"
            return ["⚠ \(what) with no webhookAuthorization set: serve refuses to start (exit 78) until one is set (the webhookAuthorization row)."]
        }
        if state.session.isProduction, c.effectiveSecured, c.stored.webhookAuthorization == nil, c.authorizationEdit != nil {
            return ["⚠ webhookAuthorization waits for a second person: until it is approved, serve refuses to start (isWebhookSecured is on)."]
        }
        return []
    }
}

extension ConfigScreen.State {
    /// The row the keys act on: a field, or webhookAuthorization.
    var selectedRow: PendingField { selectedAuthorization ? .webhookAuthorization : .config(selected) }

    /// The unsaved value of a row, in clear.
    func edit(_ row: PendingField) -> String? {
        switch row {
        case .config(let field): edits[field]
        case .webhookAuthorization: authorizationEdit
        }
    }

    /// isWebhookSecured is (or, after the edits, will be) true with no webhookAuthorization stored or typed.
    var effectiveLacksAuthorization: Bool { effectiveSecured && stored.webhookAuthorization == nil && authorizationEdit == nil }
}
