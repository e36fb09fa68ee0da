import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// `webhookAuthorization` on the Config screen (serve.md: "set like the regional keys: stdin or
/// the TUI"), and the warning while `isWebhookSecured` is on without it (serve exits 78 then).
@Suite struct ConfigWebhookAuthorizationTests {
    static func config(environment: String = "sandbox", role: OperatorRole = .admin) -> AppState {
        var state = Fixture.state(environment: environment)
        state.session.role = role
        _ = state.reduce(.key(.character("2")))
        return state
    }

    /// j down to the row below the six fields.
    static func selectAuthorization(_ state: inout AppState) {
        for _ in 0..<6 { _ = state.reduce(.key(.character("j"))) }
    }

    @Test func itIsARowTypedWithoutEchoMaskedAndSavedWithTheEdits() {
        var state = Self.config()
        Self.selectAuthorization(&state)
        #expect(state.config.selectedAuthorization)
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("webhookAuthorization") && $0.contains("(not set)") }, "\(rows)")
        #expect(state.reduce(.key(.enter)).isEmpty)
        #expect(state.config.editor?.isSecret == true)
        for c in "Bearer SECRET-token-9f2c" { _ = state.reduce(.key(.character(c))) }
        #expect(!state.render().rows.joined().contains("SECRET"))
        // Accepted: kept unsaved, its keyed fingerprint asked of the runtime.
        #expect(state.reduce(.key(.enter)) == [.fingerprintSecret(.webhookAuthorization, "Bearer SECRET-token-9f2c")])
        #expect(state.config.authorizationEdit == "Bearer SECRET-token-9f2c" && state.config.hasUnsavedEdits)
        _ = state.reduce(.secretFingerprinted(.webhookAuthorization, value: "Bearer SECRET-token-9f2c", fingerprint: "hmac:0a1b2c3d", unavailable: nil))
        let after = state.render().rows
        #expect(after.contains { $0.contains("* webhookAuthorization") && $0.contains("••••9f2c hmac:0a1b2c3d") && $0.contains("(unsaved)") }, "\(after)")
        #expect(!after.joined().contains("SECRET"))
        _ = state.reduce(.key(.character("w")))
        let dialog = state.render().rows.joined(separator: "\n")
        #expect(dialog.contains("webhookAuthorization:") && dialog.contains("new: ••••9f2c hmac:0a1b2c3d"), "\(dialog)")
        #expect(!dialog.contains("SECRET"))
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([], authorization: "Bearer SECRET-token-9f2c", expectedVersion: 4)])
        _ = state.reduce(.configSaved(Fixture.config))
        #expect(state.config.authorizationEdit == nil && !state.config.hasUnsavedEdits)
    }

    @Test func aRefusedValueKeepsTheEditorOpenWithTheRule() {
        var state = Self.config()
        Self.selectAuthorization(&state)
        _ = state.reduce(.key(.enter))
        for c in " Bearer x" { _ = state.reduce(.key(.character(c))) }
        #expect(state.reduce(.key(.enter)).isEmpty)
        #expect(state.config.editor != nil && state.config.editorError == "must not start or end with a space")
        #expect(state.config.authorizationEdit == nil)
    }

    @Test func aSupportUserIsRefusedWithTheReasonAndTheStoreAuditsIt() {
        var state = Self.config(role: .support)
        Self.selectAuthorization(&state)
        #expect(state.reduce(.key(.enter)) == [.auditRefusedAuthorization])
        #expect(state.config.editor == nil)
        #expect(state.flash?.text.contains("may not set webhookAuthorization") == true, "\(String(describing: state.flash))")
    }

    @Test func securedWithoutAnAuthorizationIsWarnedOnTheScreenAndInTheDialog() {
        var state = Self.config()
        _ = state.reduce(.key(.character(" ")))  // isWebhookSecured on, unsaved
        let rows = state.render().rows
        #expect(rows.contains { $0.contains("⚠ incomplete — missing: mexicoApiKey, webhookUrl, webhookAuthorization") }, "\(rows)")
        #expect(ConfigDialogAndEditorTests.words(rows).contains("⚠ turning isWebhookSecured on with no webhookAuthorization: serve refuses to start (exit 78)"),
                "\(rows)")
        _ = state.reduce(.key(.character("w")))
        let dialog = ConfigDialogAndEditorTests.words(state.render().rows)
        #expect(dialog.contains("This turns isWebhookSecured on with no webhookAuthorization set: serve refuses"), "\(dialog)")
        _ = state.reduce(.key(.escape))
        // Stored on, without a value: the same, and the frame calls the configuration incomplete.
        var stored = Fixture.config
        stored.plain[.isWebhookSecured] = "true"
        _ = state.reduce(.key(.character("u")))
        _ = state.reduce(.configLoaded(stored))
        let on = state.render().rows
        #expect(ConfigDialogAndEditorTests.words(on).contains("⚠ isWebhookSecured is on with no webhookAuthorization: serve refuses to start"), "\(on)")
        #expect(on[1].contains("⚠ config incomplete"))
        // Set: no warning.
        stored.webhookAuthorization = .init(mask: "••••9f2c", fingerprint: "hmac:0a1b2c3d", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(stored))
        #expect(!state.render().rows.joined().contains("serve refuses to start"))
    }

    @Test func productionProposesItAndSaysThatServeWaitsForTheApproval() {
        var state = Self.config(environment: "production")
        _ = state.reduce(.key(.character(" ")))
        Self.selectAuthorization(&state)
        _ = state.reduce(.key(.enter))
        for c in "Bearer abcdefgh" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character("w")))
        let dialog = ConfigDialogAndEditorTests.words(state.render().rows)
        #expect(dialog.contains("webhookAuthorization waits for a second person: until it is approved, serve refuses to start"), "\(dialog)")
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([ConfigEdit(field: .isWebhookSecured, value: "true")], authorization: "Bearer abcdefgh",
                                                                     expectedVersion: 4)])
    }

    @Test func anotherOperatorsWebhookAuthorizationIsNamedAndAskedAbout() {
        var state = Self.config()
        Self.selectAuthorization(&state)
        _ = state.reduce(.key(.enter))
        for c in "Bearer MINE-token-1111" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        // Meanwhile ana saves hers: the version moves and the row's fingerprint changes.
        var theirs = Fixture.config
        theirs.version += 1
        theirs.updatedBy = "ana"
        theirs.webhookAuthorization = .init(mask: "••••2222", fingerprint: "hmac:22222222", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(theirs))
        #expect(state.config.theirChange?.fields == [.webhookAuthorization])
        #expect(state.config.conflict?.contains("ana changed webhookAuthorization") == true, "\(state.config.conflict ?? "nil")")
        _ = state.reduce(.key(.character("w")))
        let dialog = state.render().rows.joined(separator: "\n")
        #expect(dialog.contains("webhookAuthorization (changed meanwhile by ana):"), "\(dialog)")
        #expect(dialog.contains("Overwrite their change to webhookAuthorization?"), "\(dialog)")
        #expect(!dialog.contains("MINE"))
    }
}
