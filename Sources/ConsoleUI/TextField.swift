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

    /// Applies one key; returns whether the field was submitted or cancelled.
    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .enter: return .submitted
        case .escape: return .cancelled
        case .character(let c):
            let index = text.index(text.startIndex, offsetBy: cursor)
            text.insert(c, at: index)
            cursor += 1
        case .backspace:
            if cursor > 0 {
                text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
                cursor -= 1
            }
        case .delete:
            if cursor < text.count { text.remove(at: text.index(text.startIndex, offsetBy: cursor)) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = text.count
        case .ctrl("u"):
            text.removeSubrange(text.startIndex..<text.index(text.startIndex, offsetBy: cursor))
            cursor = 0
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
        var text = shown[start...].joined()
        if start > 0 { text = "…" + String(text.dropFirst()) }
        write(text, x: x, y: y, role: role, maxWidth: width)
        cursor = Point(x: x + caretColumn - skipped, y: y)
    }
}
