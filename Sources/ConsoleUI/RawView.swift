import TerminalCanvas

/// A raw line (or a refusal's kept body) over the screen: the entry's fields whole, then the
/// bytes — text as it is in them, every byte that is not text a highlighted escape — scrolled by
/// the view's own keys (the detail's and the Events screen's).
enum RawView {
    /// What an open raw view shows.
    struct Content {
        var title: String
        /// What the frame calls the view: "Raw" for a line's bytes.
        var kind = "Raw"
        /// The entry's fields, each whole (wrapped under its label): the message a list row cuts.
        var fields: [(label: String, value: String)] = []
        var bytes: [UInt8]
        /// Said instead of the legend and the bytes when there are none to show (a refusal
        /// whose body serve did not keep): the fields are still read whole here.
        var noBytes: String? = nil
    }

    /// A drawn line: its runs of text and role.
    typealias Line = [(text: String, role: Role)]

    /// How the bytes are shown, said above them: a backslash is the log's own (copied JSON is
    /// the logged JSON); only a highlighted escape stands for a byte that is not text.
    static let legend = "Bytes as they are, except the highlighted escapes: a control byte (\\x1B, \\n, \\t), "
        + "a byte that is not UTF-8 (\\xFF) or an invisible character (\\u{202E})."

    /// The role of an escape: marked, so a logged `\n` (two characters) never reads as a newline byte.
    static let escapeRole = Role.warning

    /// The keys of the open raw view; the global keys still answer (they close it and do what
    /// they say). Its scroll stops at the last line, so the first key back moves the view.
    static let keys: [KeyBinding] = [
        KeyBinding([.escape, .character("r"), .enter], "close") { state in
            switch state.screen {
            case .detail:
                state.detail.showingRaw = false
                state.detail.rawScroll = 0
            case .events:
                state.events.showingRaw = false
                state.events.rawScroll = 0
            case .audit:
                state.audit.showingEntry = false
                state.audit.entryScroll = 0
            default: break
            }
            return []
        },
        KeyBinding([.character("j"), .down], "scroll") { scroll(&$0, by: 1) },
        KeyBinding([.character("k"), .up], "scroll", inHints: false) { scroll(&$0, by: -1) },
        KeyBinding([.pageDown], "page") { scroll(&$0, by: page($0)) },
        KeyBinding([.pageUp], "page up", inHints: false) { scroll(&$0, by: -page($0)) },
        KeyBinding([.ctrl("d")], "half page", inHints: false) { scroll(&$0, by: max(1, page($0) / 2)) },
        KeyBinding([.ctrl("u")], "half page up", inHints: false) { scroll(&$0, by: -max(1, page($0) / 2)) },
        KeyBinding([.character("g"), .home], "top", inHints: false) { scroll(&$0, to: 0) },
        KeyBinding([.character("G"), .end], "end") { scroll(&$0, to: Int.max) },
    ]

    /// The open view's content on the active screen, or nil.
    static func content(_ state: AppState) -> Content? {
        switch state.screen {
        case .detail: TransactionDetailScreen.rawContent(state)
        case .events: EventsScreen.rawContent(state)
        case .audit: AuditScreen.rawContent(state)
        default: nil
        }
    }

    /// The active screen's scroll offset: each screen keeps its own.
    static func offset(_ screen: ScreenID) -> WritableKeyPath<AppState, Int>? {
        switch screen {
        case .detail: \.detail.rawScroll
        case .events: \.events.rawScroll
        case .audit: \.audit.entryScroll
        default: nil
        }
    }

    /// The last offset that still fills the view drawn over `area`.
    static func maxScroll(_ content: Content, area: Rect) -> Int {
        let text = textArea(area)
        return max(0, lines(content, width: text.width).count - text.height)
    }

    static func page(_ state: AppState) -> Int { max(1, textArea(state.frame.body).height - 1) }

    static func scroll(_ state: inout AppState, by delta: Int) -> [Effect] {
        guard let path = offset(state.screen), let content = content(state) else { return [] }
        state[keyPath: path] = scrolled(state[keyPath: path], by: delta, limit: maxScroll(content, area: state.frame.body))
        return []
    }

