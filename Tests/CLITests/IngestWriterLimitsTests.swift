import CleoDomain
import CleoFollower
import CleoStore
import Foundation
import Testing

/// The writer's memory limits change how a transaction is found, never what is written: the
/// same log gives the same database with the limits tiny (every batch evicts the cache, ids go
/// through `tx_id` after the seen-ids set is given up) as through the CLI's defaults.
@Suite struct IngestWriterLimitsTests {
    @Test func tinyLimitsWriteTheSameDatabase() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        var feed = DemoFeed(seed: 7)
        feed.settleAfter = 300  // final events arrive batches after the first ones
        var t = RFC3339.parse("2026-11-01T00:00:00Z")!
        var lines: [String] = []
        for _ in 0..<4_000 {
            t = t.adding(milliseconds: 250)
            lines.append(feed.nextLine(receivedAt: RFC3339.format(t, offsetSeconds: 0)))
        }
        try cli.writeLog(lines)
        let reference = try cli.run(["ingest"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try cli.content()
        // The history matters: some events are duplicates or late, and some transactions' events
        // lie batches apart.
        #expect(try cli.sql("SELECT count(*) > 0 FROM event WHERE duplicate = 1 OR late = 1") == "1\n")
        #expect(try cli.sql("SELECT count(*) > 100 FROM (SELECT tx_seq FROM event GROUP BY tx_seq HAVING max(id) - min(id) > 97)") == "1\n")

        for seenLimit in [2_000_000, 25] {
            let path = cli.directory.appendingPathComponent("limits-\(seenLimit).db").path
            let database = try AppDatabase.open(path: path)
            let writer = IngestWriter(database: database)
            writer.cacheLimit = 5
            writer.seenIDsLimit = seenLimit
            let follower = LogFollower(path: cli.events, writer: writer, batchLines: 97)
            let summary = try follower.catchUp()
            #expect(summary.counts.linesApplied == Int64(lines.count))
            #expect(try cli.content(db: path) == expected, "seen-ids limit \(seenLimit)")
        }
    }
}
