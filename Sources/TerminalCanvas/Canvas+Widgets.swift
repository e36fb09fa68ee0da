extension Canvas {
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
    @discardableResult
    public mutating func wrapped(_ text: String, x: Int, y: Int, width: Int, maxLines: Int, role: Role = .normal) -> Int {
        var lines: [String] = []
        var current = ""
        for word in TerminalText.sanitized(text).split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if TerminalText.width(candidate) > width && !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        for (index, line) in lines.prefix(maxLines).enumerated() {
            write(line, x: x, y: y + index, role: role, maxWidth: width)
        }
        return min(lines.count, maxLines)
    }
}
