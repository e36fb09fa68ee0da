import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// A pending `webhookAuthorization` change (roles.md, four eyes) on the Config screen: listed
/// with the six fields' changes, masked, selectable with j, and `a` asks, then goes to the store.
@Suite struct WebhookAuthorizationPendingTests {
    static let change = PendingChange(id: 9, field: .webhookAuthorization, proposedBy: "lena", proposedFrom: "ssh 203.0.113.9",
                                      proposedAt: FourEyesRevealReducerTests.change.proposedAt, expiresAt: FourEyesRevealReducerTests.change.expiresAt,
                                      old: "••••aaaa sha256:0badf00d", new: "••••zzzz sha256:5ca1ab1e", state: .pending)

    func production(size: Size) -> AppState {
        var state = Fixture.state(size: size, environment: "production")
        state.session.role = .admin
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.pendingLoaded([FourEyesRevealReducerTests.change, Self.change]))
        return state
    }

    @Test func itIsListedMaskedAndApprovedWithAThroughTheStore() {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 30)] {
            var state = production(size: size)
            let rows = state.render().rows
            #expect(rows.contains { $0.contains("Waiting for a second person (2)") })
            #expect(rows.contains { $0.contains("#9 webhookAuthorization ") && $0.contains("••••zzzz") }, "\(rows)")
            for _ in 0...ConfigScreen.rows.count { _ = state.reduce(.key(.character("j"))) }
            #expect(state.config.selectedPending == 9)
            let detail = state.render().rows.joined(separator: "\n")
            #expect(detail.contains("#9 webhookAuthorization proposed by lena@ssh 203.0.113.9"))
            #expect(detail.contains("now: ••••aaaa sha256:0badf00d → new: ••••zzzz sha256:5ca1ab1e"))
            // The detail whole, its last line too (the list gives way to it, windowed with j/k).
            #expect(detail.contains("until approved the old value stays in force; expires 2026-11-26 13:00:00"), "\(detail)")
            assertScreen(state, "config-pending-webhook-authorization")
            #expect(state.reduce(.key(.character("a"))).isEmpty, "a asks first")
            #expect(state.render().rows.contains { $0.contains("y approves: webhookAuthorization becomes the new value now, in PRODUCTION") })
            #expect(state.reduce(.key(.character("y"))) == [.decidePending(.approve, id: 9)])
            var decided = Self.change
            decided.state = .approved
            #expect(state.reduce(.pendingDecided(.approve, id: 9, .decided(decided))) == [.loadConfig])
            #expect(state.flash?.text == "#9 webhookAuthorization approved: now in force")
            #expect(state.config.pending.map(\.id) == [3])
        }
    }
}
