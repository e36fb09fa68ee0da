import Foundation
import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// `t` on a regional key in Config (cashier.md, key health): the reducer decides whether a test
/// is sent, says why not, and shows the answer in one line and beside the key.
@Suite struct KeyTestReducerTests {
    func configState(environment: String = "sandbox", token: Bool = true) -> AppState {
        var state = Fixture.state(environment: environment)
        state.session.hasCompanyToken = token
        _ = state.reduce(.key(.character("2")))
        #expect(state.screen == .config)
        return state
    }

    @Test func tOnTheChileKeySendsATestAndTheAnswerShowsInOneLineAndBesideTheKey() {
        var state = configState()
        #expect(state.render().rows.contains { $0.contains("chileApiKey") && $0.contains("untested (t)") })
        let effects = state.reduce(.key(.character("t")))
        #expect(effects == [.testKey(.chile)])
        #expect(state.config.testing == .chile)
        // A second t while waiting sends nothing.
        #expect(state.reduce(.key(.character("t"))).isEmpty)

        let outcome = CashierOutcome.normalise(.http(status: 200, body: Array(#"{"status":"success","isSuccess":true,"data":{"status":"PENDING","sessionId":"s-1","transactionId":"tx-777"}}"#.utf8)), method: .payIn)
        let at = Fixture.now.adding(milliseconds: 60_000)
        _ = state.reduce(.keyTested(.chile, .answered(outcome, at: at, recordError: nil)))
        #expect(state.config.testing == nil)
        #expect(state.flash?.text == "chileApiKey test: created: PENDING (HTTP 200) · transactionId tx-777")
        #expect(state.flash?.isError == false)
        #expect(state.config.lastTests[.chile] == CashierLastTest(at: at, result: "created", errorCode: nil))
        let rows = state.render().rows
        #expect(rows.first { $0.contains("chileApiKey") }?.contains("test: created") == true)
        #expect(rows.contains { $0.contains("last test: created at 2026-11-25 15:01:00") })
        assertScreen(state, "config-key-tested")
    }

    @Test func aRefusalIsToldWithTheErrorCodesMeaning() {
        var state = configState()
        _ = state.reduce(.key(.character("t")))
        let outcome = CashierOutcome.normalise(.http(status: 400, body: Array(#"{"errorCode":"INVALID_PSP_CREDENTIALS","message":"bad key"}"#.utf8)), method: .payIn)
        _ = state.reduce(.keyTested(.chile, .answered(outcome, at: Fixture.now, recordError: nil)))
        let meaning = PSPErrorCode(code: "INVALID_PSP_CREDENTIALS")!.meaning
        // Too long for one row, with the answer whole under the key: the message names it only.
        #expect(state.flash?.text == "chileApiKey test: refused by the platform (HTTP 400) (the answer below)")
        // Away from the key the message is the one place it is said: whole (it wraps upward).
        var away = configState()
        _ = away.reduce(.key(.character("t")))
        _ = away.reduce(.key(.character("1")))
        _ = away.reduce(.keyTested(.chile, .answered(outcome, at: Fixture.now, recordError: nil)))
        #expect(away.flash?.text == "chileApiKey test: refused by the platform (HTTP 400) · errorCode INVALID_PSP_CREDENTIALS: \(meaning)")
        let rows = away.render().rows.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rows.contains { $0.hasSuffix("INVALID_PSP_CREDENTIALS: Cleo API key (per country) is missing, wrong, or the") } || rows.joined(separator: " ").contains("account is not active"), "\(rows)")
        #expect(state.flash?.isError == true)
        #expect(state.config.lastTests[.chile]?.errorCode == "INVALID_PSP_CREDENTIALS")
        // At 80 columns the status line cuts the meaning: it is read whole under the key.
        let shown = state.render().rows.map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        #expect(shown.contains("errorCode INVALID_PSP_CREDENTIALS: \(meaning)"), "\(shown)")
        #expect(shown.contains("message: bad key"))
        assertScreen(state, "config-key-refused")
    }

    @Test func anAnswerTallerThanTheRoomSaysWhatIsLeftInsteadOfCuttingSilently() {
        var state = configState()
        _ = state.reduce(.key(.character("t")))
        let message = String(repeating: "the platform explains at length ", count: 20)
        let outcome = CashierOutcome.normalise(.http(status: 400, body: Array("{\"errorCode\":\"PSP_TIMEOUT\",\"message\":\"\(message)\"}".utf8)), method: .payIn)
        _ = state.reduce(.keyTested(.chile, .answered(outcome, at: Fixture.now, recordError: nil)))
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("more line(s): cleo-console cashier history, or a taller terminal") }, "\(rows)")
        var tall = configState()
        tall.size = Size(width: 80, height: 40)
        _ = tall.reduce(.key(.character("t")))
        _ = tall.reduce(.keyTested(.chile, .answered(outcome, at: Fixture.now, recordError: nil)))
        #expect(!tall.render().rows.contains { $0.contains("more line(s)") })
        #expect(tall.render().rows.contains { $0.contains("what to do:") })
    }

    @Test func anUnsetKeyNoTokenOrAnotherFieldSaysWhyAndSendsNothing() {
        var state = configState()
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        #expect(state.config.selected == .mexicoApiKey)
        #expect(state.reduce(.key(.character("t"))).isEmpty)
        #expect(state.flash?.text.contains("mexicoApiKey is not set") == true)
        _ = state.reduce(.key(.character("j")))
        #expect(state.reduce(.key(.character("t"))).isEmpty)
        #expect(state.flash?.text.contains("t tests a regional key") == true)

        var noToken = configState(token: false)
        #expect(noToken.reduce(.key(.character("t"))).isEmpty)
        #expect(noToken.flash?.text.contains("no company token") == true)
        #expect(noToken.config.testing == nil)
    }

    /// `t` is support's too (cashier.md: support reproduces a customer's failure); a console
    /// that may not write the database may not, and its hints mark `t`.
    @Test func supportMayTestAKeyButAReadOnlyConsoleMayNot() {
        var state = configState()
        state.session.role = .support
        #expect(state.reduce(.key(.character("t"))) == [.testKey(.chile)])
        var readOnly = configState()
        readOnly.session.role = .support
        readOnly.session.readOnlyReason = "this user may not write /var/lib/cleo/console.db"
        #expect(readOnly.reduce(.key(.character("t"))).isEmpty)
        #expect(readOnly.flash?.text.contains("a test send is recorded in the history first") == true)
        #expect(!ConfigScreen.hints(for: readOnly).contains { $0.label == "test key" })
        #expect(ConfigScreen.hints(for: state).contains { $0.label == "test key" })
    }

    @Test func productionAsksYesOrNoFirst() {
        var state = configState(environment: "production")
        #expect(state.reduce(.key(.character("t"))).isEmpty)
        #expect(state.flash?.text.contains("PRODUCTION") == true)
        assertScreen(state, "config-key-test-production")
        #expect(state.reduce(.key(.character("n"))).isEmpty)
        #expect(state.flash?.text == "not sent: the test was cancelled")
        _ = state.reduce(.key(.character("t")))
        #expect(state.reduce(.key(.character("y"))) == [.testKey(.chile)])
    }

    @Test func nothingSentIsToldAsNotTested() {
        var state = configState()
        _ = state.reduce(.key(.character("t")))
        _ = state.reduce(.keyTested(.chile, .notSent("the company token file /x cannot be read; nothing was sent")))
        #expect(state.flash?.text == "chileApiKey not tested: the company token file /x cannot be read; nothing was sent")
        #expect(state.config.lastTests[.chile] == nil)
        #expect(state.config.testing == nil)
    }
}
