import CNcursesw
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// The ncursesw backend: the only code that talks to the terminal. It writes only the runs that
/// changed since the last frame (one `doupdate` per frame), maps roles to colour pairs (or to
/// bold/reverse/underline under `NO_COLOR` and on monochrome terminals), decodes keys, and
/// restores the terminal on every exit path.
public final class CursesTerminal: TerminalDevice {
    private let window: UnsafeMutablePointer<WINDOW>
    private var previous: Canvas?
    private var attributes: [Role: (attr_t, Int16)] = [:]
    /// A non-UTF-8 locale: every non-ASCII glyph is drawn as an ASCII stand-in.
    public let asciiOnly: Bool
    private var decoder = InputDecoder()
    private var cursorShown = false
    /// Key codes we define for the bracketed-paste markers (beyond ncurses' own).
    static let pasteStartCode = KEY_MAX + 1
    static let pasteEndCode = KEY_MAX + 2

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        asciiOnly = codeset.uppercased().replacingOccurrences(of: "-", with: "") != "UTF8"
        TerminalRestore.install()
        window = initscr()
        TerminalRestore.cursesActive = true
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        curs_set(0)
        // Bracketed paste: the terminal wraps pasted text in ESC[200~ … ESC[201~, which ncurses
        // then reports as two key codes of ours; what is between is text, never keys.
        define_key("\u{1B}[200~", Self.pasteStartCode)
        define_key("\u{1B}[201~", Self.pasteEndCode)
        TerminalRestore.write("\u{1B}[?2004h")
        TerminalRestore.bracketedPaste = true
        let colour = has_colors() && environment["NO_COLOR"].map(\.isEmpty) ?? true
        if colour {
            start_color()
            use_default_colors()
        }
        attributes = Self.palette(colour: colour)
    }

    /// Roles to attributes: colour pairs when allowed, else bold/reverse/underline only, so every
    /// state stays readable without colour.
    static func palette(colour: Bool) -> [Role: (attr_t, Int16)] {
        let bold = cn_a_bold(), reverse = cn_a_reverse(), underline = cn_a_underline(), dim = cn_a_dim()
        if !colour {
            return [
                .normal: (0, 0), .muted: (dim, 0), .title: (reverse, 0), .header: (underline, 0), .selected: (reverse | bold, 0),
                .accent: (bold, 0), .keyHint: (reverse, 0), .statusPending: (0, 0), .statusApproved: (bold, 0),
                .statusDeclined: (bold | underline, 0), .flag: (bold, 0), .overdue: (underline, 0), .changed: (bold, 0),
                .warning: (bold | underline, 0), .danger: (reverse | bold, 0), .error: (bold | underline, 0),
                .production: (reverse | bold | underline, 0), .success: (bold, 0),
            ]
        }
        let colours: [(Role, Int32, Int32, attr_t)] = [
            (.normal, -1, -1, 0), (.muted, 8, -1, 0), (.title, Int32(COLOR_WHITE), Int32(COLOR_BLUE), bold),
            (.header, Int32(COLOR_CYAN), -1, bold | underline), (.selected, Int32(COLOR_BLACK), Int32(COLOR_CYAN), 0),
            (.accent, Int32(COLOR_CYAN), -1, bold), (.keyHint, Int32(COLOR_BLACK), Int32(COLOR_WHITE), 0),
            (.statusPending, Int32(COLOR_YELLOW), -1, 0), (.statusApproved, Int32(COLOR_GREEN), -1, bold),
            (.statusDeclined, Int32(COLOR_RED), -1, bold), (.flag, Int32(COLOR_MAGENTA), -1, bold),
            (.overdue, Int32(COLOR_YELLOW), -1, bold | underline), (.changed, Int32(COLOR_CYAN), -1, bold),
            (.warning, Int32(COLOR_YELLOW), -1, bold), (.danger, Int32(COLOR_WHITE), Int32(COLOR_RED), bold),
            (.error, Int32(COLOR_RED), -1, bold), (.production, Int32(COLOR_WHITE), Int32(COLOR_RED), bold | underline),
            (.success, Int32(COLOR_GREEN), -1, 0),
        ]
        var map: [Role: (attr_t, Int16)] = [:]
        for (index, (role, fg, bg, extra)) in colours.enumerated() {
            let pair = Int16(index + 1)
            let foreground = fg == 8 && cn_colors() < 16 ? Int16(COLOR_WHITE) : Int16(fg)
            init_pair(pair, foreground, Int16(bg))
            map[role] = (extra | (fg == 8 && cn_colors() < 16 ? dim : 0), pair)
        }
        return map
    }

    public var size: Size {
        var rows: Int32 = 0
        var columns: Int32 = 0
        cn_getmaxyx(window, &rows, &columns)
        return Size(width: Int(columns), height: Int(rows))
    }

    /// Draws a frame: only the changed runs, then one `doupdate`.
    public func draw(_ frame: Canvas) {
        let canvas = asciiOnly ? frame.asciiFallback() : frame
        if previous?.size != canvas.size { previous = nil; werase(window) }
        for run in canvas.changes(since: previous) {
            let (attrs, pair) = attributes[run.role] ?? (0, 0)
            wattr_set(window, attrs, pair, nil)
            let wide = run.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            // The bottom-right cell makes ncurses report ERR (it cannot scroll); the cell is drawn anyway.
            _ = mvwaddnwstr(window, Int32(run.y), Int32(run.x), wide, Int32(wide.count))
        }
        wattr_set(window, 0, 0, nil)
        // The caret of the field with the focus, else no cursor at all.
        if let cursor = frame.cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < canvas.size.width, cursor.y < canvas.size.height {
            wmove(window, Int32(cursor.y), Int32(cursor.x))
            if !cursorShown { curs_set(1); cursorShown = true }
        } else if cursorShown {
            curs_set(0)
            cursorShown = false
        }
        wnoutrefresh(window)
        doupdate()
        previous = canvas
    }

    /// Forgets what is on screen: the next frame repaints everything (Ctrl-L, resize).
    public func invalidate() {
        previous = nil
        clearok(window, true)
    }

    public var inputDescriptor: Int32 { STDIN_FILENO }

    public func hasHungUp(revents: Int16) -> Bool { revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 }

    /// Reads every key waiting (non-blocking).
    public func readInput() -> [TerminalInput] {
        var raw: [InputDecoder.Raw] = []
        while true {
            var value: wint_t = 0
            let result = wget_wch(window, &value)
            if result == ERR {
                // Inside a paste the rest may still be on its way (a slow SSH link): wait for
                // it, up to a second of silence, after which the paste ends where it is.
                if decoder.isPasting {
                    var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                    if poll(&fds, 1, 1000) > 0 { continue }
                    raw.append(.quiet)
                }
                break
            }
            if result == cn_key_code_yes() {
                switch Int32(value) {
                case cn_key_resize(): raw.append(.resize)
                case Self.pasteStartCode: raw.append(.pasteStarted)
                case Self.pasteEndCode: raw.append(.pasteEnded)
                default: if let key = Self.functionKey(Int32(value)) { raw.append(.key(key)) }
                }
                continue
            }
            raw.append(.scalar(UInt32(value)))
        }
        return decoder.decode(raw)
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_NPAGE: .pageDown
        case KEY_PPAGE: .pageUp
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_ENTER: .enter
        default: nil
        }
    }

    /// OSC 52: the terminal (even over SSH) puts `text` on the clipboard. Never built from
    /// untrusted bytes other than an id, and the id is base64-encoded.
    public func copyToClipboard(_ text: String) {
        let sequence = "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
        _ = sequence.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    }

    public func shutdown() {
        // The last frame is cleared: a terminal without an alternate screen (vt100) would
        // otherwise keep it, data and all, under the shell prompt.
        werase(window)
        wnoutrefresh(window)
        doupdate()
        TerminalRestore.write("\u{1B}[?2004l")
        TerminalRestore.bracketedPaste = false
        endwin()
        TerminalRestore.cursesActive = false
    }
}

/// Restores the terminal on every exit path: quit, Ctrl-C, SIGTERM and a crash (SIGSEGV,
/// SIGILL from a Swift trap, SIGABRT) — the terminal is never left in raw mode.
enum TerminalRestore {
    nonisolated(unsafe) static var cursesActive = false
    nonisolated(unsafe) static var installed = false
    nonisolated(unsafe) static var bracketedPaste = false

    static func write(_ sequence: String) {
        _ = sequence.withCString { Glibc.write(STDOUT_FILENO, $0, strlen($0)) }
    }

    static func install() {
        guard !installed else { return }
        installed = true
        for signal in [SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGTRAP] {
            Glibc.signal(signal) { number in
                if TerminalRestore.cursesActive { endwin() }
                // Leave the alternate screen and show the cursor even if endwin could not.
                let reset = "\u{1B}[?2004l\u{1B}[?1049l\u{1B}[?25h\u{1B}[0m\r\n"
                _ = reset.withCString { Glibc.write(STDOUT_FILENO, $0, strlen($0)) }
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
