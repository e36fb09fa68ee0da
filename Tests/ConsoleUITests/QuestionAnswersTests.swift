import CleoDomain
import Foundation
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Every y/n question says the same in its own words and in the key hints (issue 10), and the
/// keys do what both say: y does it, n and Esc cancel. The scrollable boxes stop at their end.
@Suite struct QuestionAnswersTests {
    struct Question {
        let name: String
        let open: () -> AppState
        let answers: Answers
        let isOpen: (AppState) -> Bool
        /// What y returns (nil: it starts something whose effect another test checks whole).
        let yes: [Effect]?
    }

    static func config(environment: String = "sandbox") -> AppState {
        var state = Fixture.state(environment: environment)
        state.session.hasCompanyToken = true
        _ = state.reduce(.key(.character("2")))
        return state
    }

    /// Production, one change waiting, selected (below the fields), then `key`.
    static func onPendingChange(pressing key: Character) -> AppState {
        var state = config(environment: "production")
        _ = state.reduce(.pendingLoaded([FourEyesRevealReducerTests.change]))
        for _ in 0..<ConfigScreen.rows.count { _ = state.reduce(.key(.character("j"))) }
        _ = state.reduce(.key(.character(key)))
        return state
    }

    static var questions: [Question] { [
        Question(name: "write", open: {
            var state = config()
            _ = state.reduce(.key(.character(" ")))
            _ = state.reduce(.key(.character("w")))
            return state
        }, answers: Answers(yes: "write"), isOpen: { $0.config.confirmingWrite },
        yes: [.saveConfig([ConfigEdit(field: .isWebhookSecured, value: "true")], expectedVersion: 4)]),
        Question(name: "approve", open: { onPendingChange(pressing: "a") }, answers: Answers(yes: "approve"), isOpen: { $0.config.confirmingDecision != nil }, yes: [.decidePending(.approve, id: 3)]),
        Question(name: "reject", open: { onPendingChange(pressing: "x") }, answers: Answers(yes: "reject"), isOpen: { $0.config.confirmingDecision != nil }, yes: [.decidePending(.reject, id: 3)]),
        Question(name: "reveal", open: {
            var state = config(environment: "production")
            _ = state.reduce(.pendingLoaded([]))
            _ = state.reduce(.key(.character("v")))
            return state
        }, answers: Answers(yes: "reveal for 10 s"), isOpen: { $0.config.confirmingReveal != nil }, yes: [.revealSecret(.config(.chileApiKey))]),
        Question(name: "test key", open: {
            var state = config(environment: "production")
            _ = state.reduce(.key(.character("t")))
            return state
        }, answers: Answers(yes: "send the test"), isOpen: { $0.config.confirmingTest != nil }, yes: [.testKey(.chile)]),
        Question(name: "cashier send", open: {
            var state = CashierFormReducerTests().form()
            _ = state.reduce(.key(.character("s")))
            return state
        }, answers: Answers(yes: "send"), isOpen: { $0.cashier.confirming }, yes: nil),
        Question(name: "export", open: {
            var state = Fixture.state()
            _ = state.reduce(.exportFinished(.exists(path: "/tmp/declined.csv")))
            return state
        }, answers: Answers(yes: "replace it", no: "keep it"), isOpen: { $0.transactions.confirmingExport != nil }, yes: nil),
        Question(name: "quit", open: {
            var state = config()
            _ = state.reduce(.key(.character(" ")))
            // A message meant to stay an hour: the question still shows over it.
            state.say("testing chileApiKey: a sandbox Pay-In sent to the platform…", seconds: 3600)
            _ = state.reduce(.key(.character("q")))
            return state
        }, answers: Answers(yes: "quit", no: "stay", yesKeys: "y/Ctrl-C"), isOpen: { $0.confirmingQuit }, yes: [.quit]),
    ] }

