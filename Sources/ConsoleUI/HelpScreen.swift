import CleoDomain
import TerminalCanvas

/// `?`: every key table, generated from the tables that handle the keys.
public enum HelpScreen {
    public struct State: Sendable, Equatable {
        public var scroll = 0
        public init() {}
    }

    static let keys: [KeyBinding] = [
        KeyBinding([.character("j"), .down], "scroll") { state in
            state.help.scroll += 1
            return []
        },
        KeyBinding([.character("k"), .up], "scroll", inHints: false) { state in
            state.help.scroll = max(0, state.help.scroll - 1)
            return []
        },
        KeyBinding([.escape, .character("?")], "back", goes: .back),
    ]

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        keys.handle(key, in: &state) ?? []
    }

    static var sections: [(String, [KeyBinding])] {
        [
            ("Everywhere (outside a text field)", AppState.globalKeys + [KeyBinding([.escape], "back / cancel") { _ in [] }]),
            ("Transactions", TransactionsScreen.keys),
            ("Filters (f)", FilterPanel.keys),
            ("Transaction detail", TransactionDetailScreen.keys),
            ("Config", ConfigScreen.keys),
            ("Events", EventsScreen.keys),
            ("Audit", AuditScreen.keys),
        ]
    }

    static func lines() -> [(String, Role)] {
        var out: [(String, Role)] = []
        for (title, bindings) in sections {
            out.append((title, .title))
            // Bindings that share a label (j and k "move") read as one line: keys, then what they do.
            var rows: [(keys: String, label: String)] = []
            for binding in bindings {
                if let index = rows.firstIndex(where: { $0.label == binding.label }) {
                    rows[index].keys += "/" + binding.keysLabel
                } else {
                    rows.append((binding.keysLabel, binding.label))
                }
            }
            for row in rows { out.append(("  " + TerminalText.padded(row.keys, to: 16) + row.label, .normal)) }
            out.append(("", .normal))
        }
        out.append(("In a text field every printable key is text; Enter, Esc, Ctrl-U, Backspace, arrows, Home/End (Ctrl-A/E) edit.", .muted))
        // The screens' words come from the route table, like their keys above.
        let screens = Routes.all.compactMap(\.commands.first).joined(separator: ", ")
        out.append((": palette — \(screens), q, status <s>[,<s>…], country <cc>, currency <ccy>,", .muted))
        out.append(("  method payin|payout, flagged, overdue, search <prefix>, clear, export <file.csv>,", .muted))
        out.append(("  cashier [payin|payout] [CL|PE|MX] (a test request: the form, its problems, y/n, the send)", .muted))
        return out
    }

    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect) {
        canvas.write(" Keys ", x: 0, y: area.y, role: .title)
        let all = lines()
        // Two columns when they fit.
        let half = (all.count + 1) / 2
        let twoColumns = canvas.size.width >= 100 && half <= area.height - 1
        if twoColumns {
            for (index, line) in all.enumerated() {
                let column = index < half ? 0 : 1
                let row = index < half ? index : index - half
                canvas.write(line.0, x: 1 + column * (canvas.size.width / 2), y: area.y + 1 + row, role: line.1, maxWidth: canvas.size.width / 2 - 2)
            }
            return
        }
        let scroll = min(state.help.scroll, max(0, all.count - (area.height - 1)))
        for (index, line) in all.dropFirst(scroll).prefix(area.height - 1).enumerated() {
            canvas.write(line.0, x: 1, y: area.y + 1 + index, role: line.1, maxWidth: canvas.size.width - 2)
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
            case "flagged": q.flaggedOnly.toggle()
            case "overdue":
                if !argument.isEmpty, Int(argument).map({ $0 <= 0 }) ?? true { return refuse("minutes, a whole number above 0") }
                q.overdueMinutes = q.overdueMinutes == nil ? (Int(argument) ?? TransactionsScreen.overdueMinutes) : nil
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
