import CleoDomain
@testable import CleoStore
import Foundation
import Testing

/// A search that matches most rows (the first letter of a search as you type, `user-`) is read in
/// list order instead of being collected from the search indexes and sorted; a narrow one keeps
/// its indexes. Either way the pages are exactly the matching rows, newest first.
@Suite struct DenseSearchTests {
    let database: AppDatabase
    /// Every row, newest first.
    let all: [TransactionRecord]

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-dense-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try AppDatabase.open(path: folder + "/console.db")
        // Users `user-N`, merchant references `ORD-<seq>`, psp ids `psp-<hex seq>`.
        try database.benchmarkFill(transactions: AppDatabase.denseSearchMatches + 3_000)
        var everything = TransactionQuery()
        everything.limit = 0
        all = try database.transactions(everything)
    }

    /// The rows a search must give: a prefix of any searched column, ASCII case ignored.
    func matching(_ prefix: String) -> [TransactionRecord] {
        let prefix = prefix.lowercased()
        return all.filter { row in
            [row.id, row.pspTransactionID, row.userID, row.merchantReference].contains { $0?.lowercased().hasPrefix(prefix) ?? false }
        }
    }

    /// Every page of `query` down the list by keyset.
    func walk(_ query: TransactionQuery) throws -> [Int64] {
        var query = query
        var seen: [Int64] = []
        while true {
            let page = try database.transactions(query)
            seen += page.map(\.seq)
            guard page.count == query.limit, let last = page.last else { return seen }
            query.cursor = .olderThan(last.seq)
        }
    }

    @Test func aPrefixMatchingEveryRowIsReadInListOrderNotSorted() throws {
        var query = TransactionQuery()
        query.limit = 50
        query.search = " USER- "
        let plan = try database.queryPlan(query).joined(separator: "\n")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        #expect(!plan.contains("MULTI-INDEX OR"), "\(plan)")
        // Down the whole list: the dense pages first, then (fewer matches left below the
        // cursor than the threshold) the indexed ones; the same rows either way.
        query.limit = 700
        #expect(try walk(query) == matching("user-").map(\.seq))
        #expect(try database.countTransactions(query) == all.count)
    }

    @Test func aDenseSearchUnderSeveralStatusesStaysOnTheStatusIndex() throws {
        var query = TransactionQuery()
        query.limit = 50
        query.search = "user-"
        query.statuses = [.approved, .declined]
        let plan = try database.queryPlan(query).joined(separator: "\n")
        #expect(plan.contains("tx_status") && !plan.contains("TEMP B-TREE"), "\(plan)")
        query.limit = 500
        #expect(try walk(query) == matching("user-").filter { $0.status == .approved || $0.status == .declined }.map(\.seq))
    }

    @Test func aNarrowPrefixKeepsItsIndexes() throws {
        var query = TransactionQuery()
        query.limit = 50
        query.search = "ord-12"
        let expected = matching("ord-12")
        #expect(expected.count > 50 && expected.count < AppDatabase.denseSearchMatches)
        let plan = try database.queryPlan(query).joined(separator: "\n")
        #expect(plan.contains("tx_ref"), "\(plan)")
        #expect(try walk(query) == expected.map(\.seq))
        // And an id whole: its one row.
        query.search = all[1234].id.uppercased()
        #expect(try database.transactions(query).map(\.seq) == [all[1234].seq])
    }

    /// A count of a dense search reads the table in order (SQLite's OR over the search indexes
    /// collects every matching rowid first: 248 MB at 10M rows); a narrow one keeps the indexes.
    /// Both count exactly the matching rows.
    @Test func aDenseSearchIsCountedInListOrderANarrowOneOnItsIndexes() throws {
        for (prefix, dense) in [("u", true), ("user-79", false)] {
            var query = TransactionQuery()
            query.search = prefix
            let clause = try database.dbPool.read { db in try AppDatabase.countWhereClause(db, query, denseAt: 1_000) }
            #expect(clause?.0.contains("+user_id") == dense, "\(prefix)")
            let plan = try database.dbPool.read { db in
                try AppDatabase.queryPlanDetails(db, "SELECT count(*) FROM tx WHERE " + clause!.0, clause!.1)
            }
            #expect(plan.contains { $0.contains("MULTI-INDEX OR") } == !dense, "\(plan)")
            #expect(try database.countTransactions(query) == matching(prefix).count && matching(prefix).count > 0)
        }
        // The panel's counts under the dense search: every row, as the kept counts say.
        var dense = TransactionQuery()
        dense.search = "u"
        let counted = try database.transactionFacets(dense)
        let kept = try database.transactionFacets(TransactionQuery())
        for status in TransactionStatus.allCases {
            #expect(counted.count(status, in: dense) == kept.count(status, in: TransactionQuery()))
        }
    }
}
