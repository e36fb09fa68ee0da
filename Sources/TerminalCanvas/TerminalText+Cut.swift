/// Cutting text to a width. A cut never splits a placeholder (`⟨U+202E⟩`, `<U+202E>`) or a
/// caret form (`^[`): half of one (`⟨U+20…`, a lone `^`) reads as something else.
extension TerminalText {
    /// Cuts `text` to at most `columns` columns, ending with `…` when cut.
    public static func truncated(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if width(text) <= columns { return text }
        var out = ""
        var used = 0
        for piece in pieces(text) {
            let w = width(piece)
            if used + w > columns - 1 { break }
            out += piece
            used += w
        }
        return out + "…"
    }

    /// Cuts `text` to at most `columns` columns between words, ending with `…` (inside a word
    /// only when its first word alone is too long): prose read at a glance, never `(the log w…`.
    public static func truncatedAtWord(_ text: String, to columns: Int) -> String {
        let cut = truncated(text, to: columns)
        guard cut != text, let space = cut.dropLast().lastIndex(of: " ") else { return cut }
        let head = cut[..<space].reversed().drop(while: { $0 == " " }).reversed()
        return head.isEmpty ? cut : String(head) + "…"
    }

    /// Cut to `columns` with `…` in the middle: two fifths of the room for the start, the rest
    /// for the end (where ids that share a prefix differ).
    public static func truncatedInTheMiddle(_ text: String, to columns: Int) -> String {
        guard columns > 2, width(text) > columns else { return truncated(text, to: columns) }
        let room = columns - 1
        let all = pieces(text)
        var headCount = 0, tailCount = 0, used = 0
        func take(from index: Int, limit: Int) -> Bool {
            let w = width(all[index])
            guard used + w <= limit else { return false }
            used += w
            return true
        }
        while headCount < all.count, take(from: headCount, limit: room * 2 / 5) { headCount += 1 }
        while headCount + tailCount < all.count, take(from: all.count - 1 - tailCount, limit: room) { tailCount += 1 }
        // Room the tail left (a placeholder it could not take whole) goes back to the start.
        while headCount + tailCount < all.count, take(from: headCount, limit: room) { headCount += 1 }
        return all.prefix(headCount).joined() + "…" + all.suffix(tailCount).joined()
    }

    /// Pads (or cuts, at the end or in the middle) to exactly `columns` columns.
    public static func padded(_ text: String, to columns: Int, alignRight: Bool = false, cutInTheMiddle: Bool = false) -> String {
        let cut = cutInTheMiddle ? truncatedInTheMiddle(text, to: columns) : truncated(text, to: columns)
        let pad = String(repeating: " ", count: max(0, columns - width(cut)))
        return alignRight ? pad + cut : cut + pad
    }

    /// Whether `text` may hold a piece longer than one grapheme: a `⟨`, `<` or `^` in it.
    static func mayHoldWholePieces(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "⟨" || $0 == "<" || $0 == "^" }
    }

    /// `text` as the pieces a cut keeps or drops whole: a placeholder, a caret form, else one grapheme.
    static func pieces(_ text: String) -> [String] {
        let characters = Array(text)
        var out: [String] = []
        var index = 0
        while index < characters.count {
            let length = wholeLength(characters, at: index)
            out.append(String(characters[index..<(index + length)]))
            index += length
        }
        return out
    }

    /// How many characters from `index` make one uncuttable piece (1 for a plain grapheme).
    private static func wholeLength(_ c: [Character], at index: Int) -> Int {
        switch c[index] {
        case "⟨", "<":
            let close: Character = c[index] == "⟨" ? "⟩" : ">"
            guard index + 3 < c.count, c[index + 1] == "U", c[index + 2] == "+" else { return 1 }
            var end = index + 3
            while end < c.count, end - index - 3 < 6, c[end].isASCII, c[end].isHexDigit, !c[end].isLowercase { end += 1 }
            guard (4...6).contains(end - index - 3), end < c.count, c[end] == close else { return 1 }
            return end - index + 1
        case "^":
            guard index + 1 < c.count, let next = c[index + 1].unicodeScalars.first, c[index + 1].unicodeScalars.count == 1,
                  (0x40...0x5F).contains(next.value) || next == "?" else { return 1 }
            return 2
        default:
            return 1
        }
    }
}
