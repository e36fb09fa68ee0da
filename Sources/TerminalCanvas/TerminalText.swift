/// Text from data made safe for a terminal, and measured in terminal columns.
///
/// Everything that reaches the screen — from the events log, the database or the user — goes
/// through `sanitized(_:)` (the canvas's only text-writing path does it), so no byte of data can
/// drive the terminal: C0 controls (ESC included), DEL, C1 controls and Unicode format characters
/// (bidi overrides, zero-width joiners and spaces) become visible placeholders.
public enum TerminalText {
    /// Replaces every control, format or invisible character with a visible placeholder: C0 and
    /// DEL with their Unicode control pictures (`␛`, `␊`, `␡`), the rest with `⟨U+XXXX⟩`; in
    /// ASCII (`asciiOnly`) with caret forms (`^[`, `^J`, `^?`) and `<U+XXXX>`, measured as such.
    public static func sanitized(_ text: String) -> String {
        let ascii = asciiOnly
        guard text.unicodeScalars.contains(where: { needsReplacement($0) || (ascii && caretForm(ofPicture: $0) != nil) }) else { return text }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if ascii, let caret = caretForm(ofPicture: scalar) {
                // A control picture in the data reads as the control it pictures, as in UTF-8.
                out.append(contentsOf: caret.unicodeScalars)
            } else if needsReplacement(scalar, after: previous) {
                out.append(contentsOf: placeholder(for: scalar, ascii: ascii).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `scalar` is shown as a placeholder wherever it stands (see `needsReplacement(_:after:)`
    /// for the one character whose neighbour decides).
    public static func needsReplacement(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        if v < 0xA0 { return false }
        // Invisible look-alikes: two ids must never look the same on screen. Default-ignorable
        // code points draw nothing (U+034F, variation selectors, Hangul fillers, U+2060–206F,
        // Mongolian and Khmer ones) whatever their category.
        if scalar.properties.isDefaultIgnorableCodePoint || scalar.properties.isNoncharacterCodePoint { return true }
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// As `needsReplacement(_:)`, except U+FE0F right after a non-ASCII emoji drawn as text by
    /// default (`❤`, `✔`, `™`): there it is visible — the glyph turns into the emoji, two columns
    /// wide. Any other variation selector changes nothing a terminal draws, so it is shown.
    public static func needsReplacement(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar?) -> Bool {
        if scalar.value == 0xFE0F, let previous, takesEmojiPresentation(previous) { return false }
        return needsReplacement(scalar)
    }

    static func takesEmojiPresentation(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII && scalar.properties.isEmoji && !scalar.properties.isEmojiPresentation
    }

    /// Text for the clipboard: every control, format or invisible character removed, so a copied
    /// id can never paste as a shell command (a newline) or hide a bidi override.
    public static func clipboardSafe(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if !needsReplacement(scalar, after: previous) { out.append(scalar) }
            previous = scalar
        }
        return String(out)
    }

    static func placeholder(for scalar: Unicode.Scalar, ascii: Bool = false) -> String {
        let v = scalar.value
        if ascii, let caret = caretForm(ofControl: v) { return caret }
        if v < 0x20 { return String(Unicode.Scalar(0x2400 + v)!) }
        if v == 0x7F { return "␡" }
        return ascii ? "<U+" + hex(v, width: 4) + ">" : "⟨U+" + hex(v, width: 4) + "⟩"
    }

    /// One piece of a raw line as the raw view shows it: text as it is in the bytes, or the
    /// visible escape of a byte that is not printable text.
    public struct RawPiece: Sendable, Equatable {
        public var text: String
        /// An escape (`\x1B`, `\n`, `\xFF`, `\u{202E}`) standing for bytes, not text of the line.
        public var isEscape: Bool
        public init(_ text: String, isEscape: Bool) {
            self.text = text
            self.isEscape = isEscape
        }
    }

    /// The raw view: printable text exactly as in the bytes (a backslash once, so JSON copied
    /// from the screen is the logged JSON), every other byte or character as an escape piece
    /// (`\x1B`, `\n`, `\t`, `\u{202E}`), invalid UTF-8 bytes as `\xNN`. The pieces say which is
    /// which: the view marks escapes, so a logged `\n` (two characters) and a newline byte differ.
    public static func rawPieces(_ bytes: [UInt8]) -> [RawPiece] {
        var pieces: [RawPiece] = []
        var text = String.UnicodeScalarView()
        func escape(_ shown: String) {
            if !text.isEmpty { pieces.append(RawPiece(String(text), isEscape: false)) }
            text = String.UnicodeScalarView()
            pieces.append(RawPiece(shown, isEscape: true))
        }
        var index = 0
        var previous: Unicode.Scalar?
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                previous = Unicode.Scalar(byte)
                switch byte {
                case 0x0A: escape("\\n")
                case 0x0D: escape("\\r")
                case 0x09: escape("\\t")
                case 0x20..<0x7F: text.append(Unicode.Scalar(byte))
                default: escape("\\x" + hex(UInt32(byte), width: 2))
                }
                index += 1
                continue
            }
            // Decode one UTF-8 sequence; an invalid one is shown byte by byte.
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if length > 1, index + length <= bytes.count {
                var decoder = UTF8()
                var iterator = bytes[index..<(index + length)].makeIterator()
                if case .scalarValue(let scalar) = decoder.decode(&iterator), UTF8.width(scalar) == length {
                    if needsReplacement(scalar, after: previous) {
                        escape("\\u{" + hex(scalar.value, width: 4) + "}")
                    } else {
                        text.append(scalar)
                    }
                    previous = scalar
                    index += length
                    continue
                }
            }
            escape("\\x" + hex(UInt32(byte), width: 2))
            previous = nil
            index += 1
        }
        if !text.isEmpty { pieces.append(RawPiece(String(text), isEscape: false)) }
        return pieces
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Columns a (sanitised) scalar takes: 0 for combining marks, 2 for East Asian wide and
    /// emoji presentation, 1 otherwise.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        default: break
        }
        if v == 0x200B || (0xFE00...0xFE0F).contains(v) { return 0 }
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns a whole string takes, grapheme by grapheme (a cluster is as wide as its widest scalar).
    public static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + width(of: $1) }
    }

    public static func width(of character: Character) -> Int {
        var widest = 0
        for (index, scalar) in character.unicodeScalars.enumerated() {
            let w = width(of: scalar)
            if index == 0 { widest = w } else if w == 2 { widest = 2 }
        }
        // An emoji variation selector turns a text-presentation emoji wide.
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { widest = 2 }
        return widest
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15, condensed).
    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE,
             0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
             0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A,
             0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
