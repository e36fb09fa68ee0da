/// A terminal whose locale is not UTF-8 (`LANG=C`) gets ASCII only. Two steps: the frame is
/// drawn with `asciiOnly` set, so placeholders are ASCII (`^[`, `<U+202E>`) and take their real
/// columns when measured; then `asciiFallback()` gives every other glyph its one-column stand-in.
extension TerminalText {
    /// Set while a frame for an ASCII-only terminal is drawn (`inASCII`).
    @TaskLocal static var asciiOnly: Bool = false

    /// Runs `body` (a frame's drawing) with ASCII placeholders.
    public static func inASCII<R>(_ body: () throws -> R) rethrows -> R {
        try $asciiOnly.withValue(true, operation: body)
    }

    /// Caret notation for a C0 control or DEL: `^@` … `^[` (ESC) … `^_`, and `^?`.
    static func caretForm(ofControl value: UInt32) -> String? {
        if value < 0x20 { return "^" + String(Unicode.Scalar(value + 0x40)!) }
        return value == 0x7F ? "^?" : nil
    }

    /// The caret form of a control picture (`␛` U+241B → `^[`, `␡` U+2421 → `^?`).
    static func caretForm(ofPicture scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x2400...0x241F: caretForm(ofControl: scalar.value - 0x2400)
        case 0x2421: "^?"
        default: nil
        }
    }
}

extension Canvas {
    static let unmappable = "#"

    /// The glyphs that mean something, and their stand-ins — pairwise distinct, and none of them
    /// the ASCII marks drawn as they are (changed `~`, flagged `!`) or `#`. Written down in the
    /// README ("Symbols").
    static let asciiMarks: [String: String] = [
        "✓": "+", "✗": "x", "◌": "o", "★": "*", "…": "$", "⚠": "%", "●": "@", "○": "O", "◇": "&", "⏸": "=",
        "▲": "^", "▼": "_", "┌": ".", "┐": ".", "└": "'", "┘": "'", "⟨": "<", "⟩": ">",
    ]

    /// One stand-in per glyph: the marks, then text glyphs that share on purpose (↑ and ▲ both
    /// `^`; a masked secret's `•` is `*`, as ASCII masks are). No arrow becomes a letter that is
    /// a key (`↓` was `v`, which reveals on Config: "j/v select"); `¡` has none (`!` is flagged).
    static let ascii: [String: String] = asciiMarks.merging([
        "▸": ">", "▏": "|", "·": "-", "•": "*", "→": ">", "←": "<", "↑": "^", "↓": "_", "─": "-", "│": "|",
        "—": "-", "–": "-", "−": "-", "×": "x", "≥": ">",
        "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ñ": "n", "Ñ": "N", "É": "E",
    ]) { mark, _ in mark }
}
