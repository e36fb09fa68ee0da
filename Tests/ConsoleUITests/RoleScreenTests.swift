import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// roles.md in the console: the frame says who you are and your role; a change the role or the
/// database forbids is refused when its key is pressed, with the reason (the key still answers).
@Suite struct RoleScreenTests {
    func state(role: OperatorRole, readOnly: String?) -> AppState {
        var state = Fixture.state()
        state.session.role = role
        state.session.readOnlyReason = readOnly
        _ = state.reduce(.configLoaded(StoredConfiguration()))
        _ = state.reduce(.key(.character("2")))
        return state
    }

    @Test func aReadOnlySupportConsoleSaysSoAndRefusesEditsWithTheReason() {
        var state = state(role: .support, readOnly: "ops may not write the database")
        #expect(state.render().rows[0].contains("ops (support, read-only)"))
        #expect(state.render().rows[0].contains("◇ read-only"))
        for key in [Key.enter, .character(" ")] {
            let effects = state.reduce(.key(key))
            #expect(effects.isEmpty)
            #expect(state.config.editor == nil && !state.config.hasUnsavedEdits)
            #expect(state.flash?.text == "ops: support may not set \(key == .enter ? "chileApiKey" : "isWebhookSecured"): that needs the role engineer")
        }
        #expect(state.render().rows[23].contains("Enter Space w t v not for support"), "\(state.render().rows[23])")
        assertScreen(state, "config-support-read-only")
    }

    @Test func anEngineerOnADatabaseTheyMayOnlyReadIsToldWhy() {
        var state = state(role: .engineer, readOnly: "ops may not write the database")
        _ = state.reduce(.key(.enter))
        #expect(state.config.editor == nil)
        #expect(state.flash?.text == "read-only: ops may not write the database")
        #expect(state.render().rows[23].contains("Enter Space w t v read-only"))
        var writer = self.state(role: .engineer, readOnly: nil)
        _ = writer.reduce(.key(.enter))
        #expect(writer.config.editor != nil)
        #expect(writer.render().rows[0].contains("ops (engineer)@ssh"))
    }
}

@Suite struct FourEyesScreenTests {
    @Test func aProductionSaveThatWasProposedSaysSoNotSaved() {
        var state = Fixture.state(environment: "production")
        _ = state.reduce(.configLoaded(StoredConfiguration()))
        _ = state.reduce(.key(.character("2")))
        let change = PendingChange(id: 7, field: .config(.chileApiKey), proposedBy: "ops", proposedFrom: "local", proposedAt: Fixture.now,
                                   expiresAt: Fixture.now.adding(milliseconds: FourEyes.expiryMilliseconds), old: nil, new: "••••aaaa hmac:1", state: .pending)
        _ = state.reduce(.configSaved(StoredConfiguration(), proposed: [change]))
        #expect(state.flash?.text == "proposed #7 chileApiKey: waits for a second person to approve (a here, or config approve 7); the old value stays in force until then")
        _ = state.reduce(.configSaved(StoredConfiguration()))
        #expect(state.flash?.text.hasPrefix("saved") == true)
    }
}
