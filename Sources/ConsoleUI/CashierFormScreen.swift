import CleoDomain
import TerminalCanvas

/// `:cashier` (cashier.md): a Pay-In or Pay-Out request as a form — every field of the provider
/// page's table, starting from the country's realistic template, each field's problems beside it
/// as you type (the domain's validation), the regional key the country selects, then one
/// question naming the environment (production wants the word typed, as the CLI) and the send.
public enum CashierFormScreen {
    public struct State: Sendable, Equatable {
        public var isOpen = false
        public var method = PaymentMethod.payIn
        public var region = Region.chile
        /// Each row's text as typed; an empty text leaves the field out of the body.
        public var values: [String: String] = [:]
        public var selected = 0
        public var editor: TextField?
        /// The final question: y/n (sandbox), or the word typed (production).
        public var confirming = false
        public var typedConfirmation: TextField?
        /// Sent, not answered yet.
        public var sending = false
        /// The platform's answer in words (sanitised), shown whole over the form.
        public var answer: [String]?
        public var answerIsError = false
        public var answerScroll = 0
        public init() {}
    }

    /// The rows: the provider page's table in its order, the address expanded into its fields.
    public static let rows: [String] = CashierRequest.fields.flatMap { field in
        field.name == "address" ? CashierRequest.addressFields.map { "address." + $0.name } : [field.name]
    }

    /// Rows chosen with Space/Enter rather than typed.
    static let selectors: Set<String> = ["type", "countryCode"]

    static let productionWord = "production"

    // MARK: - Opening

    /// `:cashier [payin|payout] [CL|PE|MX]`.
    static func open(_ argument: String, in state: inout AppState) -> [Effect] {
        var method = PaymentMethod.payIn
        var region = Region.chile
        for word in argument.split(separator: " ").map(String.init) {
            if let m = PaymentMethod(shortName: word) { method = m; continue }
            if let r = Region(countryCode: word.uppercased()) { region = r; continue }
            state.say(":cashier \(TerminalText.sanitized(argument))? — try :cashier, :cashier payout, :cashier payin PE", error: true, seconds: 6)
            return []
        }
        var form = State()
        form.isOpen = true
        form.method = method
        form.region = region
        form.values = values(of: CashierBody.template(region, method: method))
        state.cashier = form
        // The key beside the country comes from the stored configuration.
        return [.loadConfig]
    }

    /// The template's values as the rows' texts.
    static func values(of body: JSONObject) -> [String: String] {
        var out: [String: String] = [:]
        func text(_ value: JSONValue) -> String? {
            switch value {
            case .string(let s): s
            case .number(let n): n
            case .bool(let b): b ? "true" : "false"
            default: nil
            }
        }
        for (key, value) in body.members {
            if case .object(let address) = value, key == "address" {
                for (inner, v) in address.members { out["address." + inner] = text(v) }
            } else {
                out[key] = text(value)
            }
        }
        return out
    }

    // MARK: - The body and its problems (pure, on every frame: live as you type)

    /// The rows' texts with the open editor's text in place of its row's.
    static func liveValues(_ form: State) -> [String: String] {
        var values = form.values
        if let editor = form.editor { values[rows[form.selected]] = editor.text }
        return values
    }

    /// The JSON body from the texts: a number or boolean row that reads as one is sent as one,
    /// anything else as a string (so the validator names the wrong type); empty rows are left out.
    static func body(_ values: [String: String]) -> JSONObject {
        var object = JSONObject()
        var address = JSONObject()
        for field in CashierRequest.fields {
            if field.name == "address" {
                for inner in CashierRequest.addressFields {
                    if let text = values["address." + inner.name], !text.isEmpty { address.members.append((inner.name, .string(text))) }
                }
                object.members.append(("address", .object(address)))
                continue
            }
            guard let text = values[field.name], !text.isEmpty else { continue }
            object.members.append((field.name, typed(text, field.kind)))
        }
        return object
    }

    static func typed(_ text: String, _ kind: CashierRequest.FieldKind) -> JSONValue {
        switch kind {
        case .number:
            if case .number(let literal)? = try? StrictJSONParser.parse(Array(text.utf8)) { return .number(literal) }
            return .string(text)
        case .boolean:
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            return .string(text)
        case .string, .object:
            return .string(text)
        }
    }

