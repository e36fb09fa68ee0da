import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Four eyes and reveal on the Config screen (roles.md): pending changes listed, `a`/`x` after a
/// question, refusals left to the store (so they are audited as the CLI's), and a revealed
/// secret hidden by the reducer after at most 10 s or at the next key — never copied.
@Suite struct FourEyesRevealReducerTests {
    static let change = PendingChange(id: 3, field: .config(.chileApiKey), proposedBy: "maria", proposedFrom: "ssh 198.51.100.7",
                                      proposedAt: Fixture.now.adding(milliseconds: -2 * 3_600_000), expiresAt: Fixture.now.adding(milliseconds: 22 * 3_600_000),
                                      old: "••••9f3a sha256:1a2b3c4d", new: "••••zz99 sha256:5e6f7a8b", state: .pending)
    static let secured = PendingChange(id: 4, field: .config(.isWebhookSecured), proposedBy: "ops", proposedFrom: "ssh 203.0.113.9",
                                       proposedAt: Fixture.now.adding(milliseconds: -60_000), expiresAt: Fixture.now.adding(milliseconds: 24 * 3_600_000 - 60_000),
                                       old: "false", new: "true", state: .pending)
    static let clear = "sk_live_cl_REVEALED_0042"

    func production(role: OperatorRole = .admin, readOnly: String? = nil, size: Size = Size(width: 80, height: 24),
                    pending: [PendingChange] = [change, secured]) -> AppState {
        var state = Fixture.state(size: size, environment: "production")
        state.session.role = role
        state.session.readOnlyReason = readOnly
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.pendingLoaded(pending))
        return state
    }

    func press(_ keys: Key..., in state: inout AppState) -> [Effect] {
        keys.flatMap { state.reduce(.key($0)) }
    }

    @Test func pendingChangesAreListedWithWhoWhenOldNewAndExpiryAndJMovesOntoThem() {
        var state = production()
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("Waiting for a second person (2) · a approves · x rejects") })
        #expect(rows.contains { $0.contains("#3 chileApiKey      ••••9f3a → ••••zz99 by maria expires 11-26 13:00") }, "80 columns: the masks alone, the proposal's time dropped")
        let wide = production(size: Size(width: 120, height: 30)).render().rows
        #expect(wide.contains { $0.contains("#3 chileApiKey      ••••9f3a sha256:1a2b3c4d → ••••zz99 sha256:5e6f7a8b by maria 11-25 13:00 expires 11-26 13:00") })
        #expect(rows[23].contains("a approve") && rows[23].contains("x reject"), "\(rows[23])")
        for _ in 0..<ConfigScreen.rows.count { _ = press(.character("j"), in: &state) }
        #expect(state.config.selectedPending == 3)
        let detail = state.render().rows.joined(separator: "\n")
        #expect(detail.contains("#3 chileApiKey proposed by maria@ssh 198.51.100.7 at 2026-11-25 13:00:00"))
        #expect(detail.contains("a approves it (then in force) · x rejects it · each asks first"))
        #expect(detail.contains("now: ••••9f3a sha256:1a2b3c4d → new: ••••zz99 sha256:5e6f7a8b"))
        #expect(detail.contains("until approved the old value stays in force; expires 2026-11-26 13:00:00"))
        _ = press(.character("j"), in: &state)
        #expect(state.config.selectedPending == 4)
        _ = press(.character("j"), in: &state)
        #expect(state.config.selectedPending == 4, "the last row stays the last")
        _ = press(.character("k"), in: &state)
        _ = press(.character("k"), in: &state)
        #expect(state.config.selectedPending == nil && state.config.selected == .isWebhookSecured)
        _ = press(.character("G"), in: &state)
        #expect(state.config.selectedPending == 4)
        _ = press(.character("g"), in: &state)
        #expect(state.config.selectedPending == nil && state.config.selected == .chileApiKey)
    }

    @Test func aAsksThenYApprovesThroughTheStoreAndTheAnswerIsSaid() {
        var state = production()
        for _ in 0..<ConfigScreen.rows.count { _ = press(.character("j"), in: &state) }
        #expect(press(.character("a"), in: &state).isEmpty, "a asks first")
        #expect(state.config.confirmingDecision?.change.id == 3)
        #expect(state.render().rows.contains { $0.contains("Approve change #3?") })
        #expect(state.render().rows.contains { $0.contains("y approves: chileApiKey becomes the new value now, in PRODUCTION") })
        #expect(state.render().rows[23].contains("y approve"))
        assertScreen(state, "config-pending-approve")
        #expect(press(.character("y"), in: &state) == [.decidePending(.approve, id: 3)])
        #expect(state.config.confirmingDecision == nil)
        var decided = Self.change
        decided.state = .approved
        let effects = state.reduce(.pendingDecided(.approve, id: 3, .decided(decided)))
        #expect(effects == [.loadConfig])
        #expect(state.flash?.text == "#3 chileApiKey approved: now in force")
        #expect(state.config.pending.map(\.id) == [4])
    }

    @Test func theQuestionAt120ColumnsAndTheListWithItsFingerprints() {
        var state = production(size: Size(width: 120, height: 30))
        assertScreen(state, "config-pending")
        for _ in 0..<ConfigScreen.rows.count { _ = press(.character("j"), in: &state) }
        _ = press(.character("x"), in: &state)
        #expect(state.config.confirmingDecision?.decision == .reject)
        assertScreen(state, "config-pending-reject")
    }

    @Test func theOtherStatesAtTheOtherWidth() {
        var narrow = production()
        assertScreen(narrow, "config-pending")
        for _ in 0..<ConfigScreen.rows.count { _ = press(.character("j"), in: &narrow) }
        _ = press(.character("x"), in: &narrow)
        assertScreen(narrow, "config-pending-reject")
        var wide = production(size: Size(width: 120, height: 30))
        for _ in 0..<ConfigScreen.rows.count { _ = press(.character("j"), in: &wide) }
        _ = press(.character("a"), in: &wide)
        assertScreen(wide, "config-pending-approve")
        var reveal = production(size: Size(width: 120, height: 30), pending: [])
        _ = press(.character("v"), in: &reveal)
        assertScreen(reveal, "config-reveal-ask")
        _ = press(.character("y"), in: &reveal)
        _ = reveal.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: Fixture.now)))
        assertScreen(reveal, "config-revealed")
        var support = production(role: .support, readOnly: "ops may not write the database", size: Size(width: 120, height: 30))
        _ = support.reduce(.pendingDecided(.approve, id: 3, .refused("ops is not permitted: support may not approve or reject a pending change: that needs the role engineer (not recorded: this user may only read the database)")))
        assertScreen(support, "config-pending-support")
    }

    @Test func manyPendingChangesScrollWithTheSelectionInView() {
        let many = (10...21).map { id in
            PendingChange(id: Int64(id), field: .config(.peruApiKey), proposedBy: "maria", proposedFrom: "local", proposedAt: Fixture.now,
                          expiresAt: Fixture.now.adding(milliseconds: FourEyes.expiryMilliseconds), old: nil, new: "••••\(id)00 sha256:0000\(id)00", state: .pending)
        }
        var state = production(pending: many)
        #expect(state.render().rows.contains { $0.contains("Waiting for a second person: 1–") && $0.contains("of 12 (j/k) · a approves · x rejects") })
        _ = press(.character("G"), in: &state)
        #expect(state.config.selectedPending == 21)
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("#21 peruApiKey") }, "the selected one is in view")
        #expect(rows.contains { $0.contains("#21 peruApiKey proposed by maria@local") }, "and its detail below")
        #expect(!rows.contains { $0.contains("#10 peruApiKey") })
    }

    @Test func anyOtherKeyCancelsAndTheChangeStillWaits() {
        var state = production()
        _ = press(.character("a"), in: &state)  // on chileApiKey: its pending change
        #expect(state.config.confirmingDecision?.change.id == 3)
        #expect(press(.character("n"), in: &state).isEmpty)
        #expect(state.flash?.text == "change #3 not approved: cancelled; it still waits")
        #expect(state.config.pending.count == 2)
        // A field with nothing pending: the keys say where the changes are.
        _ = press(.character("j"), in: &state)
        #expect(press(.character("a"), in: &state).isEmpty)
        #expect(state.flash?.text.contains("j moves down to them") == true)
    }

    @Test func onesOwnChangeGoesToTheStoreUnaskedAndItsRefusalIsSaid() {
        var state = production()
        _ = press(.character("G"), in: &state)
        #expect(state.render().rows.joined().contains("your own change: it needs a second person"))
        #expect(press(.character("a"), in: &state) == [.decidePending(.approve, id: 4)], "the store refuses it and audits the refusal")
        #expect(state.config.confirmingDecision == nil)
        let reason = "ops is not permitted: may not approve their own change #4: it needs a second person"
        _ = state.reduce(.pendingDecided(.approve, id: 4, .refused(reason)))
        #expect(state.config.refusal == reason, "whole on the screen")
        #expect(state.render().rows.joined().contains("ops is not permitted: may not approve their own change #4:"))
        #expect(state.flash?.text == "refused (the reason is on the Config screen)" && state.flash?.isError == true, "the status line is one row")
        _ = press(.character("k"), in: &state)
        #expect(state.config.refusal == nil, "until the next key")
        #expect(state.config.pending.count == 2)
    }

    @Test func supportIsRefusedByTheStoreWithTheReasonAndTheHintsMarkTheKeys() {
        var state = production(role: .support, readOnly: "ops may not write the database")
        _ = press(.character("j"), in: &state)
        _ = press(.character("k"), in: &state)
        #expect(state.render().rows[23].contains("Enter Space w t a x v not for support"), "\(state.render().rows[23])")
        #expect(press(.character("a"), in: &state) == [.decidePending(.approve, id: 3)])
        #expect(press(.character("x"), in: &state) == [.decidePending(.reject, id: 3)])
        _ = state.reduce(.pendingDecided(.approve, id: 3, .refused("ops is not permitted: support may not approve or reject a pending change: that needs the role engineer (not recorded: this user may only read the database)")))
        #expect(state.config.refusal?.contains("support may not approve or reject a pending change") == true)
        assertScreen(state, "config-pending-support")
    }

    @Test func nothingPendingSaysSoAndTheHintsLeaveAAndXOut() {
        var state = production(pending: [])
        #expect(!state.render().rows[23].contains("approve"))
        #expect(press(.character("a"), in: &state).isEmpty)
        #expect(state.flash?.text.hasPrefix("nothing waits for a second person") == true)
    }

    // MARK: - Reveal

    @Test func vAsksThenShowsTheClearValueAndTheReducerHidesItAfterNineSeconds() {
        var state = production(pending: [])
        #expect(press(.character("v"), in: &state).isEmpty, "v asks first")
        #expect(state.config.confirmingReveal == .config(.chileApiKey))
        assertScreen(state, "config-reveal-ask")
        #expect(press(.character("y"), in: &state) == [.revealSecret(.config(.chileApiKey))])
        let at = Fixture.now.adding(milliseconds: 400)
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: at)))
        #expect(state.render().rows.contains { $0.contains("chileApiKey") && $0.contains(Self.clear) })
        #expect(state.render().rows.contains { $0.contains("in clear: hidden in 9 s or at the next key · audited as viewed") })
        assertScreen(state, "config-revealed")
        _ = state.reduce(.clockTicked(at.adding(milliseconds: 8_999)))
        #expect(state.render().rows.joined().contains(Self.clear))
        #expect(state.render().rows.contains { $0.contains("hidden in 1 s") })
        _ = state.reduce(.clockTicked(at.adding(milliseconds: 9_000)))
        #expect(state.config.revealed == nil)
        #expect(!state.render().rows.joined().contains(Self.clear))
        #expect(state.render().rows.contains { $0.contains("••••9f3a  sha256:1a2b3c4d") })
    }

    @Test func anyKeyHidesItAndYNeverCopiesIt() {
        var state = production(pending: [])
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: Fixture.now)))
        var effects = press(.character("y"), in: &state)
        #expect(state.config.revealed == nil)
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: Fixture.now)))
        effects += press(.character("Y"), in: &state)
        #expect(!effects.contains { if case .copy = $0 { true } else { false } }, "\(effects)")
        #expect(!effects.description.contains(Self.clear))
        // Leaving the screen hides it too (it is a key).
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: Fixture.now)))
        _ = press(.character("1"), in: &state)
        _ = press(.character("2"), in: &state)
        #expect(!state.render().rows.joined().contains(Self.clear))
    }

    @Test func aKeyReplacedMeanwhileHidesTheOldOneAtOnce() {
        var state = production(pending: [])
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown(Self.clear, at: Fixture.now)))
        _ = state.reduce(.configLoaded(Fixture.config))
        #expect(state.config.revealed != nil, "the same key: still shown")
        var replaced = Fixture.config
        replaced.version += 1
        replaced.secrets[.chileApiKey] = .init(mask: "••••0000", fingerprint: "sha256:00000000", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(replaced))
        #expect(state.config.revealed == nil)
    }

    @Test func aNonAdminGoesToTheStoreUnaskedAndIsToldWhy() {
        var state = production(role: .engineer, pending: [])
        let wide = production(role: .engineer, size: Size(width: 120, height: 30), pending: []).render().rows[29]
        #expect(wide.contains("v not for engineer"), "\(wide)")
        #expect(press(.character("v"), in: &state) == [.revealSecret(.config(.chileApiKey))])
        #expect(state.config.confirmingReveal == nil)
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .refused("ops is not permitted: engineer may not reveal a secret: that needs the role admin")))
        #expect(state.config.refusal == "ops is not permitted: engineer may not reveal a secret: that needs the role admin")
        #expect(state.config.revealed == nil)
    }

    @Test func vOnAnUnsetKeyOrAPlainFieldSaysWhy() {
        var state = production(pending: [])
        _ = press(.character("j"), .character("j"), in: &state)
        #expect(press(.character("v"), in: &state).isEmpty)
        #expect(state.flash?.text == "mexicoApiKey is not set: nothing to reveal")
        _ = press(.character("j"), in: &state)
        #expect(press(.character("v"), in: &state).isEmpty)
        #expect(state.flash?.text.hasPrefix("v reveals a secret") == true)
        _ = press(.character("G"), .character("v"), in: &state)
        #expect(state.config.selectedAuthorization)
        #expect(state.flash?.text == "webhookAuthorization is not set: nothing to reveal")
        _ = press(.character("g"), .character("v"), .character("n"), in: &state)
        #expect(state.flash?.text == "not revealed: cancelled")
    }

    @Test func vOnWebhookAuthorizationRevealsItLikeAKey() {
        var state = production(pending: [])
        var stored = Fixture.config
        stored.webhookAuthorization = .init(mask: "••••wxyz", fingerprint: "sha256:99887766", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(stored))
        _ = press(.character("G"), in: &state)
        #expect(press(.character("v"), in: &state).isEmpty, "v asks first")
        #expect(state.config.confirmingReveal == .webhookAuthorization)
        #expect(state.render().rows.contains { $0.contains("The secret is shown in clear") })
        #expect(press(.character("y"), in: &state) == [.revealSecret(.webhookAuthorization)])
        let clear = "Bearer s3cr3t-for-serve-wxyz"
        _ = state.reduce(.secretRevealed(.webhookAuthorization, .shown(clear, at: Fixture.now)))
        #expect(state.config.selectedAuthorization)
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("webhookAuthorization") && $0.contains(clear) }, "\(rows)")
        #expect(rows.contains { $0.contains("in clear: hidden in 9 s or at the next key") }, "\(rows)")
        // Replaced by someone else meanwhile: hidden at once, as a key.
        stored.version += 1
        stored.webhookAuthorization = .init(mask: "••••0000", fingerprint: "sha256:00000000", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(stored))
        #expect(state.config.revealed == nil)
        #expect(!state.render().rows.joined().contains(clear))
    }

    @Test func aRevealedValueIsSanitisedLikeAnyText() {
        var state = production(pending: [])
        _ = state.reduce(.secretRevealed(.config(.chileApiKey), .shown("ab\u{1B}[2Jcd\u{202E}", at: Fixture.now)))
        let screen = state.render().rows.joined()
        #expect(!screen.contains("\u{1B}") && !screen.contains("\u{202E}"))
    }
}
