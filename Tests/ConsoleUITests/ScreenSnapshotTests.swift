import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Every screen and state rendered to text and compared with `Screens/` (fixed clock and zone).
@Suite struct ScreenSnapshotTests {
    @Test func transactionsList() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        state.transactions.marks["665f1c2e9b1d4a0012ab34cd"] = .init(isNew: true, until: Fixture.now.adding(milliseconds: 2000))
        assertScreen(state.render(), "transactions-list")
    }

    @Test func transactionsWide() {
        let state = Fixture.state(size: Size(width: 132, height: 30))
        assertScreen(state.render(), "transactions-wide")
    }

    @Test func transactionsProduction() {
        let state = Fixture.state(environment: "production")
        assertScreen(state.render(), "transactions-production")
    }

    @Test func transactionsWaitingForTheLog() {
        var state = AppState(session: Fixture.session, size: Size(width: 80, height: 24), now: Fixture.now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        _ = state.reduce(.followerChanged(FollowerInfo(phase: .waiting, path: "/var/log/cleo/webhook-events.jsonl")))
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: Fixture.now), rows: [], total: 0, overdue: 0, newestSeq: nil)))
        assertScreen(state.render(), "transactions-empty-waiting")
    }

    @Test func transactionsFiltersAndPause() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.key(.character(" ")))  // status: Pending
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character(" ")))  // country: CL
        assertScreen(state.render(), "transactions-filters")
        _ = state.reduce(.key(.escape))
        _ = state.reduce(.key(.character("p")))
        _ = state.reduce(.arrivalsCounted(12))
        assertScreen(state.render(), "transactions-paused")
    }

    @Test func transactionsSearch() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("/")))
        for c in "665f q1" { _ = state.reduce(.key(.character(c))) }
        assertScreen(state.render(), "transactions-search")
    }

    @Test func detailOfADeclinedPayOut() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(Fixture.rows[2], Fixture.events))
        assertScreen(state.render(), "detail-declined-payout")
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("r")))
        assertScreen(state.render(), "detail-raw")
    }

    @Test func configIncompleteEditingAndDiff() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        assertScreen(state.render(), "config-incomplete")
        for key: Key in [.character("j"), .character("j"), .character("j"), .character("j"), .enter] { _ = state.reduce(.key(key)) }
        for c in "http://merchant.example/hook" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        assertScreen(state.render(), "config-editor-refused")
        _ = state.reduce(.key(.ctrl("u")))
        for c in "https://merchant.example/hooks/cleo" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character("g")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        for c in "sk_live_mx_0123456789abcd" { _ = state.reduce(.key(.character(c))) }
        assertScreen(state.render(), "config-secret-editor")
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character("w")))
        assertScreen(state.render(), "config-diff")
    }

    @Test func configConflict() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        var newer = Fixture.config
        newer.version = 5
        newer.updatedBy = "jorge"
        _ = state.reduce(.configSaveFailed("the configuration was changed by jorge since it was loaded (now version 5); reload and apply again", newer))
        assertScreen(state.render(), "config-conflict")
    }

    @Test func eventsScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        _ = state.reduce(.rejectedLoaded([
            RejectedLine(id: 1, file: "/var/log/cleo/webhook-events.jsonl", line: 88, offset: 30_120, code: "UNSUPPORTED_CURRENCY",
                         message: "currency must be CLP, PEN or MXN (Cleo accepts no other)", raw: Array("{\"currency\":\"USD\"}".utf8), rawLength: 18, at: Fixture.now),
            RejectedLine(id: 2, file: "/var/log/cleo/webhook-events.jsonl", line: 412, offset: 160_002, code: "INVALID_JSON",
                         message: "not strict JSON: unexpected character at byte 17", raw: Array("{\"a\":1,\u{1B}]0;x\u{07}}".utf8), rawLength: 16, at: Fixture.now),
        ]))
        assertScreen(state.render(), "events")
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        assertScreen(state.render(), "events-raw")
    }

    @Test func auditScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("4")))
        _ = state.reduce(.auditLoaded([
            AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "chileApiKey",
                       old: nil, new: "••••9f3a sha256:1a2b3c4d", result: .saved, detail: nil),
            AuditEntry(id: 2, at: Fixture.now.adding(milliseconds: -5_400_000), user: "jorge", origin: "local", field: "webhookUrl",
                       old: nil, new: "http://merchant.example", result: .refused, detail: "must use https (got http)"),
            AuditEntry(id: 3, at: Fixture.now.adding(milliseconds: -3_600_000), user: "maria", origin: "ssh 203.0.113.9", field: "(all)",
                       old: nil, new: "version 4", result: .exported, detail: "config export"),
        ]))
        assertScreen(state.render(), "audit")
    }

    @Test func helpScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("?")))
        assertScreen(state.render(), "help")
    }

    @Test func tooSmall() {
        var state = Fixture.state()
        _ = state.reduce(.resized(Size(width: 60, height: 20)))
        assertScreen(state.render(), "too-small")
    }
}
