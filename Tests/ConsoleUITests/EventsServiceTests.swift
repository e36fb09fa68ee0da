import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// serve.md, "What the console shows": the Events screen shows serve's state (receiving, last
/// delivery, refusals) from the state file the frame reads.
@Suite struct EventsServiceTests {
    static func service(secured: Bool = true) -> ServiceState {
        ServiceState(pid: 1, listen: "http://127.0.0.1:8080", isSecured: secured, startedAt: Fixture.now.adding(milliseconds: -600_000),
                     beatAt: Fixture.now.adding(milliseconds: -1_000), lastDeliveryAt: Fixture.now.adding(milliseconds: -3_000),
                     deliveriesLastHour: 120, refusalsLastHour: 1_204, stoppedAt: nil)
    }

    /// The Events screen as the fixture's follower (7 rejected) and `service()` (1,204 refused
    /// in the last hour) would have it: the lists hold what the counts say.
    static func events(environment: String = "sandbox") -> AppState {
        var state = Fixture.state(environment: environment)
        _ = state.reduce(.key(.character("3")))
        _ = state.reduce(.rejectedLoaded((1...7).reversed().map {
            RejectedLine(id: Int64($0), file: "/var/log/cleo/webhook-events.jsonl", line: Int64($0) * 150, offset: Int64($0) * 60_000, code: "INVALID_JSON",
                         message: "not strict JSON: unexpected end of input", raw: [], rawLength: 40, at: Fixture.now)
        }, total: 7))
        _ = state.reduce(.refusedLoaded((1...3).reversed().map {
            RefusedDelivery(id: Int64(1_201 + $0), at: Fixture.now.adding(milliseconds: -Int64($0) * 1_000), remote: "203.0.113.50", status: 401,
                            reason: "missing Authorization header")
        }, total: 1_204))
        return state
    }

    func screen(_ state: AppState) -> String { state.render().rows.joined(separator: "\n") }

    @Test func withoutAStateFileTheScreenHasNoServeSection() {
        #expect(!screen(Self.events()).contains("serve"))
    }

    @Test func receivingStoppedAndNotSeen() {
        var state = Self.events()
        var service = Self.service()
        _ = state.reduce(.serviceStateRead(service))
        #expect(screen(state).contains("serve           ● receiving on http://127.0.0.1:8080 · secured"), "\(screen(state))")
        #expect(screen(state).contains("last delivery   2026-11-25 14:59:57 (3 s ago) · last hour: 1,204 refused"), "\(screen(state))")
        service.lastDeliveryAt = nil
        service.stoppedAt = Fixture.now.adding(milliseconds: -30_000)
        _ = state.reduce(.serviceStateRead(service))
        // Longer than the row at 80 columns: wrapped under its label, between words.
        #expect(screen(state).contains("stopped 2026-11-25 14:59:30 (30 s ago) ·"), "\(screen(state))")
        #expect(screen(state).contains("                  http://127.0.0.1:8080 · secured"), "\(screen(state))")
        #expect(screen(state).contains("last delivery   none yet"))
        service.stoppedAt = nil
        service.beatAt = Fixture.now.adding(milliseconds: -60_000)
        _ = state.reduce(.serviceStateRead(service))
        #expect(screen(state).contains("✗ not seen since 2026-11-25 14:59:00 (1 min ago)"), "\(screen(state))")
        // The file gone: the section too.
        _ = state.reduce(.serviceStateRead(nil))
        #expect(!screen(state).contains("serve "))
    }

    /// In production an unsecured receiver is a warning here as in the frame; elsewhere a fact.
    @Test func unsecuredInProductionIsAWarning() throws {
        var production = Self.events(environment: "production")
        _ = production.reduce(.serviceStateRead(Self.service(secured: false)))
        let canvas = production.render()
        let y = try #require(canvas.rows.firstIndex { $0.contains("⚠ receiving on") })
        #expect(canvas[18, y].role == .warning)
        var sandbox = Self.events()
        _ = sandbox.reduce(.serviceStateRead(Self.service(secured: false)))
        #expect(screen(sandbox).contains("● receiving on http://127.0.0.1:8080 · not secured"))
    }

    /// The listen address is another process's text: a control character never reaches the terminal.
    @Test func theAddressIsSanitised() {
        var state = Self.events()
        var service = Self.service()
        service.listen = "http://\u{1B}[2J127.0.0.1:8080"
        _ = state.reduce(.serviceStateRead(service))
        #expect(!screen(state).contains("\u{1B}") && screen(state).contains("␛[2J"), "\(screen(state))")
    }
}
