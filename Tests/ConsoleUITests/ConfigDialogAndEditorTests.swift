import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The Config screen's editor box and write dialog as an outside tester walked them at 80x24:
/// the box is whole inside the body, a refusal is read whole and goes when the text changes,
/// an unsaved key shows the fingerprint it is stored with, production says it proposes, and the
/// conflict's question stays in view.
@Suite struct ConfigDialogAndEditorTests {
    static func config(environment: String = "sandbox") -> AppState {
        var state = Fixture.state(environment: environment)
        _ = state.reduce(.key(.character("2")))
        return state
    }

    /// The words inside the frame, with borders and spacing folded (a wrapped line reads on).
    static func words(_ rows: [String]) -> String {
        rows.joined(separator: " ").replacingOccurrences(of: "│", with: " ").split(separator: " ").joined(separator: " ")
    }

    @Test func theEditorBoxStaysInTheBodyWithTheWarningShown() {
        var state = Self.config()
        // The tester's walk: secured, toggled off (unsaved, the warning shown), then a webhookUrl
        // cut in its cell (whole under the list) edited.
        var stored = Fixture.config
        stored.plain[.isWebhookSecured] = "true"
        stored.plain[.webhookUrl] = "https://hooks.merchant.example/cleo/webhooks/v2/receive?tenant=mozarto-merchant-42&region=latam"
        stored.webhookAuthorization = .init(mask: "••••9f2c", fingerprint: "hmac:0a1b2c3d", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(stored))
        _ = state.reduce(.key(.character(" ")))
        #expect(state.render().rows.joined().contains("⚠ isWebhookSecured is off"))
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        let rows = state.render().rows
        let body = state.frame.body
        let tops = (body.y..<body.bottom).filter { rows[$0].contains("┌─ Edit webhookUrl") }
        let bottoms = (body.y..<body.bottom).filter { rows[$0].hasPrefix(" └─") }
        #expect(tops.count == 1 && bottoms.count == 1, "the box's top and bottom borders inside the body: \(rows)")
        #expect(rows[state.frame.status.y].contains("following"), "the status line is the status line")
        assertScreen(state, "config-editor-over-notes")
    }

    @Test func aKeysRefusalIsReadWholeUnderItsCharacterCount() throws {
        var state = Self.config()
        _ = state.reduce(.key(.enter))  // chileApiKey
        _ = state.reduce(.key(.paste("sk live key")))
        _ = state.reduce(.key(.enter))
        let error = try #require(state.config.editorError)
        let rows = state.render().rows
        #expect(Self.words(rows).contains("✗ chileApiKey: " + error), "\(rows)")
        #expect(rows.contains { $0.contains("11 characters") })
        let bottoms = (state.frame.body.y..<state.frame.body.bottom).filter { rows[$0].hasPrefix(" └─") }
        #expect(bottoms.count == 1, "\(rows)")
        assertScreen(state, "config-key-editor-refused")
    }

