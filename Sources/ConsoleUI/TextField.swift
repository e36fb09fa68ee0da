import TerminalCanvas

/// A one-line text field (search, filter value, editor, palette). While it has the focus every
/// printable key is text; only Enter, Esc, Ctrl-U, Backspace, arrows and Home/End act on it.
public struct TextField: Sendable, Equatable {
    public var text: String = ""
    /// Cursor position in characters.
    public var cursor: Int = 0
    /// Secrets are never echoed: shown as dots only.
    public var isSecret = false

    public init(text: String = "", isSecret: Bool = false) {
        self.text = text
        self.cursor = text.count
        self.isSecret = isSecret
    }

    public enum Outcome: Sendable, Equatable { case editing, submitted, cancelled }

    /// One editing key of a field: its keys, its word in the hints, what it does to the text.
    struct Binding: Sendable {
        let keys: [Key]
        let label: String
        let inHints: Bool
        let edit: @Sendable (inout TextField) -> Outcome
    }

    /// The field's own keys (every other printable key, and a paste, is text): the one table
    /// `handle` runs and the hints are made from. `submit` and `cancel` are named by the field's
    /// user (`apply`, `accept`, `clear`), see `hints(submit:cancel:)`.
    static let bindings: [Binding] = [
        Binding(keys: [.enter], label: "submit", inHints: true) { _ in .submitted },
        Binding(keys: [.escape], label: "cancel", inHints: true) { _ in .cancelled },
        Binding(keys: [.ctrl("u")], label: "erase", inHints: true) { field in
            field.text.removeSubrange(field.text.startIndex..<field.text.index(field.text.startIndex, offsetBy: field.cursor))
            field.cursor = 0
            return .editing
        },
        Binding(keys: [.backspace], label: "delete back", inHints: false) { field in
            if field.cursor > 0 {
                field.text.remove(at: field.text.index(field.text.startIndex, offsetBy: field.cursor - 1))
                field.cursor -= 1
            }
            return .editing
        },
        Binding(keys: [.delete], label: "delete", inHints: false) { field in
            if field.cursor < field.text.count { field.text.remove(at: field.text.index(field.text.startIndex, offsetBy: field.cursor)) }
            return .editing
        },
        Binding(keys: [.left], label: "left", inHints: false) { field in
            field.cursor = max(0, field.cursor - 1)
            return .editing
        },
        Binding(keys: [.right], label: "right", inHints: false) { field in
            field.cursor = min(field.text.count, field.cursor + 1)
            return .editing
        },
        Binding(keys: [.home, .ctrl("a")], label: "start", inHints: false) { field in
            field.cursor = 0
            return .editing
        },
        Binding(keys: [.end, .ctrl("e")], label: "end", inHints: false) { field in
            field.cursor = field.text.count
            return .editing
        },
    ]

    /// The hints of a field with focus, from its table: Enter and Esc in the words of what they
    /// do there.
    static func hints(submit: String, cancel: String) -> [(keys: String, label: String)] {
        bindings.filter(\.inHints).map { binding in
            (binding.keys.map(\.label).joined(separator: "/"), binding.label == "submit" ? submit : binding.label == "cancel" ? cancel : binding.label)
        }
    }

    /// Applies one key; returns whether the field was submitted or cancelled.
    public mutating func handle(_ key: Key) -> Outcome {
        if let binding = Self.bindings.first(where: { $0.keys.contains(key) }) { return binding.edit(&self) }
        switch key {
        case .character(let c):
            let index = text.index(text.startIndex, offsetBy: cursor)
            text.insert(c, at: index)
            cursor += 1
        case .paste(var pasted):
            // Pasted text is text: a newline or CR in it is inserted (and shown as ␍/␊, and
            // refused by any rule that refuses controls), never taken as Enter. One trailing
            // line end is dropped, as `config set` drops it from standard input (a key copied
            // from a terminal often carries one).
            if pasted.hasSuffix("\r\n") || pasted.hasSuffix("\n") || pasted.hasSuffix("\r") { pasted.removeLast() }
            let index = text.index(text.startIndex, offsetBy: cursor)
            text.insert(contentsOf: pasted, at: index)
            cursor += pasted.count
        default: break
        }
        return .editing
    }

    /// What the screen shows: the text, or one dot per character for a secret.
    public var display: String {
        isSecret ? String(repeating: "•", count: text.count) : text
    }
}

extension Canvas {
    /// Draws a text field in `width` columns, scrolled so the caret stays visible, and puts the
    /// terminal cursor where the next key lands.
    mutating func field(_ field: TextField, x: Int, y: Int, width: Int, role: Role = .normal) {
        guard width > 1 else { return }
        // Sanitised first: a control character takes the columns of its placeholder.
        let characters = Array(field.display)
        let shown = characters.map { TerminalText.sanitized(String($0)) }
        let caretColumn = shown.prefix(field.cursor).reduce(0) { $0 + TerminalText.width($1) }
        var start = 0
        var skipped = 0
        // Leave one column for the caret past the end.
        while caretColumn - skipped > width - 1, start < shown.count {
            skipped += TerminalText.width(shown[start])
            start += 1
        }
        var rest = Array(shown[start...])
        if start > 0, !rest.isEmpty {
            // The first shown character gives way to `…` whole (a wide one, a placeholder), the
            // columns it freed kept blank, so the text and the caret stay where they were measured.
            let freed = TerminalText.width(rest.removeFirst())
            rest.insert("…" + String(repeating: " ", count: max(0, freed - 1)), at: 0)
        }
        let text = rest.joined()
        write(text, x: x, y: y, role: role, maxWidth: width)
        cursor = Point(x: x + caretColumn - skipped, y: y)
    }
}
