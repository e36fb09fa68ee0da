import CleoDomain
@testable import CleoStore
import Foundation
import Testing

/// A message may be up to 1 MiB (a line's limit). The console's timeline keeps 4 KiB of each,
/// cut between characters and saying how much is left out; `tx show` and the raw view keep it whole.
@Suite struct MessageExcerptTests {
    @Test func theConsolesTimelineKeepsAnExcerptTheCLIAndTheRawViewTheWholeMessage() throws {
        let folder = try makeTestFolder("cleo-excerpt")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: folder + "/console.db")
        // A two-byte character across the cut: the excerpt stops before it.
        let message = String(repeating: "a", count: AppDatabase.messageExcerptBytes - 1) + "é" + String(repeating: "x", count: 900_000)
        let lines = ["Pending", "Approved"].map {
            "{\"transaction_id\":\"big-1\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\($0)\",\"status\":\"\",\"user_id\":\"u1\",\"amount\":\"100\",\"message\":\"\(message)\"}"
        }
        guard case .applied = try applyAsFirstBatch(lines, log: folder + "/webhook-events.jsonl", with: IngestWriter(database: database)) else {
            Issue.record("not applied")
            return
        }
        let excerpt = String(repeating: "a", count: AppDatabase.messageExcerptBytes - 1) + " … (900002 bytes more: the raw line has it whole)"
        guard case .loaded(let record, let detail, _) = try database.transactionDetail(id: "big-1", knownEventCount: nil, eventLimit: 500) else {
            Issue.record("no detail")
            return
        }
        #expect(detail.map(\.message) == [excerpt, excerpt])
        #expect(try database.timeline(txSeq: record.seq, window: .newest, limit: 500).events.map(\.message) == [excerpt, excerpt])
        #expect(try database.transaction(id: "big-1")?.1.map(\.message) == [message, message])
        let raw = try database.eventRaw(rowID: detail[1].rowID)
        #expect(raw.map { String(decoding: $0, as: UTF8.self) } == lines[1])
        // Short messages are whole.
        #expect(AppDatabase.excerpt("déjà vu", bytes: 9) == "déjà vu" && AppDatabase.excerpt(nil, bytes: 1) == nil)
        #expect(AppDatabase.excerpt("déjà", bytes: 2) == "d … (5 bytes more: the raw line has it whole)")
    }
}