    static func today(_ state: AppState) -> String {
        String(RFC3339.format(state.now, offsetSeconds: state.session.offsetSeconds).prefix(10))
    }

    /// Every problem, the regional key's absence among them (cashier.md: "not set" is a problem).
    static func validation(_ state: AppState) -> CashierRequestValidation {
        let form = state.cashier
        var result = CashierRequest.validate(body(liveValues(form)), today: today(state), expected: form.method)
        if let region = result.region, state.config.isLoaded, state.config.stored.secrets[region.apiKeyField] == nil {
            result.problems.append(RequestProblem(field: "countryCode",
                                                  rule: "selects \(region.apiKeyField.rawValue), which is not set (2 Config: Enter sets it, w writes it)"))
        }
        return result
    }

    // MARK: - Keys

    static func reduce(_ key: Key, in state: inout AppState) -> [Effect] {
        if state.cashier.answer != nil {
            // No further than the drawn answer scrolls: a j past its end would make k look dead.
            let limit = answerLayout(state, in: state.frame.body).maxScroll
            switch key {
            case .character("j"), .down:
                state.cashier.answerScroll = scrolled(state.cashier.answerScroll, by: 1, limit: limit)
            case .character("k"), .up:
                state.cashier.answerScroll = scrolled(state.cashier.answerScroll, by: -1, limit: limit)
            case .escape:
                state.cashier = State()
            default:
                // Back to the form, its values kept for another try.
                state.cashier.answer = nil
                state.cashier.answerScroll = 0
            }
            return []
        }
        if var field = state.cashier.typedConfirmation {
            switch field.handle(key) {
            case .editing:
                state.cashier.typedConfirmation = field
                return []
            case .cancelled:
                state.cashier.typedConfirmation = nil
                state.say("not sent: not confirmed")
                return []
            case .submitted:
                state.cashier.typedConfirmation = nil
                guard field.text.utf8.elementsEqual(productionWord.utf8) else {
                    state.say("not sent: not confirmed (type \(productionWord) exactly)", error: true, seconds: 6)
                    return []
                }
                return send(&state)
            }
        }
        if state.cashier.confirming {
            state.cashier.confirming = false
            guard key == .character("y") else {
                state.say("not sent: cancelled; the form is kept (Esc closes it)")
                return []
            }
            return send(&state)
        }
        if var field = state.cashier.editor {
            switch field.handle(key) {
            case .editing:
                state.cashier.editor = field
            case .cancelled:
                state.cashier.editor = nil
            case .submitted:
                state.cashier.values[rows[state.cashier.selected]] = field.text
                state.cashier.editor = nil
            }
            return []
        }
        let row = rows[state.cashier.selected]
        switch key {
        case .character("j"), .down: state.cashier.selected = stepped(state.cashier.selected, by: 1, count: rows.count)
        case .character("k"), .up: state.cashier.selected = stepped(state.cashier.selected, by: -1, count: rows.count)
        case .character("g"), .home: state.cashier.selected = 0
        case .character("G"), .end: state.cashier.selected = rows.count - 1
        case .pageDown, .ctrl("f"): state.cashier.selected = stepped(state.cashier.selected, by: 10, count: rows.count)
        case .pageUp, .ctrl("b"): state.cashier.selected = stepped(state.cashier.selected, by: -10, count: rows.count)
        case .enter where selectors.contains(row), .character(" ") where selectors.contains(row):
            cycle(row, &state)
        case .enter:
            state.cashier.editor = TextField(text: state.cashier.values[row] ?? "")
        case .character(" "):
            state.say("Space chooses type and countryCode; Enter edits \(row)")
        case .character("s"): return askToSend(&state)
        case .escape:
            // Cancel keeps nothing.
            state.cashier = State()
            state.say("cashier form closed: nothing sent, nothing kept")
        default:
            state.say("in the cashier form: j/k move · Enter edits · s sends (asks first) · Esc closes", seconds: 5)
        }
        return []
    }

