import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import Testing

/// Typing a search counts each prefix as it is typed; a one-letter prefix matches nearly every
/// row (4.5 s of counting at 10M). A count for other filters stops the one running, on its own
/// connection only; a count for the same filters (new rows under a feed) lets it finish.
@Suite struct CountCancelTests {
    let database: AppDatabase

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-count-cancel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try AppDatabase.open(path: folder + "/console.db")
        try database.benchmarkFill(transactions: Self.rows)
    }

    /// Enough for a dense count to run a few hundred milliseconds (one fill for both checks).
    static let rows = 120_000

    /// "u" matches every user (`user-…`): a count reading every row, the panel's grouped count
    /// under it too.
    func request(_ search: String, facets: Bool = false, atOrBelow: Int64? = nil) -> CountRequest {
        var query = TransactionQuery()
        query.search = search
        return CountRequest(filters: query, atOrBelow: atOrBelow, facets: facets)
    }

    /// The counts posted until `last` is (counts run one at a time: any before it have been
    /// posted by then), or 20 s passed.
    func loaded(_ mailbox: Mailbox, until last: CountRequest) async throws -> [CountRequest] {
        var requests: [CountRequest] = []
        for _ in 0..<2_000 where requests.last != last {
            for case .countsLoaded(let request, _) in mailbox.drain() { requests.append(request) }
            try await Task.sleep(for: .milliseconds(10))
        }
        return requests
    }

    @Test func aCountForOtherFiltersStopsTheOneRunning() async throws {
        let mailbox = Mailbox()
        let runner = EffectRunner(database: database, mailbox: mailbox, actor: Actor(user: "test", origin: "local"), clock: { .now() })
        let slow = request("u", facets: true)
        let typed = request("user-7919")
        func startSlow() async throws {
            runner.perform(.countTransactions(slow))
            for _ in 0..<5_000 where !runner.isCounting { try await Task.sleep(for: .milliseconds(1)) }
        }
        // On a machine busy enough the slow count may end before the next key: tried again then.
        var answered: [CountRequest] = []
        for _ in 0..<5 {
            try await startSlow()
            runner.perform(.countTransactions(typed))
            answered = try await loaded(mailbox, until: typed)
            if answered != [slow, typed] { break }
        }
        #expect(answered == [typed])
        // The same filters again (a feed's re-count, the window moved): both are answered.
        let moved = request("u", facets: true, atOrBelow: 100)
        try await startSlow()
        runner.perform(.countTransactions(moved))
        #expect(try await loaded(mailbox, until: moved) == [slow, moved])

        // Cancelled before it starts: it stops at its first statement and throws.
        var query = TransactionQuery()
        query.search = "u"
        let token = CancelToken()
        token.cancel()
        #expect(throws: CancellationError.self) {
            try database.countTransactions(query, atOrAfter: nil, overdue: TransactionQuery(), facets: true, cancel: token)
        }
        // Not cancelled, the same count answers, and the connection counts on without the token.
        let counted = try database.countTransactions(query, atOrAfter: nil, overdue: TransactionQuery(), cancel: CancelToken())
        #expect(counted.total == Self.rows)
        #expect(try database.countTransactions(query, atOrAfter: nil, overdue: TransactionQuery()).total == Self.rows)
    }
}
