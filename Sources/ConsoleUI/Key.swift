/// A key press, as the backend decodes it. Only keys that work over SSH in any terminal are
/// bound (keys.md: no function keys needed).
public enum Key: Sendable, Equatable, Hashable {
    case character(Character)
    case enter, escape, backspace, tab, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl plus a letter (`ctrl("l")` is Ctrl-L).
    case ctrl(Character)

    /// How the key reads in hints and help.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .tab: "Tab"
        case .delete: "Del"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .ctrl(let c): "Ctrl-" + String(c).uppercased()
        }
    }
}

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
        default: break
        }
        return .editing
    }

    /// What the screen shows: the text, or one dot per character for a secret.
    public var display: String {
        isSecret ? String(repeating: "•", count: text.count) : text
    }
}
