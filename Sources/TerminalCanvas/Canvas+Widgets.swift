extension Canvas {
    /// An overlay (dialog, panel, raw view): the whole rows it spans are cleared, so nothing of
    /// the screen under it shows beside its frame, then the framed box is drawn. Returns the
    /// rectangle inside the frame.
    @discardableResult
    public mutating func overlay(_ rect: Rect, title: String = "", role: Role = .normal) -> Rect {
        fill(x: 0, y: rect.y, width: size.width, height: rect.height, role: .normal)
        box(x: rect.x, y: rect.y, width: rect.width, height: rect.height, title: title, role: role)
        return rect.inset(dx: 1, dy: 1)
    }

    /// A framed, cleared box (dialogs, panels).
    public mutating func box(x: Int, y: Int, width: Int, height: Int, title: String = "", role: Role = .normal) {
        guard width >= 2, height >= 2 else { return }
        fill(x: x, y: y, width: width, height: height, role: .normal)
        write("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, role: role)
        for row in (y + 1)..<(y + height - 1) {
            write("│", x: x, y: row, role: role)
            write("│", x: x + width - 1, y: row, role: role)
        }
        write("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, role: role)
        if !title.isEmpty { write(title, x: x + 2, y: y, role: role, maxWidth: width - 4) }
    }

    /// Text wrapped to `width` columns over at most `maxLines` lines; returns the lines used.
    /// Text that does not fit ends with `…` on its last line: never cut silently.
    @discardableResult
    public mutating func wrapped(_ text: String, x: Int, y: Int, width: Int, maxLines: Int = .max, role: Role = .normal) -> Int {
        var lines = TerminalText.wrap(text, width: width)
        if lines.count > maxLines, maxLines > 0 {
            lines = Array(lines.prefix(maxLines))
            lines[maxLines - 1] = TerminalText.truncated(lines[maxLines - 1] + " …", to: width)
            if !lines[maxLines - 1].hasSuffix("…") { lines[maxLines - 1] = TerminalText.truncated(lines[maxLines - 1], to: width - 1) + "…" }
        }
        for (index, line) in lines.prefix(max(0, maxLines)).enumerated() {
            write(line, x: x, y: y + index, role: role, maxWidth: width)
        }
        return min(lines.count, max(0, maxLines))
    }
}

extension TerminalText {
    /// Sanitised `text` in lines of at most `width` columns, broken between words; a word
    /// longer than a line (an id, a URL) is broken inside, never dropped — after a URL
    /// separator near the line's end when there is one, so a URL reads in its parts.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in sanitized(text).split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            var currentWidth = 0
            for word in keepingTimesWhole(paragraph.split(separator: " ", omittingEmptySubsequences: true), width: width) {
                var word = Substring(word)
                let w = TerminalText.width(String(word))
                if currentWidth > 0, currentWidth + 1 + w <= width {
                    current += " " + word
                    currentWidth += 1 + w
                    continue
                }
                if currentWidth > 0 {
                    lines.append(current)
                    current = ""
                    currentWidth = 0
                }
                while TerminalText.width(String(word)) > width {
                    let piece = longWordPiece(word, width: width)
                    // A character wider than the line (a wide one at width 1): skipped, not looped on.
                    if piece.isEmpty { word = word.dropFirst(); continue }
                    lines.append(String(piece))
                    word = word[piece.endIndex...]
                }
                current = String(word)
                currentWidth = TerminalText.width(current)
            }
            lines.append(current)
        }
        while lines.last?.isEmpty == true && lines.count > 1 { lines.removeLast() }
        return lines
    }

    /// The words with a date and the time after it (`2026-11-25 13:00:00`) joined into one, so a
    /// line never ends between them — unless together they are wider than a line.
    static func keepingTimesWhole(_ words: [Substring], width: Int) -> [Substring] {
        func digits(_ text: Substring.UTF8View, _ pattern: String) -> Bool {
            text.count == pattern.utf8.count && zip(text, pattern.utf8).allSatisfy { $1 == UInt8(ascii: "d") ? (0x30...0x39).contains($0) : $0 == $1 }
        }
        var out: [Substring] = []
        for word in words {
            if let last = out.last, digits(last.utf8.suffix(10), "dddd-dd-dd"), digits(word.utf8.prefix(5), "dd:dd"),
               TerminalText.width(String(last)) + 1 + TerminalText.width(String(word)) <= width {
                out[out.count - 1] = Substring(last + " " + word)
            } else {
                out.append(word)
            }
        }
        return out
    }

    /// `label` then `text` wrapped beside it, every further line indented under the text's
    /// first column (`new: https://…` / `     …&region=latam`), so a value reads whole after its
    /// name. The label is sanitised and measured like the text; a label wider than half the
    /// line would leave the text a sliver: then the text wraps on under it, unindented.
    public static func wrap(_ text: String, width: Int, label: String) -> [String] {
        let label = sanitized(label)
        let indent = TerminalText.width(label)
        guard indent > 0, indent * 2 <= width else { return wrap(label + text, width: width) }
        let pad = String(repeating: " ", count: indent)
        return wrap(text, width: width - indent).enumerated().map { ($0.offset == 0 ? label : pad) + $0.element }
    }

    /// Where a URL may be broken: after a part (`/`, `?`, `&`), else inside one (`=`, `-`).
    static let partEnds: Set<Character> = ["/", "?", "&"]
    static let partBreaks: Set<Character> = ["=", "-"]

    /// The first line's worth of a word wider than `width`: as many columns as fit, ended after
    /// the last URL separator that keeps at least two thirds of the line — the end of a part
    /// first (a query's `name=value` stays together), else a break inside one.
    static func longWordPiece(_ word: Substring, width: Int) -> Substring {
        var end = word.startIndex
        var used = 0
        var partEnd: String.Index?
        var partBreak: String.Index?
        while end < word.endIndex, used + TerminalText.width(of: word[end]) <= width {
            used += TerminalText.width(of: word[end])
            let character = word[end]
            end = word.index(after: end)
            guard used * 3 >= width * 2 else { continue }
            if partEnds.contains(character) { partEnd = end }
            if partBreaks.contains(character) { partBreak = end }
        }
        return word[..<(partEnd ?? partBreak ?? end)]
    }
}
