import CleoDomain
import CleoFollower
import CleoIngest
import Foundation
import Testing

/// The follower's snapshot (issue 9, "one owner"): built from what it committed, carrying what
/// each batch touched and every notice with its time — nothing re-read from the store.
extension FollowerTests {
    /// The lines of `ids`, then one rejected line.
    func append(_ name: String, ids: [String]) throws {
        try write(name, text: ids.map(Self.line).joined() + "not json\n", append: true)
    }

    @Test func eachBatchNamesTheTransactionsItTouchedByTheirBytes() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("log.jsonl", ids: ["a", "b", "a", "ORDER-77\\u0000"])
        let follower = LogFollower(path: path("log.jsonl"), writer: MemorySink(), batchLines: 2)
        var batches: [BatchSummary] = []
        let total = try follower.catchUp(onBatch: { batches.append($0) })
        #expect(batches.map(\.touched) == [[ByteKey("a"), ByteKey("b")], [ByteKey("a"), ByteKey("ORDER-77\u{0}")], []])
        #expect(total.touched == [ByteKey("a"), ByteKey("b"), ByteKey("ORDER-77\u{0}")])
        #expect(total.touched?.contains(ByteKey("ORDER-77")) == false)
        #expect(total.counts.rejected == 1)
    }

    @Test func aBatchOfMoreThanTheLimitSaysSoInsteadOfListing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("log.jsonl", ids: (0...BatchSummary.touchedLimit).map { "t\($0)" })
        var batches: [BatchSummary] = []
        try LogFollower(path: path("log.jsonl"), writer: MemorySink()).catchUp(onBatch: { batches.append($0) })
        #expect(batches.count == 1 && batches[0].touched == nil)
    }

    @Test func theSnapshotIsWhatWasCommittedWithNoticesTimedNewestFirst() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sink = MemorySink()
        // Noticed by an earlier run: shown from the start of this one.
        sink.notices = [FollowerNotice(kind: .gap, detail: "earlier", at: Timestamp(millisecondsSince1970: 1_000))]
        try append("log.jsonl", ids: ["a"])
        let clock = Timestamp(millisecondsSince1970: 1_764_670_000_000)
        let follower = LogFollower(path: path("log.jsonl"), writer: sink, clock: { clock })
        var seen: [FollowerSnapshot] = []
        try follower.follow(shouldStop: { seen.count >= 1 }, onStatus: { seen.append($0) })
        #expect(seen.last?.position == sink.positions.values.first)
        #expect(seen.last?.counts.linesApplied == 2)
        #expect(seen.last?.notices == sink.notices)
        // Truncated and rewritten: the notice carries the follower's clock, newest first.
        try "".write(toFile: path("log.jsonl"), atomically: false, encoding: .utf8)
        try append("log.jsonl", ids: ["b"])
        try follower.catchUp()
        #expect(follower.status.notices.map(\.kind) == [.truncation, .gap])
        #expect(follower.status.lastNotice?.at == clock)
        #expect(sink.notices.last == follower.status.lastNotice)
        #expect(follower.status.position == sink.positions.values.first)
    }
}