    /// `type` toggles Pay-In/Pay-Out; `countryCode` goes CL → PE → MX and starts the fields over
    /// from that country's template (currency, phone and address must match it).
    static func cycle(_ row: String, _ state: inout AppState) {
        if row == "type" {
            state.cashier.method = state.cashier.method == .payIn ? .payOut : .payIn
            state.cashier.values["type"] = state.cashier.method.shortName
            return
        }
        let all = Region.allCases
        let next = all[(all.firstIndex(of: state.cashier.region)! + 1) % all.count]
        state.cashier.region = next
        state.cashier.values = values(of: CashierBody.template(next, method: state.cashier.method))
        state.say("country \(next.countryCode): the fields start again from the \(next.countryCode) template")
    }

    static func askToSend(_ state: inout AppState) -> [Effect] {
        if state.cashier.sending {
            state.say("the request is still waiting for the platform's answer", error: true)
            return []
        }
        let check = validation(state)
        guard check.isValid, check.region != nil else {
            state.say("not sent: \(check.problems.count) problem\(check.problems.count == 1 ? "" : "s") (beside their fields)", error: true, seconds: 6)
            return []
        }
        guard state.session.hasCompanyToken else {
            state.say("no company token: start the console with CLEO_CONSOLE_TOKEN_FILE=FILE (a file holding the token; never on the command line); nothing sent",
                      error: true, seconds: 12)
            return []
        }
        if let reason = state.session.sendRefusal {
            state.say(reason, error: true, seconds: 8)
            return []
        }
        if state.session.isProduction {
            state.cashier.typedConfirmation = TextField()
        } else {
            state.cashier.confirming = true
        }
        return []
    }

    static func send(_ state: inout AppState) -> [Effect] {
        let check = validation(state)
        guard check.isValid, let region = check.region else { return askToSend(&state) }
        let object = body(state.cashier.values)
        var userID = ""
        if case .string(let id)? = object["userId"] { userID = id }
        state.cashier.sending = true
        state.say("sending the \(state.cashier.method.displayName) to the platform…", seconds: 3600)
        return [.sendCashier(CashierFormRequest(method: state.cashier.method, region: region, body: CashierBody.render(.object(object)),
                                                userID: userID, amount: check.amount?.literal ?? ""))]
    }

    /// The answer in the command line's words, whole.
    static func sent(_ result: CashierFormResult, in state: inout AppState) -> [Effect] {
        state.cashier.sending = false
        state.flash = nil
        var lines: [String]
        switch result {
        case .notSent(let why):
            lines = ["not sent: " + why]
            state.cashier.answerIsError = true
        case .answered(let outcome, let listed, let recordError):
            lines = outcome.lines
            if listed, let id = outcome.transactionID { lines.append("listed as Pending (origin: cashier): \(id) — Esc closes the form, 1 shows the list") }
            if let recordError { lines.append("not recorded in the history: \(recordError)") }
            state.cashier.answerIsError = outcome.result != .created || recordError != nil
        }
        guard state.cashier.isOpen else {
            state.say(TerminalText.sanitized(lines.joined(separator: " · ")), error: state.cashier.answerIsError, seconds: 15)
            return []
        }
        state.cashier.answer = lines.map(TerminalText.sanitized)
        state.cashier.answerScroll = 0
        return []
    }

    /// The send question's answers, read by its dialog and the hints alike.
    static let sendAnswers = Answers(yes: "send")

    /// The answer box's keys, read by the box and the hints alike: j/k scroll it (never back to
    /// the form), Esc closes the form, every other key goes back to it.
    static let answerKeys: [(keys: String, label: String)] = [("j/k", "scroll"), ("other keys", "back to the form"), ("Esc", "close")]

    static func hints(_ form: State) -> [(keys: String, label: String)] {
        if form.answer != nil { return answerKeys }
        if form.typedConfirmation != nil { return [("Enter", "send if typed"), ("Esc", "cancel")] }
        if form.editor != nil { return [("Enter", "accept"), ("Esc", "cancel"), ("Ctrl-U", "erase")] }
        return [("j/k", "field"), ("Enter", "edit"), ("Space", "type/country"), ("s", "send"), ("Esc", "close")]
    }
}
