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
        public init() {}

        public var hasUnsavedEdits: Bool { !edits.isEmpty }

        /// The configuration as it would be after the edits (for completeness).
        var effectiveMissing: [ConfigField] {
            ConfigField.allCases.filter { $0.isRequired && !stored.isSet($0) && (edits[$0]?.isEmpty ?? true) }
        }

        var effectiveSecured: Bool { (edits[.isWebhookSecured] ?? stored.plain[.isWebhookSecured]) == "true" }
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "select") { step(&$0, 1) },
        KeyBinding([.character("k"), .up], "select", inHints: false) { step(&$0, -1) },
        KeyBinding([.character("g"), .home], "first", inHints: false) { state in
            state.config.selected = ConfigField.allCases.first!
            return []
        },
        KeyBinding([.character("G"), .end], "last", inHints: false) { state in
            state.config.selected = ConfigField.allCases.last!
            return []
        },
        KeyBinding([.enter], "edit") { state in
            let field = state.config.selected
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
            state.config.confirmingWrite = true
            return []
        },
        KeyBinding([.character("u")], "undo edits") { state in
            state.config.edits = [:]
            state.config.conflict = nil
            state.say("unsaved edits undone")
            return [.loadConfig]
        },
        KeyBinding([.escape], "back") { state in
            state.screen = .transactions
            return []
        },
    ]

    static func step(_ state: inout AppState, _ delta: Int) -> [Effect] {
        let all = ConfigField.allCases
        let index = all.firstIndex(of: state.config.selected)!
        state.config.selected = all[max(0, min(all.count - 1, index + delta))]
        return []
    }

    static func toggle(_ state: inout AppState) -> [Effect] {
        let current = state.config.effectiveSecured
        let stored = state.config.stored.isWebhookSecured
        if !current == stored { state.config.edits[.isWebhookSecured] = nil } else { state.config.edits[.isWebhookSecured] = current ? "false" : "true" }
        state.config.selected = .isWebhookSecured
        return []
    }

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        if var field = state.config.editor {
            switch field.handle(key) {
            case .editing:
                state.config.editor = field
                return []
            case .cancelled:
                state.config.editor = nil
                state.config.editorError = nil
                return []
            case .submitted:
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
                }
                return []
            }
        }
        if state.config.confirmingWrite {
            state.config.confirmingWrite = false
            guard key == .character("y") else {
                state.say("not written; the edits are kept (u undoes them)")
                return []
            }
            let edits = ConfigField.allCases.compactMap { field in state.config.edits[field].map { ConfigEdit(field: field, value: $0) } }
            return [.saveConfig(edits, expectedVersion: state.config.seenVersion)]
        }
        return keys.handle(key, in: &state) ?? []
    }

    // MARK: - Results

    static func loaded(_ stored: StoredConfiguration, in state: inout AppState) -> [Effect] {
        var c = state.config
        if c.hasUnsavedEdits && c.isLoaded && stored.version != c.seenVersion {
            c.conflict = "changed by \(stored.updatedBy ?? "another operator") at \(stored.updatedAt.map { RFC3339.formatShort($0, offsetSeconds: state.session.offsetSeconds) } ?? "?") since you started editing"
        } else if !c.hasUnsavedEdits {
            c.seenVersion = stored.version
            c.conflict = nil
        }
        c.stored = stored
        c.isLoaded = true
        state.config = c
        return []
    }

    static func saved(_ stored: StoredConfiguration, in state: inout AppState) -> [Effect] {
        state.config.stored = stored
        state.config.seenVersion = stored.version
        state.config.edits = [:]
        state.config.conflict = nil
        state.say("saved: version \(stored.version)")
        return []
    }

    static func saveFailed(_ reason: String, _ stored: StoredConfiguration?, in state: inout AppState) -> [Effect] {
        if let stored {
            // The operator now sees the other change; a second `w` (after reviewing the diff) may overwrite it.
            state.config.stored = stored
            state.config.seenVersion = stored.version
            state.config.conflict = reason + " — review the diff; w writes over it, u discards your edits"
        }
        state.say("not saved: " + reason, error: true, seconds: 10)
        return []
    }

    // MARK: - Render

    static func display(_ field: ConfigField, _ c: State) -> (String, Role) {
        if let edit = c.edits[field] {
            if field.isSecret { return (SecretMask.mask(edit) + " " + SecretMask.fingerprint(edit) + "  (new, unsaved)", .changed) }
            return (edit + "  (unsaved)", .changed)
        }
        if field.isSecret {
            guard let hint = c.stored.secrets[field] else { return ("(not set)", .warning) }
            return (hint.mask + "  " + hint.fingerprint, .normal)
        }
        if field == .isWebhookSecured { return (c.stored.isWebhookSecured ? "true" : "false", c.stored.isWebhookSecured ? .success : .warning) }
        guard let value = c.stored.plain[field] else { return ("(not set)", .warning) }
        return (value, .normal)
    }

    static func render(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let c = state.config
        let width = canvas.size.width
        let offset = state.session.offsetSeconds
        var y = top
        let last = c.stored.updatedAt.map { "last change \(RFC3339.formatShort($0, offsetSeconds: offset)) by \(c.stored.updatedBy ?? "?")" } ?? "never changed"
        let x = canvas.write(" Cleo configuration ", x: 0, y: y, role: .title)
        canvas.write("version \(c.stored.version) · \(last)", x: x + 1, y: y, role: .muted, maxWidth: width - x - 2)
        y += 1
        let missing = c.effectiveMissing
        if !missing.isEmpty {
            canvas.fill(x: 0, y: y, width: width, role: .warning)
            canvas.write(" ⚠ incomplete — missing: " + missing.map(\.rawValue).joined(separator: ", "), x: 0, y: y, role: .warning, maxWidth: width)
            y += 1
        }
        if !c.effectiveSecured {
            canvas.write(" ⚠ isWebhookSecured is off: webhook calls carry no Authorization header", x: 0, y: y, role: .warning, maxWidth: width)
            y += 1
        }
        if let conflict = c.conflict {
            canvas.write(" ✗ " + conflict, x: 0, y: y, role: .error, maxWidth: width)
            y += 1
        }
        y += 1
        for field in ConfigField.allCases {
            let selected = field == c.selected
            let (value, role) = display(field, c)
            let marker = c.edits[field] != nil ? "*" : " "
            canvas.write(marker, x: 1, y: y, role: .changed)
            canvas.write(TerminalText.padded(field.qualifiedName + (field.isRequired ? " *" : ""), to: 32), x: 3, y: y, role: selected ? .selected : .normal)
            canvas.write(value, x: 36, y: y, role: selected ? .selected : role, maxWidth: width - 37)
            if selected { canvas.paint(x: 3, y: y, width: width - 4, role: .selected) }
            y += 1
        }
        y += 1
        let field = c.selected
        canvas.write(field.qualifiedName + ": " + field.summary, x: 3, y: y, role: .muted, maxWidth: width - 4)
        y += 1
        y += canvas.wrapped("rule: " + field.ruleText, x: 3, y: y, width: width - 4, maxLines: 2, role: .muted)
        if field.isSecret, let setAt = c.stored.secrets[field]?.setAt {
            canvas.write("set \(TransactionsScreen.age(from: setAt, to: state.now)) ago (\(RFC3339.formatShort(setAt, offsetSeconds: offset)))", x: 3, y: y, role: .muted)
            y += 1
        }
        if let editor = c.editor {
            y += 1
            canvas.box(x: 1, y: y, width: width - 2, height: 4, title: " Edit \(field.rawValue)\(field.isSecret ? " (not echoed)" : "") · Enter accepts · Esc cancels ", role: .accent)
            canvas.field(editor, x: 3, y: y + 1, width: width - 8)
            if field.isSecret { canvas.write("\(editor.text.count) characters", x: width - 20, y: y + 2, role: .muted) }
            if let error = c.editorError { canvas.write("✗ " + field.rawValue + ": " + error, x: 3, y: y + 2, role: .error, maxWidth: width - 26) }
        }
        if c.confirmingWrite { renderDiff(state, into: &canvas, top: top, height: height) }
    }

    static func renderDiff(_ state: AppState, into canvas: inout Canvas, top: Int, height: Int) {
        let c = state.config
        let changes = ConfigField.allCases.filter { c.edits[$0] != nil }
        let width = canvas.size.width - 6
        let boxHeight = changes.count + 5
        let y = top + max(1, (height - boxHeight) / 2)
        canvas.box(x: 3, y: y, width: width, height: boxHeight, title: " Write these changes? ", role: .accent)
        for (index, field) in changes.enumerated() {
            let old = c.stored.display(field) ?? "(unset)"
            let new = SecretMask.display(c.edits[field], for: field)
            canvas.write("\(field.rawValue): \(old) → \(new)", x: 5, y: y + 1 + index, maxWidth: width - 4)
        }
        canvas.write("y writes (version \(c.seenVersion) → \(c.seenVersion + 1)) · any other key cancels", x: 5, y: y + boxHeight - 2, role: .accent, maxWidth: width - 4)
    }
}
