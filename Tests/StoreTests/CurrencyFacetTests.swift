import CleoDomain
import CleoIngest
import CleoStore
import Foundation
import Testing

/// Currency is a column of its own: the parser takes a lone currency's country from it (CLP → CL),
/// but rows written from outside (another process, an older build) may carry CLP with no country
/// or CLP beside PE. A currency filter is that currency with its own country (so the country's
/// index answers), and the panel counts it the same way: a choice's count is what choosing it lists.
@Suite struct CurrencyFacetTests {
    func event(_ id: String, status: String = "Approved", currency: String? = nil, country: String? = nil) -> String {
        "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\(status)\",\"status\":\"\",\"user_id\":\"u1\",\"amount\":\"100\""
            + (currency.map { ",\"currency\":\"\($0)\"" } ?? "") + (country.map { ",\"countryCode\":\"\($0)\"" } ?? "") + "}"
    }

    @Test func aCurrencysCountIsWhatChoosingItLists() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-currency-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: folder + "/console.db")
        // Ingested: 10 in CLP with no country (CL taken from it), 3 CL/CLP, 2 PE/PEN, and one CLP
        // then PE/PEN (a MISMATCH: the first currency and its country kept, in step).
        let lines = (0..<10).map { event("clp-\($0)", currency: "CLP") } + (0..<3).map { event("cl-\($0)", currency: "CLP", country: "CL") }
            + (0..<2).map { event("pe-\($0)", currency: "PEN", country: "PE") }
            + [event("mix-1", status: "Pending", currency: "CLP"), event("mix-1", currency: "PEN", country: "PE")]
        guard case .applied = try applyAsFirstBatch(lines, log: "/var/log/cleo/webhook-events.jsonl", with: IngestWriter(database: database)) else {
            Issue.record("not applied")
            return
        }
        var everything = TransactionQuery()
        everything.limit = 0
        let ingested = try database.transactions(everything)
        #expect(ingested.filter { $0.currency == .clp }.allSatisfy { $0.region == .chile } && ingested.count == 16)
        #expect(ingested.first { $0.id == "mix-1" }?.flags.contains(.mismatch) == true)
        // Written from outside: 10 rows in CLP with no country, 1 in CLP beside PE.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [folder + "/console.db", """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11)
            INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status, error_code, message,
                           psp_id, merchant_ref, flags, event_count, first_seen_at, order_at, updated_at, origin)
            SELECT 100 + i, 'odd-' || i, 'CLEO_PAYIN', 'u1', '100', 10000, 'CLP', CASE WHEN i = 11 THEN 'PE' END, 'Approved', 'APPROVED',
                   NULL, NULL, NULL, NULL, 0, 1, 1790000000000, 1790000000000, 1790000000000, NULL FROM n;
            """]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)

        let facets = try database.transactionFacets(TransactionQuery())
        for currency in Currency.allCases {
            var chosen = everything
            chosen.currency = currency
            let listed = try database.transactions(chosen)
            #expect(listed.allSatisfy { $0.currency == currency })
            #expect(facets.count(currency, in: TransactionQuery()) == listed.count, "\(currency)")
            #expect(try database.countTransactions(chosen) == listed.count)
        }
        // The rows written from outside are under no currency (CLP alone, or beside PE).
        #expect(facets.count(.clp, in: TransactionQuery()) == 14 && facets.count(.pen, in: TransactionQuery()) == 2)
        // The country keeps its own column: CL 14, PE 3 (the row in CLP beside PE is PE's).
        #expect(facets.count(.chile, in: TransactionQuery()) == 14 && facets.count(.peru, in: TransactionQuery()) == 3)
        // Under a currency chosen, the country counts keep it: CLP is Chile's alone.
        var clp = TransactionQuery()
        clp.currency = .clp
        #expect(facets.count(.peru, in: clp) == 0 && facets.count(.chile, in: clp) == 14)
    }
}
