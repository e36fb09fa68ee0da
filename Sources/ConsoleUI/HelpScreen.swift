import CleoDomain
import TerminalCanvas

/// `?`: every key table, generated from the tables that handle the keys.
public enum HelpScreen {
    public struct State: Sendable, Equatable {
        public var scroll = 0
        public init() {}
    }

    static let keys: [KeyBinding] = [
        // Scrolling stops where the last line is in view: no presses lost past the end.
        KeyBinding([.character("j"), .down], "scroll") { state in
            state.help.scroll = scrolled(state.help.scroll, by: 1, limit: maxScroll(state))
            return []
        },
        KeyBinding([.character("k"), .up], "scroll", inHints: false) { state in
            state.help.scroll = scrolled(state.help.scroll, by: -1, limit: maxScroll(state))
            return []
        },
        KeyBinding([.escape, .character("?")], "back", goes: .back),
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        keys.handle(key, in: &state) ?? []
    }

    /// Each screen's keys, and a note under them (the row marks in words, also when the
    /// summary line has no room for its legend).
    static var sections: [(String, [KeyBinding], note: String?)] {
        [
            ("Everywhere (outside a text field)", AppState.globalKeys + [KeyBinding([.escape], "back / cancel") { _ in [] }], nil),
            ("Transactions", TransactionsScreen.keys, TransactionsScreen.markLegend),
            ("Filters (f)", FilterPanel.keys, nil),
            ("Transaction detail", TransactionDetailScreen.keys, nil),
            ("Config", ConfigScreen.keys, nil),
            ("Events", EventsScreen.keys, nil),
            ("Raw view (detail r, Events Enter) and an audit entry whole (Audit Enter)", RawView.keys, nil),
            ("Audit", AuditScreen.keys, nil),
        ]
    }

    /// A help line: `label` (a binding's keys, padded to one column) then `text`, which wraps
    /// under itself; titles and notes have no label (a note's further lines are indented).
    struct Line {
        var label = ""
        var text: String
        var role: Role
    }

    static func lines() -> [Line] {
        var out: [Line] = []
        for (title, bindings, note) in sections {
            out.append(Line(text: title, role: .title))
            // Bindings that share a label (j and k "move") read as one line: keys, then what they do.
            var rows: [(keys: String, label: String)] = []
            for binding in bindings {
                if let index = rows.firstIndex(where: { $0.label == binding.label }) {
                    rows[index].keys += "/" + binding.keysLabel
                } else {
                    rows.append((binding.keysLabel, binding.label))
                }
            }
            for row in rows { out.append(Line(label: "  " + TerminalText.padded(row.keys, to: 16), text: row.label, role: .normal)) }
            if let note { out.append(Line(text: note, role: .muted)) }
            out.append(Line(text: "", role: .normal))
        }
        out.append(Line(text: "In a text field every printable key is text; Enter, Esc, Ctrl-U, Backspace, arrows, Home/End (Ctrl-A/E) edit.", role: .muted))
        // The screens' words come from the route table, like their keys above.
        let screens = Routes.all.compactMap(\.commands.first).joined(separator: ", ")
        out.append(Line(text: ": palette — \(screens), q, status <s>[,<s>…], country <cc>, currency <ccy>, "
            + "method payin|payout, flagged [on|off], overdue [<minutes>|off], search <prefix>, clear, export <file.csv>, "
            + "cashier [payin|payout] [CL|PE|MX] (a test request: the form, its problems, y/n, the send)", role: .muted))
        return out
    }

    /// Every line wrapped to `width`: nothing on help is cut at the edge.
    static func wrapped(width: Int) -> [(String, Role)] {
        lines().flatMap { line -> [(String, Role)] in
            if line.label.isEmpty, line.role == .muted {
                // A note's further lines indented under its first.
                return TerminalText.wrap(line.text, width: width - 2).enumerated().map { ($0.offset == 0 ? $0.element : "  " + $0.element, line.role) }
            }
            return TerminalText.wrap(line.text, width: width, label: line.label).map { ($0, line.role) }
        }
    }

