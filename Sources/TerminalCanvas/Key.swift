/// A key press, as the backend decodes it. Only keys that work over SSH in any terminal are
/// bound (keys.md: no function keys needed).
public enum Key: Sendable, Equatable, Hashable {
    case character(Character)
    case enter, escape, backspace, tab, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl plus a letter (`ctrl("l")` is Ctrl-L).
    case ctrl(Character)
    /// Text the terminal delivered as a bracketed paste: always text, never keys — a pasted
    /// `\r` is not Enter.
    case paste(String)

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
        case .paste: "paste"
        }
    }
}


/// What the terminal delivers: keys (a paste among them) and resizes.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize
}

/// Turns the terminal's raw input into keys: bracketed paste (`ESC[200~` … `ESC[201~`, which the
/// backend reports as `.pasteStarted` / `.pasteEnded`) becomes one `.paste` whatever it holds,
/// so pasted newlines, escapes or letters never act as keys. A paste may span several reads.
public struct InputDecoder: Sendable {
    public enum Raw: Sendable, Equatable {
        case key(Key)
        /// A character as typed (any scalar, controls included).
        case scalar(UInt32)
        case resize
        case pasteStarted, pasteEnded
        /// No input came for a while: a paste whose end marker never came ends here, so a
        /// broken terminal cannot swallow every later key.
        case quiet
    }

    private var pasting: String.UnicodeScalarView?
    /// A paste is bounded: past this many scalars the rest is dropped, not buffered forever.
    public static let maximumPaste = 65_536

    public init() {}

    public var isPasting: Bool { pasting != nil }

    public mutating func decode(_ inputs: [Raw]) -> [TerminalInput] {
        var out: [TerminalInput] = []
        for input in inputs {
            if pasting != nil {
                switch input {
                case .pasteEnded:
                    out.append(.key(.paste(String(pasting!))))
                    pasting = nil
                case .scalar(let value):
                    if pasting!.count < Self.maximumPaste, let scalar = Unicode.Scalar(value) { pasting!.append(scalar) }
                case .key(let key):
                    // A sequence inside pasted text that looked like a key: kept as text where it has one.
                    if case .character(let c) = key, pasting!.count < Self.maximumPaste { pasting!.append(contentsOf: c.unicodeScalars) }
                case .resize: out.append(.resize)
                case .quiet:
                    out.append(.key(.paste(String(pasting!))))
                    pasting = nil
                case .pasteStarted: break
                }
                continue
            }
            switch input {
            case .pasteStarted: pasting = String.UnicodeScalarView()
            case .pasteEnded, .quiet: break
            case .resize: out.append(.resize)
            case .key(let key): out.append(.key(key))
            case .scalar(let value): if let key = Self.key(for: value) { out.append(.key(key)) }
            }
        }
        return out
    }

    /// A typed character as a key (controls as Enter, Esc, Backspace, Tab, Ctrl-letter).
    public static func key(for value: UInt32) -> Key? {
        switch value {
        case 0x0D, 0x0A: return .enter
        case 0x1B: return .escape
        case 0x7F, 0x08: return .backspace
        case 0x09: return .tab
        case 0x01...0x1A: return .ctrl(Character(Unicode.Scalar(value + 0x60)!))
        default:
            guard let scalar = Unicode.Scalar(value), !TerminalText.needsReplacement(scalar) else { return nil }
            return .character(Character(scalar))
        }
    }
}

/// What the console's loop drives: a real terminal (ncursesw) or, in tests, a recording one
/// that scripts input and keeps the frames it was given.
public protocol TerminalDevice: AnyObject {
    var size: Size { get }
    /// Polled for input (stdin for a real terminal).
    var inputDescriptor: Int32 { get }
    /// Draws a frame (only what changed since the last one).
    func draw(_ frame: Canvas)
    /// Forgets what is on screen: the next frame repaints everything.
    func invalidate()
    /// Every input waiting, without blocking.
    func readInput() -> [TerminalInput]
    /// Asks the terminal to put `text` on its clipboard (OSC 52).
    func copyToClipboard(_ text: String)
    /// The terminal is gone (its descriptor hung up).
    func hasHungUp(revents: Int16) -> Bool
    /// Its locale is not UTF-8: frames are drawn in ASCII.
    var asciiOnly: Bool { get }
}

extension TerminalDevice {
    public var asciiOnly: Bool { false }
}
