import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// `:cashier` (cashier.md): the form starts valid from the country's template, every field's
/// problem shows beside it as it is typed, a final y/n (production: the word typed) before the
/// send effect, the answer whole; Esc keeps nothing.
@Suite struct CashierFormReducerTests {
    func form(environment: String = "sandbox", token: Bool = true, size: Size = Size(width: 80, height: 24), command: String = "cashier") -> AppState {
        var state = Fixture.state(size: size, environment: environment)
        state.session.hasCompanyToken = token
        _ = state.reduce(.key(.character(":")))
        for c in command { _ = state.reduce(.key(.character(c))) }
        #expect(state.reduce(.key(.enter)) == [.loadConfig])
        #expect(state.cashier.isOpen)
        return state
    }

    func select(_ row: String, in state: inout AppState) {
        state.cashier.selected = CashierFormScreen.rows.firstIndex(of: row)!
    }

    /// Opens the row's editor, replaces its text, and returns the problems shown live before Enter.
    func type(_ text: String, into row: String, in state: inout AppState) -> [String] {
        select(row, in: &state)
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.ctrl("u")))
        for c in text { _ = state.reduce(.key(.character(c))) }
        let live = CashierFormScreen.validation(state).problems.filter { $0.field == row }.map(\.rule)
        _ = state.reduce(.key(.enter))
        return live
    }

    @Test func theFormStartsFromTheTemplateValidWithTheKeyMaskedAndEveryRowOfTheTable() {
        let state = form()
        #expect(CashierFormScreen.validation(state).isValid)
        #expect(CashierFormScreen.rows.count == 29)
        #expect(CashierFormScreen.rows.first == "pspType" && CashierFormScreen.rows.last == "address.country")
        let rows = state.render().rows
        #expect(rows[2].contains("Cashier Pay-In") && rows[2].contains("sandbox") && rows[2].contains("key chileApiKey ••••9f3a sha256:1a2b3c4d"), "\(rows[2])")
        #expect(rows.contains { $0.contains("✓ no problems: s sends (it asks first)") })
        assertScreen(state, "cashier-form")
    }

    @Test func everyFieldsProblemIsShownBesideItLiveAsYouType() {
        var state = form()
        let cases: [(String, String, String)] = [
            ("pspType", "STRIPE", "pspType"), ("baseamount", "10000.5", "baseamount"), ("baseamount", "abc", "baseamount"),
            ("currency", "USD", "currency"), ("userId", "", "userId"), ("email", "not-an-address", "email"),
            ("phone", "12", "phone"), ("dob", "2999-01-01", "dob"), ("dob", "1990-02-30", "dob"),
            ("kycVerified", "yes", "kycVerified"), ("transactionCount", "one", "transactionCount"), ("userBalance", "lots", "userBalance"),
            ("emailVerification", "x", "emailVerification"), ("verificationDate", "soon", "verificationDate"),
            ("address.line1", "", "address.line1"), ("address.country", "PE", "address.country"),
        ]
        for (row, text, field) in cases {
            var copy = state
            let live = type(text, into: row, in: &copy)
            #expect(!live.isEmpty, "\(row)=\(text): no problem while typing")
            let shown = CashierFormScreen.validation(copy).problems.filter { $0.field == field }
            #expect(!shown.isEmpty, "\(row)=\(text)")
            let screen = copy.render().rows.joined(separator: "\n")
            #expect(screen.contains("✗"), "\(row)")
            #expect(CashierFormScreen.reduce(.character("s"), in: &copy).isEmpty, "\(row): nothing sent with a problem")
            #expect(copy.flash?.text.hasPrefix("not sent:") == true)
        }
        // Two at once: both beside their fields, the count says so.
        _ = type("12", into: "phone", in: &state)
        _ = type("x", into: "email", in: &state)
        select("email", in: &state)
        let screen = state.render()
        #expect(screen.rows.contains { $0.contains("✗ 2 problems, each beside its field") })
        #expect(screen.rows.contains { $0.contains("phone *") && $0.contains("must have at least 6 digits") || $0.contains("phone *") && $0.contains("✗") })
        assertScreen(screen, "cashier-form-problems")
    }

    /// Every row of the table: emptied, a required field's problem is beside it (its row marked ✗
    /// on screen, the rule whole under the list); an optional one stays without a problem.
    @Test func everyRowEmptiedShowsItsOwnProblemBesideIt() {
        let state = form(size: Size(width: 120, height: 40))
        let optional: Set<String> = ["brandId", "bonusCode", "address.line2"]
        for row in CashierFormScreen.rows where !CashierFormScreen.selectors.contains(row) {
            var copy = state
            _ = type("", into: row, in: &copy)
            let problems = CashierFormScreen.validation(copy).problems.filter { $0.field == row }
            if optional.contains(row) {
                #expect(problems.isEmpty, "\(row): optional")
                continue
            }
            #expect(!problems.isEmpty, "\(row): no problem when empty")
            let rows = copy.render().rows
            let line = rows.first { $0.hasPrefix(" ✗ \(row) *") }
            #expect(line?.contains(problems[0].rule.prefix(20)) == true, "\(row): \(line ?? "no ✗ row")")
            #expect(rows.contains { $0.contains("\(row): \(problems[0].rule)") }, "\(row): the rule whole under the list")
        }
        // The two rows chosen with Space: a wrong type or country typed into the body is still named.
        var typed = state
        typed.cashier.values["type"] = "REFUND"
        typed.cashier.values["countryCode"] = "AR"
        let problems = CashierFormScreen.validation(typed).problems.map(\.field)
        #expect(problems.contains("type") && problems.contains("countryCode"), "\(problems)")
    }

    @Test func theNewStatesAt120Columns() {
        var state = form(size: Size(width: 120, height: 30))
        assertScreen(state, "cashier-form")
        _ = type("12", into: "phone", in: &state)
        assertScreen(state, "cashier-form-problems")
    }

    @Test func aProblemIsShownWhileTheEditorIsStillOpen() {
        var state = form()
        select("email", in: &state)
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.ctrl("u")))
        for c in "ana@" { _ = state.reduce(.key(.character(c))) }
        #expect(!CashierFormScreen.validation(state).problems.filter { $0.field == "email" }.isEmpty)
        for c in "cleo.cl" { _ = state.reduce(.key(.character(c))) }
        #expect(CashierFormScreen.validation(state).problems.filter { $0.field == "email" }.isEmpty)
        // Esc in the editor keeps the old value.
        _ = state.reduce(.key(.escape))
        #expect(state.cashier.values["email"] == "sandbox-test@example.com")
    }

    @Test func theCountryChoosesTheKeyAndAnUnsetKeyIsAProblem() {
        var state = form()
        select("countryCode", in: &state)
        _ = state.reduce(.key(.character(" ")))
        #expect(state.cashier.region == .peru && state.cashier.values["currency"] == "PEN")
        #expect(state.render().rows[2].contains("key peruApiKey ••••77b1 sha256:9e8d7c6b"))
        _ = state.reduce(.key(.character(" ")))
        #expect(state.cashier.region == .mexico)
        let problems = CashierFormScreen.validation(state).problems
        #expect(problems.contains { $0.field == "countryCode" && $0.rule.contains("mexicoApiKey, which is not set") })
        #expect(state.render().rows[2].contains("key mexicoApiKey: not set"))
        select("type", in: &state)
        _ = state.reduce(.key(.enter))
        #expect(state.cashier.method == .payOut && state.cashier.values["type"] == "PAYOUT")
        assertScreen(state, "cashier-form-key-unset")
    }

    @Test func sandboxAsksYNThenSendsTheExactBodyAndTheAnswerIsToldWhole() {
        var state = form(size: Size(width: 120, height: 30))
        #expect(CashierFormScreen.reduce(.character("s"), in: &state).isEmpty)
        #expect(state.cashier.confirming)
        #expect(state.render().rows.contains { $0.contains("Send this Pay-In of") && $0.contains("to the sandbox platform with chileApiKey ••••9f3a") })
        assertScreen(state, "cashier-form-ask")
        let effects = state.reduce(.key(.character("y")))
        let body = CashierBody.render(.object(CashierBody.template(.chile, method: .payIn)))
        #expect(effects == [.sendCashier(CashierFormRequest(method: .payIn, region: .chile, body: body, userID: "cleo-console-test", amount: "10000"))])
        #expect(state.cashier.sending)
        let outcome = CashierOutcome.normalise(.http(status: 400, body: Array(#"{"errorCode":"PSP_RATE_LIMITED","message":"slow down, please wait a minute before the next request to the cashier endpoint of this merchant","transactionId":"tx-9"}"#.utf8)), method: .payIn)
        _ = state.reduce(.cashierSent(.answered(outcome, listed: false, recordError: nil)))
        #expect(state.cashier.answer == outcome.lines)
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("refused by the platform (HTTP 400)"))
        #expect(screen.contains(PSPErrorCode(code: "PSP_RATE_LIMITED")!.meaning.prefix(40)))
        assertScreen(state, "cashier-form-answer")
        // The box says what its keys do, as the hints do: j/k scroll it, other keys go back to the
        // form with its values, Esc closes it.
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("j/k scroll · other keys back to the form · Esc close") })
        #expect(rows.last { $0.contains("j/k") }?.contains("j/k scroll  other keys back to the form  Esc close") == true)
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("k")))
        #expect(state.cashier.answer != nil, "j/k scroll, they do not leave the answer")
        _ = state.reduce(.key(.character("q")))
        #expect(state.cashier.answer == nil && state.cashier.isOpen)
        _ = state.reduce(.key(.escape))
        #expect(!state.cashier.isOpen)
        #expect(state.isRunning, "q in the form is not quit")
    }

    @Test func anAnswerLongerThanTheScreenWrapsWholeAt80Columns() {
        var state = form()
        _ = CashierFormScreen.reduce(.character("s"), in: &state)
        _ = state.reduce(.key(.character("y")))
        let outcome = CashierOutcome.normalise(.http(status: 200, body: Array(#"{"status":"success","isSuccess":true,"data":{"status":"PENDING","url":"https://pay.example/hosted/0123456789abcdef0123456789abcdef0123456789abcdef","sessionId":"s-1","transactionId":"tx-777"}}"#.utf8)), method: .payIn)
        _ = state.reduce(.cashierSent(.answered(outcome, listed: true, recordError: nil)))
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("created: PENDING (HTTP 200)"))
        #expect(screen.contains("listed as Pending (origin: cashier)"))
        #expect(screen.contains("0123456789abcdef0123456789abcdef"), "the url wraps, never cut")
        assertScreen(state, "cashier-form-created")
    }

    @Test func productionWantsTheWordTypedAndAnythingElseSendsNothing() {
        var state = form(environment: "production")
        _ = CashierFormScreen.reduce(.character("s"), in: &state)
        #expect(state.cashier.typedConfirmation != nil)
        #expect(state.render().rows.contains { $0.contains("PRODUCTION: this creates a real Pay-In of") })
        for c in "yes" { _ = state.reduce(.key(.character(c))) }
        #expect(state.reduce(.key(.enter)).isEmpty)
        #expect(state.flash?.text.contains("not confirmed") == true)
        _ = CashierFormScreen.reduce(.character("s"), in: &state)
        for c in "production" { _ = state.reduce(.key(.character(c))) }
        assertScreen(state, "cashier-form-production")
        let effects = state.reduce(.key(.enter))
        #expect(effects.count == 1)
        if case .sendCashier(let request)? = effects.first { #expect(request.region == .chile) } else { Issue.record("no send: \(effects)") }
    }

    @Test func noTokenSaysHowToProvideItAndSendsNothing() {
        var state = form(token: false)
        #expect(CashierFormScreen.reduce(.character("s"), in: &state).isEmpty)
        #expect(!state.cashier.confirming)
        #expect(state.flash?.text.contains("CLEO_CONSOLE_TOKEN_FILE=FILE") == true)
        #expect(state.flash?.text.contains("never on the command line") == true)
    }

    @Test func nAndEscCancelAndEscKeepsNothing() {
        var state = form()
        _ = type("Someone", into: "firstName", in: &state)
        _ = CashierFormScreen.reduce(.character("s"), in: &state)
        #expect(state.reduce(.key(.character("n"))).isEmpty)
        #expect(state.cashier.isOpen && !state.cashier.confirming)
        #expect(state.cashier.values["firstName"] == "Someone", "n keeps the form")
        _ = state.reduce(.key(.escape))
        #expect(state.cashier == CashierFormScreen.State(), "Esc keeps nothing")
        _ = state.reduce(.key(.character(":")))
        for c in "cashier" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.cashier.values["firstName"] == "Sandbox", "opened again from the template")
    }

    @Test func theCommandTakesTheTypeAndCountryAndRefusesAnythingElse() {
        let state = form(command: "cashier payout PE")
        #expect(state.cashier.method == .payOut && state.cashier.region == .peru && state.cashier.values["type"] == "PAYOUT")
        var other = Fixture.state()
        _ = other.reduce(.key(.character(":")))
        for c in "cashier AR" { _ = other.reduce(.key(.character(c))) }
        #expect(other.reduce(.key(.enter)).isEmpty)
        #expect(!other.cashier.isOpen)
        #expect(other.flash?.text.contains("try :cashier") == true)
    }

    /// cashier.md: support reproduces a customer's failure with a test send; what stops a send
    /// is a database the user may not write (the history is recorded first), never the role.
    @Test func supportMaySendWhereTheSendIsRecordedAndAReadOnlyConsoleMayNot() {
        var state = form()
        state.session.role = .support
        #expect(CashierFormScreen.reduce(.character("s"), in: &state).isEmpty)
        #expect(state.cashier.confirming, "support is asked y/n like anyone: \(state.flash?.text ?? "")")
        var readOnly = form()
        readOnly.session.role = .support
        readOnly.session.readOnlyReason = "this user may not write /var/lib/cleo/console.db"
        #expect(CashierFormScreen.reduce(.character("s"), in: &readOnly).isEmpty)
        #expect(!readOnly.cashier.confirming)
        #expect(readOnly.flash?.text.hasPrefix("read-only: this user may not write /var/lib/cleo/console.db; a test send is recorded in the history first") == true)
    }
}