    /// The body's columns: two side by side when the terminal is wide enough and every line fits
    /// in them without scrolling, else one.
    static func columns(in area: Rect) -> [(rect: Rect, lines: [(String, Role)])] {
        let body = Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 1)
        if area.width >= 100 {
            let split = Layout.horizontal(body, [.fill, .length(2), .fill])
            let all = wrapped(width: split[0].width)
            let half = (all.count + 1) / 2
            if half <= body.height {
                return [(split[0], Array(all.prefix(half))), (split[2], Array(all.dropFirst(half)))]
            }
        }
        return [(body, wrapped(width: body.width))]
    }

    static func maxScroll(_ state: AppState) -> Int {
        let shown = columns(in: state.frame.body)
        guard shown.count == 1, let only = shown.first else { return 0 }
        return max(0, only.lines.count - only.rect.height)
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        canvas.write(" Keys ", x: area.x, y: area.y, role: .title)
        let shown = columns(in: area)
        let scroll = shown.count == 1 ? min(state.help.scroll, max(0, shown[0].lines.count - shown[0].rect.height)) : 0
        for (rect, lines) in shown {
            for (index, line) in lines.dropFirst(scroll).prefix(rect.height).enumerated() {
                canvas.write(line.0, x: rect.x, y: rect.y + index, role: line.1, maxWidth: rect.width)
            }
        }
    }
}

/// `:` — screens and filters by name.
enum Palette {
    static func run(_ text: String, in state: inout AppState) -> [Effect] {
        let words = text.split(separator: " ").map(String.init)
        guard let command = words.first?.lowercased() else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        // The screens by the route table's words (or their keys: `:3`).
        if let route = Routes.route(command: command) { return state.navigate(route.navigation) }
        switch command {
        case "q", "quit": return state.quit()
        case "cashier": return CashierFormScreen.open(argument, in: &state)
        case "export": return TransactionsScreen.export(String(text.drop { $0 == " " }.dropFirst(command.count)), in: &state)
        case "status", "country", "currency", "method", "flagged", "overdue", "search", "clear":
            var q = state.transactions.query
            // An argument that names nothing is an error, never a silent change of the filters.
            func refuse(_ hint: String) -> [Effect] {
                state.say(":\(command) \(argument)? — \(hint)", error: true)
                return []
            }
            switch command {
            case "status":
                if argument.isEmpty { q.statuses = [] } else {
                    switch TransactionQuery.parseStatuses(argument) {
                    case .success(let statuses): q.statuses = statuses.count == TransactionStatus.allCases.count ? [] : statuses
                    case .failure(let unknown):
                        return refuse("\(TerminalText.sanitized(unknown.word)) is not a status: try Pending, Approved, Declined, several with commas (no argument: any)")
                    }
                }
            case "country":
                if argument.isEmpty { q.region = nil } else {
                    guard let region = Region(countryCode: argument.uppercased()) else { return refuse("try CL, PE, MX (no argument: any)") }
                    q.region = region
                }
            case "currency":
                if argument.isEmpty { q.currency = nil } else {
                    guard let currency = Currency(code: argument.uppercased()) else { return refuse("try CLP, PEN, MXN (no argument: any)") }
                    q.currency = currency
                }
            case "method":
                if argument.isEmpty { q.method = nil } else {
                    guard let method = PaymentMethod(shortName: argument) else { return refuse("try payin, payout (no argument: any)") }
                    q.method = method
                }
            case "flagged":
                switch argument.lowercased() {
                case "": q.flaggedOnly.toggle()
                case "on": q.flaggedOnly = true
                case "off": q.flaggedOnly = false
                default: return refuse("try on, off (no argument: switches)")
                }
            case "overdue":
                // Minutes set the filter (on); none switches it. A year at most: the cutoff is
                // computed in milliseconds and must not overflow.
                switch argument.lowercased() {
                case "": q.overdueMinutes = q.overdueMinutes == nil ? TransactionsScreen.overdueMinutes : nil
                case "off": q.overdueMinutes = nil
                default:
                    guard argument.allSatisfy(\.isASCII), let minutes = Int(argument), (1...525_600).contains(minutes) else {
                        return refuse("minutes from 1 to 525600, or off (no argument: switches at \(TransactionsScreen.overdueMinutes))")
                    }
                    q.overdueMinutes = minutes
                }
            case "search": q.search = TransactionsScreen.searchTerm(argument)
            default:
                if !argument.isEmpty { return refuse(":clear takes no argument") }
                q = TransactionQuery()
            }
            state.transactions.query = q
            state.screen = .transactions
            return FilterPanel.reload(&state)
        default:
            state.say("unknown command :\(command) (? lists the keys and commands)", error: true)
            return []
        }
    }
}
