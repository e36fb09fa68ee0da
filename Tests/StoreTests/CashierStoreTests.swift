import CleoDomain
import CleoIngest
import CleoStore
import Foundation
import Testing

/// The cashier's writes: the history, each region's last test, and the Pending transaction
/// that the webhook later settles in the same row — also under a writer of the same process
/// that remembers the table (its cache and "ids seen" set).
@Suite struct CashierStoreTests {
    let folder: String
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-cashier-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func send(_ result: CashierOutcome.Result, id: String?, region: Region = .chile, at: Int64 = 1_790_000_000_500, code: String? = nil) -> CashierSendRecord {
        CashierSendRecord(at: Timestamp(millisecondsSince1970: at), user: "ops", origin: "local", environment: "sandbox",
                          baseURL: "http://127.0.0.1:1", region: region, method: .payIn, userID: "u1", amount: "10000",
                          currency: region.currency.rawValue, keyFingerprint: "sha256:00aa11bb", result: result.rawValue,
                          httpStatus: 200, errorCode: code, message: nil, transactionID: id, sessionID: "s-1")
    }

    @Test func aCreatedSendIsListedAtOnceAsPendingAndTheWebhookSettlesTheSameRow() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: (folder as NSString).appendingPathComponent("console.db"))
        // The console's own writer, warm: it started on an empty table, so an id it has not
        // seen is "certainly new" to it unless it learns that someone else wrote.
        let writer = IngestWriteProtocolTests.Writer(database, log: "/w.jsonl")
        try writer.apply([#"{"transaction_id":"A","method":"CLEO_PAYIN","transaction_status":"Pending","status":"","user_id":"u1"}"#])

        #expect(try database.recordCashierSend(send(.created, id: "C")) == true)
        let (pending, _) = try #require(try database.transaction(id: "C"))
        #expect(pending.status == .pending && pending.eventCount == 0 && pending.amount?.literal == "10000" && pending.region == .chile)
        #expect(try database.transactionOrigin(id: "C") == "cashier")
        #expect(try database.transactions(TransactionQuery()).map(\.id) == ["C", "A"])

        try writer.apply([#"{"transaction_id":"C","method":"CLEO_PAYIN","transaction_status":"Approved","status":"OK","user_id":"u1","amount":"10000","currency":"CLP","countryCode":"CL"}"#],
                         at: 1_790_000_001_000)
        let (settled, events) = try #require(try database.transaction(id: "C"))
        #expect(settled.seq == pending.seq)
        #expect(settled.status == .approved && settled.flags == [] && settled.eventCount == 1 && events.count == 1)
        #expect(try database.transactionOrigin(id: "C") == "cashier")
        #expect(try database.transactions(TransactionQuery()).count == 2)
    }

    @Test func aSendThatCreatedNothingListsNothingAndTheLastTestIsPerRegion() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: (folder as NSString).appendingPathComponent("console.db"))
        #expect(try database.recordCashierSend(send(.refused, id: "R", code: "INVALID_PSP_CREDENTIALS")) == false)
        #expect(try database.recordCashierSend(send(.created, id: nil, at: 1_790_000_000_600)) == false)
        #expect(try database.recordCashierSend(send(.failing, id: nil, region: .peru, at: 1_790_000_000_700)) == false)
        #expect(try database.transactions(TransactionQuery()).isEmpty)
        let tests = try database.cashierLastTests()
        #expect(tests[.chile] == CashierLastTest(at: Timestamp(millisecondsSince1970: 1_790_000_000_600), result: "created", errorCode: nil))
        #expect(tests[.peru]?.result == "failing")
        #expect(tests[.mexico] == nil)
        #expect(try database.cashierHistory().map(\.result) == ["refused", "created", "failing"])
    }

    @Test func aTransactionTheWebhookListedFirstIsLeftAsItIs() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: (folder as NSString).appendingPathComponent("console.db"))
        let writer = IngestWriteProtocolTests.Writer(database, log: "/w.jsonl")
        try writer.apply([#"{"transaction_id":"W","method":"CLEO_PAYIN","transaction_status":"Approved","status":"","user_id":"u1"}"#])
        #expect(try database.recordCashierSend(send(.created, id: "W")) == false)
        #expect(try database.transaction(id: "W")?.0.status == .approved)
        #expect(try database.transactionOrigin(id: "W") == nil)
    }
}
