import CleoDomain
import Foundation
import Testing
@testable import CleoStore

/// The writer keeps recent transactions in memory between batches; a message may be up to
/// 1 MiB, so what it keeps is bounded in bytes as well as in count (400 lines of 1 MiB
/// messages held 400 MB through a load).
@Suite struct WriterMemoryTests {
    func line(_ id: String, _ status: String, message: String) -> String {
        "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\(status)\",\"status\":\"\","
            + "\"user_id\":\"u1\",\"message\":\"\(message)\"}"
    }

    @Test func longMessagesAreNotKeptPastTheTextBudgetAndStayWholeInTheDatabase() throws {
        let folder = try makeTestFolder("cleo-writer-memory")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: folder + "/console.db")
        let writer = IngestWriteProtocolTests.Writer(database, log: "/a.jsonl")
        writer.writer.cacheTextLimit = 2 << 20
        let long = String(repeating: "m", count: 900_000)
        var most = 0
        for index in 0..<8 {
            try writer.apply([line("BIG-\(index)", "Pending", message: long)])
            most = max(most, writer.writer.cachedTransactions)
        }
        #expect(most <= 3, "kept \(most) transactions of 900 KB messages with a 2 MiB budget")
        // Short messages are kept as before: the budget is bytes, not a smaller count.
        for index in 0..<50 { try writer.apply([line("SMALL-\(index)", "Pending", message: "ok")]) }
        #expect(writer.writer.cachedTransactions >= 50)
        // A transaction no longer in memory is read back and completed with its message whole.
        try writer.apply([line("BIG-0", "Approved", message: long + "!")])
        let row = try #require(try database.transaction(id: "BIG-0")?.0)
        #expect(row.status == .approved && row.eventCount == 2)
        #expect(row.message?.utf8.count == 900_001)
    }
}
