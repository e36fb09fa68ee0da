import CleoDomain
import CleoStore
import Foundation
import Testing

/// The list's reads on a real SQLite file: several statuses at once (newest first, keyset
/// pages, indexed), and the filter panel's counts per value from one grouped query.
@Suite struct ListQueryTests {
    let database: AppDatabase
    let folder: String
    /// Every row, newest first (the reference the filtered reads are held against).
    let all: [TransactionRecord]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-list-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try AppDatabase.open(path: folder + "/console.db")
        // 80% Approved / 12% Declined / 8% Pending; CL/PE/MX in turn; pay-in 70%; every 997th flagged.
        try database.benchmarkFill(transactions: 3_000)
        var everything = TransactionQuery()
        everything.limit = 0
        all = try database.transactions(everything)
    }

    @Test func severalStatusesAreOneNewestFirstListPagedByKeyset() throws {
        var query = TransactionQuery()
        query.statuses = [.pending, .declined]
        query.region = .peru
        let expected = all.filter { ($0.status == .pending || $0.status == .declined) && $0.region == .peru }
        #expect(expected.count > 100)
        // Pages of 37 down the whole list, by keyset: the same rows, in the same order.
        var seen: [TransactionRecord] = []
        query.limit = 37
        for _ in 0..<100 {
            let page = try database.transactions(query)
            seen += page
            guard page.count == query.limit, let last = page.last else { break }
            query.cursor = .olderThan(last.seq)
        }
        #expect(seen.map(\.seq) == expected.map(\.seq))
        // And back up from the middle (the page above, nearest first, shown newest first).
        query.cursor = .newerThan(expected[60].seq)
        query.limit = 10
        #expect(try database.transactions(query).map(\.seq) == expected[50..<60].map(\.seq))
        query.cursor = .oldest
        #expect(try database.transactions(query).map(\.seq) == expected.suffix(10).map(\.seq))
        var counted = query
        counted.cursor = .newest
        #expect(try database.countTransactions(counted) == expected.count)
    }

    @Test func severalStatusesStayIndexed() throws {
        var query = TransactionQuery()
        query.limit = 50
        query.statuses = [.approved, .declined]
        let plan = try database.queryPlan(query).joined(separator: "\n")
        // One ordered arm per status on tx_status, merged: no sort of every matching row.
        #expect(plan.contains("tx_status"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        #expect(!plan.contains("SCAN tx\n") && !plan.hasSuffix("SCAN tx"), "\(plan)")
        // All three is no status filter at all.
        query.statuses = Set(TransactionStatus.allCases)
        #expect(!query.isFiltered)
        #expect(try database.transactions(query).map(\.seq) == all.prefix(50).map(\.seq))
    }

    @Test func theFacetsCountEachChoiceUnderTheOtherFilters() throws {
        var query = TransactionQuery()
        query.statuses = [.declined]
        query.method = .payOut
        let facets = try database.transactionFacets(query)
        func reference(_ keep: (TransactionRecord) -> Bool) -> Int { all.filter(keep).count }
        for status in TransactionStatus.allCases {
            // The status facet ignores the status filter, keeps the method.
            #expect(facets.count(status, in: query) == reference { $0.status == status && $0.method == .payOut })
        }
        for region in Region.allCases {
            #expect(facets.count(region, in: query) == reference { $0.region == region && $0.status == .declined && $0.method == .payOut })
        }
        for method in PaymentMethod.allCases {
            #expect(facets.count(method, in: query) == reference { $0.method == method && $0.status == .declined })
        }
        #expect(facets.countFlagged(in: query) == reference { !$0.flags.isEmpty && $0.status == .declined && $0.method == .payOut })
        // A filter that is not a facet narrows every count.
        var since = query
        since.since = all[999].firstSeenAt
        let narrowed = try database.transactionFacets(since)
        #expect(narrowed.count(.declined, in: since) == reference { $0.status == .declined && $0.method == .payOut && $0.firstSeenAt >= all[999].firstSeenAt })
    }
}
