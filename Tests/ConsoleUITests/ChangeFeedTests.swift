import CleoDomain
import CleoIngest
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// One feed of changes (issue 9): our follower's commits name the transactions they touched,
/// another process's may have changed anything; the screens reload only what may have changed.
@Suite struct ChangeFeedTests {
    func detailOpen(on record: TransactionRecord) -> AppState {
        var state = Fixture.state()
        while state.transactions.selectedID != record.id { _ = state.reduce(.key(.character("j"))) }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(record, Fixture.events, totalEvents: Fixture.events.count))
        #expect(state.screen == .detail)
        return state
    }

    func reloadsDetail(_ effects: [Effect]) -> Bool {
        effects.contains { if case .loadDetail = $0 { true } else { false } }
    }

    @Test func anOpenDetailIsNotReloadedForCommitsOfOtherTransactions() {
        var state = detailOpen(on: Fixture.rows[1])
        let other = state.reduce(.dataChanged(.ours(touched: [ByteKey(Fixture.rows[0].id), ByteKey("someone-else")])))
        #expect(!reloadsDetail(other))
        // The list behind it still follows.
        #expect(other.contains { if case .loadPage = $0 { true } else { false } })
        #expect(reloadsDetail(state.reduce(.dataChanged(.ours(touched: [ByteKey(Fixture.rows[1].id)])))))
        // Too many to list, or another process: anything may have changed.
        #expect(reloadsDetail(state.reduce(.dataChanged(.ours(touched: nil)))))
        #expect(reloadsDetail(state.reduce(.dataChanged(.foreign))))
    }

    @Test func idsAreComparedByTheirBytes() {
        // "ORDER-77" and "ORDER-77\0" are two transactions (issue 9): a commit of one is no
        // reason to reload the other.
        let change = DataChange.ours(touched: [ByteKey("ORDER-77\u{0}")])
        #expect(!change.mayHaveChanged("ORDER-77"))
        #expect(change.mayHaveChanged("ORDER-77\u{0}"))
    }

    @Test func ourFollowerNeverChangesTheConfigurationNorTheAudit() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        #expect(state.screen == .config)
        #expect(!state.reduce(.dataChanged(.ours(touched: []))).contains(.loadConfig))
        #expect(state.reduce(.dataChanged(.foreign)).contains(.loadConfig))
        _ = state.reduce(.key(.character("4")))
        #expect(state.screen == .audit)
        let isAuditLoad = { (effect: Effect) -> Bool in effect == AuditScreen.reload(state) }
        #expect(!state.reduce(.dataChanged(.ours(touched: nil))).contains(where: isAuditLoad))
        #expect(state.reduce(.dataChanged(.foreign)).contains(where: isAuditLoad))
    }

    @Test func changesWaitingTogetherMergeIntoWhatBothChanged() {
        let a = DataChange.ours(touched: [ByteKey("a")]), b = DataChange.ours(touched: [ByteKey("b")])
        #expect(a.merged(with: b) == .ours(touched: [ByteKey("a"), ByteKey("b")]))
        #expect(a.merged(with: .foreign) == .foreign)
        #expect(DataChange.foreign.merged(with: a) == .foreign)
        #expect(a.merged(with: .ours(touched: nil)) == .ours(touched: nil))
        let many = Set((0...BatchSummary.touchedLimit).map { ByteKey("id-\($0)") })
        #expect(a.merged(with: .ours(touched: Set(many.dropFirst()))) == .ours(touched: nil))
    }

    @Test func aRecoveredFollowerSaysSoOnce() {
        var state = Fixture.state()
        var snapshot = Fixture.follower
        snapshot.recovered = "recovered at 2026-12-02T10:00:00Z after: database is locked (since 2026-12-02T09:59:50Z)"
        _ = state.reduce(.followerChanged(snapshot))
        #expect(state.render().rows.contains { $0.contains("follower recovered at 2026-12-02T10:00:00Z") })
    }

    @Test func aLogThatIsNoFileToReadIsNamedInTheEmptyListAndOnTheEventsScreen() {
        var state = AppState(session: Fixture.session, size: Size(width: 100, height: 24), now: Fixture.now, eventsPath: "/var/log/cleo/events.jsonl")
        state.transactions.pageSize = state.bodyHeight - 2
        var snapshot = FollowerSnapshot(path: "/var/log/cleo/events.jsonl", phase: .waitingForLog)
        snapshot.waitingFor = "the events log /var/log/cleo/events.jsonl is a FIFO, not a regular file"
        _ = state.reduce(.followerChanged(snapshot))
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: Fixture.now), rows: [], total: 0, overdue: 0, newestSeq: nil)))
        #expect(state.render().rows.contains { $0.contains("No transactions yet: waiting, the events log /var/log/cleo/events.jsonl is a FIFO") })
        #expect(!state.render().rows.joined().contains("does not exist"))
        _ = state.reduce(.key(.character("3")))
        #expect(state.render().rows.joined().contains("○ waiting: the events log /var/log/cleo/events.jsonl is a FIFO"))
    }
}