    @Test func aRefusalGoesWhenTheTextChangesAndStaysWhenItDoesNot() {
        var state = Self.config()
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.ctrl("u")))
        _ = state.reduce(.key(.paste("http://merchant.example/hook")))
        _ = state.reduce(.key(.enter))
        #expect(state.config.editorError != nil)
        _ = state.reduce(.key(.left))
        #expect(state.config.editorError != nil, "a caret move changes nothing the refusal judged")
        _ = state.reduce(.key(.ctrl("u")))
        #expect(state.config.editorError == nil)
        _ = state.reduce(.key(.paste("https://merchant.example/hook")))
        #expect(!state.render().rows.joined().contains("✗ webhookUrl"))
    }

    @Test func anUnsavedKeyShowsTheFingerprintItIsStoredWithOrOnlyItsMask() {
        var state = Self.config()
        state.config.selected = .mexicoApiKey
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.paste("sk_live_mx_NEW_WXYZ")))
        #expect(state.reduce(.key(.enter)) == [.fingerprintSecret(.config(.mexicoApiKey), "sk_live_mx_NEW_WXYZ")])
        func row() -> String { state.render().rows.first { $0.contains("cleoApiKey.mexicoApiKey") } ?? "" }
        // Never the unkeyed hash: it is not what is saved.
        #expect(row().contains("••••WXYZ") && !row().contains("sha256:"), "\(row())")
        // An answer for an older value is dropped.
        _ = state.reduce(.secretFingerprinted(.config(.mexicoApiKey), value: "sk_live_mx_OLD_AAAA", fingerprint: "hmac:00000000", unavailable: nil))
        #expect(!row().contains("hmac:"))
        _ = state.reduce(.secretFingerprinted(.config(.mexicoApiKey), value: "sk_live_mx_NEW_WXYZ", fingerprint: "hmac:3bc98e10", unavailable: nil))
        #expect(row().contains("••••WXYZ hmac:3bc98e10"), "\(row())")
        _ = state.reduce(.key(.character("w")))
        #expect(state.render().rows.joined().contains("new: ••••WXYZ hmac:3bc98e10"))
        _ = state.reduce(.key(.escape))
        // No key file yet: the mask alone, and the dialog says why.
        state.config.editFingerprints = [:]
        _ = state.reduce(.secretFingerprinted(.config(.mexicoApiKey), value: "sk_live_mx_NEW_WXYZ", fingerprint: nil,
                                              unavailable: "no key file yet: it is made by the first save"))
        _ = state.reduce(.key(.character("w")))
        let dialog = Self.words(state.render().rows)
        #expect(dialog.contains("new: ••••WXYZ") && dialog.contains("Fingerprints are shown once saved: no key file yet"), "\(dialog)")
    }

    @Test func productionSaysYProposesAndListsTheProposalAtOnce() throws {
        var state = Self.config(environment: "production")
        _ = state.reduce(.pendingLoaded([FourEyesRevealReducerTests.change]))
        state.config.selected = .mexicoApiKey
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.paste("sk_live_mx_NEW_WXYZ")))
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character("w")))
        let rows = state.render().rows
        let dialog = Self.words(rows)
        #expect(dialog.contains("y proposes mexicoApiKey: a second person approves; the old value stays in force until then · n/Esc cancels"), "\(dialog)")
        #expect(!dialog.contains("y writes"))
        #expect(rows[state.size.height - 1].contains("y propose  n/Esc cancel"), "\(rows[state.size.height - 1])")
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([ConfigEdit(field: .mexicoApiKey, value: "sk_live_mx_NEW_WXYZ")], expectedVersion: 4)])
        let proposal = PendingChange(id: 7, field: .config(.mexicoApiKey), proposedBy: "ops", proposedFrom: "ssh 203.0.113.9", proposedAt: Fixture.now,
                                     expiresAt: Fixture.now.adding(milliseconds: FourEyes.expiryMilliseconds), old: nil, new: "••••WXYZ hmac:3bc98e10",
                                     state: .pending)
        #expect(state.reduce(.configSaved(Fixture.config, proposed: [proposal])) == [.loadConfig], "the pending list is read again")
        #expect(state.config.pending.map(\.id) == [3, 7])
        #expect(state.render().rows.contains { $0.contains("Waiting for a second person (2)") })
        let flash = try #require(state.flash?.text)
        #expect(flash.contains("proposed #7 mexicoApiKey: waits for a second person to approve (a here, or config approve 7)"), "\(flash)")
        // A mixed save writes some and proposes the others, and says which.
        _ = state.reduce(.key(.character("g")))
        state.config.edits[.webhookUrl] = "https://merchant.example/hook"
        state.config.edits[.peruApiKey] = "sk_live_pe_NEW_ABCD"
        _ = state.reduce(.key(.character("w")))
        #expect(Self.words(state.render().rows).contains("y writes webhookUrl (version 4 → 5) and proposes peruApiKey: a second person approves"))
    }

    @Test func theConflictQuestionStaysInViewAndGScrollsTheDialog() throws {
        var state = Self.config()
        let url = "https://hooks.merchant.example/cleo/webhooks/v2/receive?tenant=mozarto-merchant-42&region=latam&signature=required"
        state.config.edits[.webhookUrl] = url
        state.config.edits[.chileApiKey] = "sk_live_CL_NEVER_SHOWN_0000_9f3a_new1"
        state.config.edits[.customerExternalKeyForCleo] = "mozarto-merchant-43"
        state.config.edits[.peruApiKey] = "sk_live_PE_NEVER_SHOWN_0000_77b1_new2"
        state.config.edits[.mexicoApiKey] = "sk_live_MX_NEVER_SHOWN_0000_abcd_new3"
        state.config.authorizationEdit = "Bearer NEVER_SHOWN_0000_wxyz"
        var newer = Fixture.config
        newer.version = 5
        newer.updatedBy = "jorge"
        newer.plain[.webhookUrl] = "https://other.example/hook"
        _ = state.reduce(.configLoaded(newer))
        _ = state.reduce(.key(.character("w")))
        let question = "Overwrite their change to webhookUrl?"
        let limit = ConfigScreen.diffLayout(state, in: state.frame.body).maxScroll
        #expect(limit > 0, "the values are taller than the dialog")
        #expect(state.render().rows.contains { $0.contains(question) && $0.contains("y overwrites") })
        #expect(state.reduce(.key(.character("G"))).isEmpty)
        #expect(state.config.confirmingWrite, "G scrolls; it does not cancel")
        #expect(state.config.diffScroll == limit)
        let end = state.render().rows
        #expect(end.contains { $0.contains(question) })
        #expect(end.contains { $0.contains("\(limit + ConfigScreen.diffLayout(state, in: state.frame.body).room) of") })
        _ = state.reduce(.key(.home))
        #expect(state.config.confirmingWrite && state.config.diffScroll == 0)
        _ = state.reduce(.key(.end))
        #expect(state.config.diffScroll == limit)
        assertScreen(state, "config-write-conflict-scrolled")
    }
}