    @Test func eachQuestionAndItsKeyHintsSayTheSameAndTheKeysDoIt() {
        for question in Self.questions {
            let state = question.open()
            #expect(question.isOpen(state), "\(question.name)")
            let rows = state.render().rows
            let hints = rows[rows.count - 1]
            let said = rows.dropLast().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            // The hints line: the question's answers only.
            let expected = question.answers.hints.map { "\($0.keys) \($0.label)" }.joined(separator: "  ")
            #expect(hints.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) == expected, "\(question.name): \(hints)")
            // The question: the same keys and verbs, nothing else promised.
            #expect(said.contains("\(question.answers.yesKeys) \(Answers.says(question.answers.yes))"), "\(question.name)")
            #expect(said.contains("n/Esc \(Answers.says(question.answers.no))"), "\(question.name)")
            #expect(!said.contains("any other key"), "\(question.name)")
            for cancel: Key in [.character("n"), .escape] {
                var answered = state
                #expect(answered.reduce(.key(cancel)).isEmpty, "\(question.name): \(cancel) does nothing")
                #expect(!question.isOpen(answered), "\(question.name): \(cancel) closes it")
            }
            var answered = state
            let effects = answered.reduce(.key(.character("y")))
            if let yes = question.yes { #expect(effects == yes, "\(question.name)") } else { #expect(!effects.isEmpty, "\(question.name)") }
            #expect(!question.isOpen(answered), "\(question.name)")
        }
    }

    @Test func theAnswersReadInTheThirdPersonInTheQuestion() {
        #expect(Answers(yes: "reveal for 10 s").sentence() == "y reveals for 10 s · n/Esc cancels")
        #expect(Answers(yes: "write").sentence(detail: " (version 4 → 5)") == "y writes (version 4 → 5) · n/Esc cancels")
        #expect(Answers(yes: "quit", no: "stay", yesKeys: "y/Ctrl-C").sentence() == "y/Ctrl-C quits · n/Esc stays")
        // In a dialog the no-answer is never broken in two; a hostile lead is sanitised first.
        let approve = Answers(yes: "approve")
        #expect(approve.wrapped(detail: ": chileApiKey becomes the new value now, in PRODUCTION", width: 74)
            == ["y approves: chileApiKey becomes the new value now, in PRODUCTION ·", "n/Esc cancels"])
        #expect(approve.wrapped(detail: ": the old value stays", width: 74) == ["y approves: the old value stays · n/Esc cancels"])
        #expect(approve.wrapped(after: "\u{1B}[2J? ", width: 40) == ["␛[2J? y approves · n/Esc cancels"])
    }

    // MARK: - Scrolling stops at the end

    @Test func jOnAWriteDialogThatFitsLeavesItWhereItIsAndKStillMovesAtOnceWhenItScrolls() {
        var fits = Self.questions[0].open()
        let before = fits.render().rows
        for _ in 0..<5 { _ = fits.reduce(.key(.character("j"))) }
        _ = fits.reduce(.key(.pageDown))
        #expect(fits.config.diffScroll == 0)
        #expect(fits.render().rows == before)

        // A value too long for the body: the dialog scrolls, up to its last line and no further.
        var tall = Self.config()
        tall.config.edits[.webhookUrl] = "https://merchant.example/" + (1...200).map { "part\($0)/" }.joined() + "end"
        _ = tall.reduce(.key(.character("w")))
        let limit = ConfigScreen.diffLayout(tall, in: tall.frame.body).maxScroll
        #expect(limit > 0)
        for _ in 0..<(limit + 5) { _ = tall.reduce(.key(.character("j"))) }
        _ = tall.reduce(.key(.ctrl("d")))
        #expect(tall.config.diffScroll == limit)
        let atEnd = tall.render().rows
        _ = tall.reduce(.key(.character("k")))
        #expect(tall.config.diffScroll == limit - 1)
        #expect(tall.render().rows != atEnd, "the first k moves the dialog")
    }

    @Test func jOnTheCashiersAnswerStopsAtItsEnd() {
        var short = CashierFormReducerTests().form()
        short.cashier.answer = ["created", "transactionId 1234"]
        for _ in 0..<5 { _ = short.reduce(.key(.character("j"))) }
        #expect(short.cashier.answerScroll == 0)

        var long = CashierFormReducerTests().form()
        long.cashier.answer = (1...60).map { "line \($0)" }
        let limit = CashierFormScreen.answerLayout(long, in: long.frame.body).maxScroll
        #expect(limit > 0)
        for _ in 0..<(limit + 5) { _ = long.reduce(.key(.down)) }
        #expect(long.cashier.answerScroll == limit)
        let atEnd = long.render().rows
        _ = long.reduce(.key(.character("k")))
        #expect(long.cashier.answerScroll == limit - 1 && long.render().rows != atEnd)
    }

    @Test func anOffsetLeftBeyondAShrunkLimitMovesOnTheFirstKeyBack() {
        #expect(scrolled(12, by: -1, limit: 5) == 4)
        #expect(scrolled(0, by: 1, limit: 0) == 0)
        #expect(scrolled(3, by: 10, limit: 5) == 5)
        #expect(scrolled(3, by: -10, limit: 5) == 0)
    }
}
