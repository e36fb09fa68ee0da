import CleoFollower
import CleoStore
import Foundation
import Testing
@testable import CleoService

/// A failed group commit under a follower reading the same log (serve's own, or a console's):
/// every line is applied once. Cutting a failed batch's whole lines back, as serve once did, made
/// the follower see the log shorter than what it had applied — a truncation, and the whole log
/// applied again (or, had the next batch already grown it past, a read from mid-line).
extension GroupCommitLogTests {
    static func webhookLine(_ id: String) -> [UInt8] {
        Array(("{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"PENDING\","
            + "\"user_id\":\"u1\",\"amount\":\"1000\",\"currency\":\"CLP\"}\n").utf8)
    }

    @Test func aFailedFdatasyncAfterTheFollowerReadItsLinesAppliesEveryLineOnce() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let failing = LockedBox(false)
        let release = DispatchSemaphore(value: 0)
        let log = try GroupCommitLog(path: path, sync: { fd in
            guard failing.get() else { return fdatasync(fd) }
            // The batch is in the file; its fdatasync waits while the follower reads it, then fails.
            release.wait()
            errno = EIO
            return -1
        })
        let database = try AppDatabase.open(path: directory.appendingPathComponent("console.db").path)
        let follower = LogFollower(path: path, writer: IngestWriter(database: database))
        #expect(await log.append(Self.webhookLine("A")) == .durable)
        failing.set(true)
        async let refused = log.append(Self.webhookLine("B"))
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOfFile: path, encoding: .utf8))?.contains("\"B\"") != true, Date() < deadline { usleep(5_000) }
        #expect(try follower.catchUp().counts.linesApplied == 2)
        release.signal()
        guard case .failed = await refused else { Issue.record("B was acknowledged"); return }
        failing.set(false)
        #expect(await log.append(Self.webhookLine("C")) == .durable)
        _ = try follower.catchUp()
        log.drainAndStop()
        let snapshot = follower.status
        #expect(snapshot.counts.linesApplied == 3)
        #expect(snapshot.notices.isEmpty, "\(snapshot.notices)")
        for id in ["A", "B", "C"] {
            let (record, events) = try #require(try database.transaction(id: id))
            #expect(record.eventCount == 1 && events.allSatisfy { !$0.duplicate }, "\(id): \(record.eventCount) events")
        }
    }
}