    static func scroll(_ state: inout AppState, to target: Int) -> [Effect] {
        guard let path = offset(state.screen), let content = content(state) else { return [] }
        state[keyPath: path] = max(0, min(target, maxScroll(content, area: state.frame.body)))
        return []
    }

    /// Where the text goes in the view drawn over `area` (inside its frame, a column of margin).
    static func textArea(_ area: Rect) -> Rect {
        Rect(x: area.x + 3, y: area.y + 2, width: max(0, area.width - 6), height: max(0, area.height - 4))
    }

    /// The fields (label, value wrapped under it), the legend, then the bytes: wrapped by
    /// columns, an escape never split, a newline byte's `\n` ending its line.
    static func lines(_ content: Content, width: Int) -> [Line] {
        guard width > 0 else { return [] }
        var lines: [Line] = []
        let labelWidth = (content.fields.map { TerminalText.width($0.label) }.max() ?? 0) + 2
        for field in content.fields {
            let label = TerminalText.padded(field.label, to: labelWidth)
            for (index, text) in TerminalText.wrap(field.value, width: width, label: label).enumerated() {
                let cut = text.index(text.startIndex, offsetBy: min(text.count, index == 0 ? label.count : 0))
                lines.append([(String(text[..<cut]), .muted), (String(text[cut...]), .normal)])
            }
        }
        if let noBytes = content.noBytes {
            return lines + TerminalText.wrap(noBytes, width: width).map { [($0, .muted)] }
        }
        lines += TerminalText.wrap(legend, width: width).map { [($0, .muted)] }
        // The text piece being laid out is gathered in `run` and added to the line whole (a
        // 64 KiB body is drawn on every frame and measured on every key).
        var current: Line = []
        var run = ""
        var used = 0
        func flush() {
            guard !run.isEmpty else { return }
            current.append((run, .normal))
            run = ""
        }
        func breakLine() {
            flush()
            lines.append(current)
            current = []
            used = 0
        }
        for piece in TerminalText.rawPieces(content.bytes) {
            if piece.isEscape {
                let w = piece.text.utf8.count  // escapes are ASCII
                if used > 0, used + w > width { breakLine() }
                flush()
                if let last = current.last, last.role == escapeRole { current[current.count - 1].text += piece.text } else { current.append((piece.text, escapeRole)) }
                used += w
                if piece.text == "\\n" { breakLine() }
                continue
            }
            for character in piece.text {
                let w = character.isASCII ? 1 : TerminalText.width(of: character)
                if used > 0, used + w > width { breakLine() }
                run.append(character)
                used += w
            }
            flush()
        }
        flush()
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    static func render(_ content: Content, scroll: Int, into canvas: inout Canvas, in area: Rect) {
        // The row under the frame is cleared too: the screen's last row there would read as the view's.
        canvas.fill(x: area.x, y: area.bottom - 1, width: area.width, role: .normal)
        canvas.overlay(Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2),
                       title: " \(content.kind): \(content.title) (Esc closes) ", role: .accent)
        let text = textArea(area)
        let lines = lines(content, width: text.width)
        let top = max(0, min(scroll, lines.count - text.height))
        for (index, line) in lines.dropFirst(top).prefix(text.height).enumerated() {
            var x = text.x
            for run in line { x += canvas.write(run.text, x: x, y: text.y + index, role: run.role, maxWidth: text.right - x) }
        }
        // Where the view is, on its bottom edge, when there is more than it shows.
        if lines.count > text.height {
            let last = min(lines.count, top + text.height)
            let more = last < lines.count ? "▼ \(TransactionsScreen.grouped(lines.count - last)) more · " : ""
            canvas.write(" lines \(top + 1)–\(last) of \(TransactionsScreen.grouped(lines.count)) · \(more)j/k PgDn G ",
                         x: text.x, y: area.bottom - 2, role: .muted, maxWidth: text.width)
        }
    }
}
