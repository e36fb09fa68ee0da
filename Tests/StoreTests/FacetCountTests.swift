import CleoDomain
import CleoIngest
@testable import CleoStore
import Foundation
import GRDB
import Testing

/// The filter panel's counts are kept in `tx_facet` by triggers (a grouped scan of 10M rows took
/// 32.8 s): whoever writes the rows — the follower, a bulk load, another program — the kept
/// counts are what a scan of `tx` counts.
@Suite struct FacetCountTests {
    let folder: String

    init() throws {
        folder = try makeTestFolder("cleo-facet")
    }

    /// Cells merged by their key (a missing country kept as '' and one written as NULL are one
    /// cell), empty ones left out: what the panel sums.
    func normalized(_ facets: TransactionFacets) -> [String: Int] {
        var cells: [String: Int] = [:]
        for cell in facets.cells {
            cells["\(cell.status.rawValue) \(cell.region?.countryCode ?? "-") \(cell.currency?.rawValue ?? "-") \(cell.method.rawValue) \(cell.flagged)", default: 0] += cell.count
        }
        return cells.filter { $0.value != 0 }
    }

    func keptAndCounted(_ database: AppDatabase, _ query: TransactionQuery = TransactionQuery()) throws -> (kept: [String: Int], counted: [String: Int]) {
        try database.dbPool.read { db in
            (normalized(try AppDatabase.facets(db, query)), normalized(try AppDatabase.facets(db, query, kept: false)))
        }
    }

    func event(_ id: String, status: String, currency: String? = nil, country: String? = nil, amount: String = "100") -> String {
        "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYOUT\",\"transaction_status\":\"\(status)\",\"status\":\"\",\"user_id\":\"u1\",\"amount\":\"\(amount)\""
            + (currency.map { ",\"currency\":\"\($0)\"" } ?? "") + (country.map { ",\"countryCode\":\"\($0)\"" } ?? "") + "}"
    }

    /// New transactions and every kind of change the follower makes to one: a status, a
    /// currency and country filled in later, a MISMATCH flag.
    var events: [String] {
        (0..<40).map { event("f-\($0)", status: "Pending") }
            + (0..<25).map { event("f-\($0)", status: $0 % 2 == 0 ? "Approved" : "Declined", currency: "MXN", country: "MX") }
            + [event("f-30", status: "Pending", amount: "999"), event("g-1", status: "Declined", currency: "PEN")]
    }

    func apply(_ lines: [String], with writer: IngestWriter) throws {
        guard case .applied = try applyAsFirstBatch(lines, log: folder + "/webhook-events.jsonl", with: writer) else {
            Issue.record("not applied")
            return
        }
    }

    func sqlite(_ script: String) throws {
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [folder + "/console.db", script]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
    }

    @Test func theKeptCountsAreWhatAScanCountsWhoeverWritesTheRows() throws {
        let database = try AppDatabase.open(path: folder + "/console.db")
        try database.benchmarkFill(transactions: 2_000)
        try apply(events, with: IngestWriter(database: database))
        var (kept, counted) = try keptAndCounted(database)
        #expect(kept == counted)
        #expect(counted.keys.contains { $0.hasPrefix("Approved MX MXN CLEO_PAYOUT false") } && counted.keys.contains { $0.hasSuffix("true") })
        // Another program: rows inserted with no country, statuses and flags changed, a country
        // taken away, a method changed, rows deleted, an update that changes nothing counted.
        try sqlite("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
            INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status, error_code, message,
                           psp_id, merchant_ref, flags, event_count, first_seen_at, order_at, updated_at, origin)
            SELECT 9000 + i, 'odd-' || i, 'CLEO_PAYIN', 'u1', '100', 10000, CASE WHEN i % 2 = 0 THEN 'CLP' END, NULL, 'Approved', 'APPROVED',
                   NULL, NULL, NULL, NULL, 0, 1, 1790000000000, 1790000000000, 1790000000000, NULL FROM n;
            UPDATE tx SET status = 'Declined' WHERE seq % 7 = 0;
            UPDATE tx SET flags = 2 WHERE seq % 11 = 0;
            UPDATE tx SET flags = 0 WHERE seq % 997 = 0 AND seq % 2 = 0;
            UPDATE tx SET country = NULL WHERE seq % 13 = 0;
            UPDATE tx SET method = 'CLEO_PAYIN' WHERE seq % 17 = 0;
            UPDATE tx SET status = status, message = 'same' WHERE seq % 5 = 0;
            DELETE FROM tx WHERE seq % 19 = 0;
            """)
        (kept, counted) = try keptAndCounted(database)
        #expect(kept == counted)
        let rows = try database.dbPool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tx") ?? 0 }
        #expect(kept.values.reduce(0, +) == rows && rows > 1_900)
        // Under a facet's own filter the kept counts answer as well (the panel sums them).
        var declined = TransactionQuery()
        declined.statuses = [.declined]
        declined.region = .mexico
        (kept, counted) = try keptAndCounted(database, declined)
        #expect(kept == counted)
    }

    @Test func thePanelReadsTheKeptCountsUnlessAnotherFilterNarrowsTheRows() throws {
        let database = try AppDatabase.open(path: folder + "/console.db")
        try database.benchmarkFill(transactions: 500)
        let before = try database.transactionFacets(TransactionQuery()).count(.approved, in: TransactionQuery())
        // A count changed in the table alone shows: the panel did not scan `tx`.
        try sqlite("UPDATE tx_facet SET n = n + 1000 WHERE status = 'Approved' AND country = 'CL' AND method = 'CLEO_PAYIN' AND flagged = 0")
        #expect(try database.transactionFacets(TransactionQuery()).count(.approved, in: TransactionQuery()) == before + 1000)
        // Under a user's filter (not a facet) the rows are counted, through the user's index.
        var user = TransactionQuery()
        user.userID = "user-7919"
        let listed = try database.transactions(user).filter { $0.status == .approved }.count
        #expect(try database.transactionFacets(user).count(.approved, in: user) == listed && listed > 0)
    }

    @Test func aDatabaseFromBeforeTheTableIsCountedOnceWhenOpened() throws {
        var database: AppDatabase? = try AppDatabase.open(path: folder + "/console.db")
        try database?.benchmarkFill(transactions: 1_000)
        try apply(events, with: IngestWriter(database: database!))
        try database?.dbPool.close()
        database = nil
        // The database as an earlier version left it: no table, no triggers, its migration not run.
        try sqlite("""
            DROP TRIGGER tx_facet_insert; DROP TRIGGER tx_facet_delete; DROP TRIGGER tx_facet_update; DROP TABLE tx_facet;
            DELETE FROM grdb_migrations WHERE identifier = 'v5-facet-counts';
            """)
        let reopened = try AppDatabase.open(path: folder + "/console.db")
        let (kept, counted) = try keptAndCounted(reopened)
        #expect(kept == counted && kept.values.reduce(0, +) == 1_041)
    }

    @Test func aBulkLoadKeepsTheCounts() throws {
        let database = try AppDatabase.open(path: folder + "/console.db")
        guard let bulk = try database.beginBulkLoad() else {
            Issue.record("no bulk load on an empty database")
            return
        }
        try apply(events, with: bulk.writer)
        try bulk.finish()
        let reopened = try AppDatabase.open(path: folder + "/console.db")
        let (kept, counted) = try keptAndCounted(reopened)
        #expect(kept == counted && kept.values.reduce(0, +) == 41)
    }
}
