import CleoDomain
import CleoFollower
import CleoIngest
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The follower on real files against an in-memory sink: identity whatever the name, odd files,
/// and faults that clear.
@Suite struct FollowerTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-follow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// An accepted event line of transaction `id`.
    static func line(_ id: String) -> String {
        "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"\",\"user_id\":\"u\"}\n"
    }

    func write(_ name: String, lines range: Range<Int>, append: Bool = false) throws {
        try write(name, text: range.map { Self.line("t\($0)") }.joined(), append: append)
    }

    /// Appends `text` (creating the file), or writes it anew.
    func write(_ name: String, text: String, append: Bool) throws {
        if append, let handle = FileHandle(forWritingAtPath: path(name)) {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        } else {
            try text.write(toFile: path(name), atomically: false, encoding: .utf8)
        }
    }

    @Test func oneLogByThreeNamesIsAppliedOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("log.jsonl", lines: 0..<5)
        try FileManager.default.createSymbolicLink(atPath: path("link.jsonl"), withDestinationPath: path("log.jsonl"))
        #expect(link(path("log.jsonl"), path("hard.jsonl")) == 0)
        let sink = MemorySink()
        for name in ["log.jsonl", "link.jsonl", "hard.jsonl", "./log.jsonl"] {
            try LogFollower(path: path(name), writer: sink).catchUp()
        }
        #expect(sink.applied.count == 5)
        try write("log.jsonl", lines: 5..<8, append: true)
        try LogFollower(path: path("hard.jsonl"), writer: sink).catchUp()
        try LogFollower(path: path("link.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.count == 8)
        #expect(sink.positions.count == 1)
        // The follower's state is the snapshot its last commit returned, running counts included.
        let last = LogFollower(path: path("log.jsonl"), writer: sink)
        try write("log.jsonl", lines: 8..<9, append: true)
        try last.catchUp()
        #expect(last.status.position?.counts.linesApplied == 9)
        #expect(last.status.position?.offset == sink.positions.values.first?.offset)
        // The path replaced by a symlink to the same file: still the same log.
        try FileManager.default.moveItem(atPath: path("log.jsonl"), toPath: path("real.jsonl"))
        try FileManager.default.createSymbolicLink(atPath: path("log.jsonl"), withDestinationPath: path("real.jsonl"))
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.count == 9)
        #expect(sink.notices.isEmpty)
    }

    /// A batch is bounded in bytes as well as in lines: a backlog of 1 MiB lines is read a few
    /// MiB at a time (64 MiB batches, two at once with the read-ahead, held 500 MB).
    @Test func aBacklogOfHugeLinesIsReadInSmallBatches() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let big = String(repeating: "x", count: 1_000_000)
        let text = (0..<60).map { "{\"transaction_id\":\"T\($0)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"\",\"user_id\":\"u\",\"message\":\"\(big)\"}\n" }.joined()
        try text.write(toFile: path("huge.jsonl"), atomically: false, encoding: .utf8)
        let sink = MemorySink()
        try LogFollower(path: path("huge.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.count == 60)
        #expect(sink.largestBatchBytes <= 20 << 20, "a batch held \(sink.largestBatchBytes) bytes")
    }

    /// A common rotation scheme: `current.jsonl` is a symlink re-pointed at each day's file.
    @Test(arguments: [false, true]) func aRepointedSymlinkIsARotationThatLosesNothing(sameFollower: Bool) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("day1.jsonl", lines: 0..<3)
        try FileManager.default.createSymbolicLink(atPath: path("current.jsonl"), withDestinationPath: path("day1.jsonl"))
        let sink = MemorySink()
        let first = LogFollower(path: path("current.jsonl"), writer: sink)
        try first.catchUp()
        // The last lines of day 1, written just before the symlink moves on.
        try write("day1.jsonl", lines: 3..<5, append: true)
        try write("day2.jsonl", lines: 100..<102)
        try FileManager.default.createSymbolicLink(atPath: path("next"), withDestinationPath: path("day2.jsonl"))
        #expect(rename(path("next"), path("current.jsonl")) == 0)
        let follower = sameFollower ? first : LogFollower(path: path("current.jsonl"), writer: sink)
        try follower.catchUp()
        #expect(sink.applied.map(\.line) == [1, 2, 3, 4, 5, 1, 2])
        #expect(sink.applied.suffix(2).allSatisfy { $0.file == path("current.jsonl") })
        #expect(sink.applied[3].file.hasSuffix("day1.jsonl"))
        #expect(sink.notices.map(\.kind) == [.rotation])
    }

    /// The dated files in folders of their own, the symlink in a third (`/data/day1/…`,
    /// `/data/day2/…`, `/var/log/cleo/current.jsonl`): a follower that was not running when the
    /// link moved on (a cron `ingest`, a console started later) finds the old file where the link
    /// pointed when it was read, not only beside the link or its new target.
    @Test func aRepointedSymlinkAcrossFoldersLosesNothingForALaterFollower() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for sub in ["a", "b", "c"] { try FileManager.default.createDirectory(atPath: path(sub), withIntermediateDirectories: true) }
        try write("a/day1.jsonl", lines: 0..<3)
        try FileManager.default.createSymbolicLink(atPath: path("c/current.jsonl"), withDestinationPath: path("a/day1.jsonl"))
        let sink = MemorySink()
        try LogFollower(path: path("c/current.jsonl"), writer: sink).catchUp()
        try write("a/day1.jsonl", lines: 3..<5, append: true)
        try write("b/day2.jsonl", lines: 100..<102)
        try FileManager.default.createSymbolicLink(atPath: path("c/next"), withDestinationPath: path("b/day2.jsonl"))
        #expect(rename(path("c/next"), path("c/current.jsonl")) == 0)
        try LogFollower(path: path("c/current.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.map(\.line) == [1, 2, 3, 4, 5, 1, 2])
        #expect(sink.notices.map(\.kind) == [.rotation], "\(sink.notices.map(\.detail))")
    }

    /// The log followed as `log.jsonl`, rotated while nothing followed it, then first looked at
    /// through a symlink to that path: the symlink's follower carries on the path's position —
    /// the old file's last lines, then the new file — instead of starting a position of its own
    /// at the new file (the old lines then lost for every name, and no gap said).
    @Test func aRotationFirstSeenThroughASymlinkToThePathLosesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("log.jsonl", lines: 0..<3)
        let sink = MemorySink()
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        try write("log.jsonl", lines: 3..<5, append: true)
        try FileManager.default.moveItem(atPath: path("log.jsonl"), toPath: path("log.jsonl.1"))
        try write("log.jsonl", lines: 100..<102)
        try FileManager.default.createSymbolicLink(atPath: path("link.jsonl"), withDestinationPath: path("log.jsonl"))
        try LogFollower(path: path("link.jsonl"), writer: sink).catchUp()
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.map(\.line) == [1, 2, 3, 4, 5, 1, 2])
        #expect(sink.positions.count == 1, "\(sink.positions.keys.sorted())")
        #expect(sink.notices.map(\.kind) == [.rotation], "\(sink.notices.map(\.detail))")
    }

    /// A stop asked for while a backlog is read ends the catch-up after the batch it is on,
    /// where that commit left the position; the next catch-up goes on from there.
    @Test func aStopDuringABacklogEndsAfterTheBatchItIsOn() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("log.jsonl", lines: 0..<10)
        let sink = MemorySink()
        let follower = LogFollower(path: path("log.jsonl"), writer: sink, batchLines: 2)
        let first = try follower.catchUp(shouldStop: { sink.commits >= 2 })
        #expect(first.counts.linesApplied == 4)
        #expect(follower.status.position?.nextLine == 5)
        try follower.catchUp()
        #expect(sink.applied.map(\.line) == Array(1...10))
    }

    /// Rotated while nothing followed, the old file gone: the gap says what is known (nothing
    /// was known unread: "how much is unknown", never "at least 0 bytes"), and the frame shows
    /// the gap, not the newer rotation notice beside it.
    @Test func aGapWithTheOldFileGoneSaysWhatIsKnownAndIsTheFramesNotice() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("log.jsonl", lines: 0..<3)
        let sink = MemorySink()
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        try FileManager.default.moveItem(atPath: path("log.jsonl"), toPath: path("log.old"))
        // The new file before the old one goes, so it cannot reuse the old inode.
        try write("log.jsonl", lines: 10..<12)
        try write("log.old", lines: 3..<6, append: true)
        try FileManager.default.removeItem(atPath: path("log.old"))
        let follower = LogFollower(path: path("log.jsonl"), writer: sink)
        try follower.catchUp()
        let gap = try #require(follower.status.notices.first { $0.kind == .gap }, "\(sink.notices.map(\.kind)) \(follower.status.notices.map(\.detail))")
        #expect(gap.detail.contains("how much is unknown") && !gap.detail.contains("at least 0"), "\(gap.detail)")
        #expect(follower.status.lastNotice?.kind == .rotation)
        #expect(follower.status.frameNotice(now: Timestamp(millisecondsSince1970: 1))?.kind == .gap)
    }

    @Test func aFIFOADirectoryAndADeviceAreErrorsNotHangsOrEmptyLogs() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(path("fifo"), 0o600) == 0)
        try FileManager.default.createDirectory(atPath: path("dir"), withIntermediateDirectories: false)
        let sink = MemorySink()
        for (name, kind) in [(path("fifo"), "a FIFO"), (path("dir"), "a directory"), ("/dev/zero", "a character device")] {
            let follower = LogFollower(path: name, writer: sink)
            #expect(throws: LogOpenError.notARegularFile(path: name, kind: kind)) { try follower.catchUp() }
            #expect(follower.status.phase == .waitingForLog)
            #expect(follower.status.waitingFor?.contains("not a regular file") == true)
        }
        #expect(sink.commits == 0)
        // A missing log is waited for, not an error.
        let missing = LogFollower(path: path("nope"), writer: sink)
        try missing.catchUp()
        #expect(missing.status.phase == .waitingForLog && missing.status.waitingFor == nil)
    }

    @Test func aFaultIsRetriedWithBackOffAndTheRecoveryIsSaid() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("log.jsonl", lines: 0..<4)
        let sink = MemorySink()
        sink.failures = 3
        let follower = LogFollower(path: path("log.jsonl"), writer: sink)
        var statuses: [FollowerSnapshot] = []
        let deadline = Date().addingTimeInterval(10)
        try follower.follow(retry: RetryPolicy(first: 0.01, most: 0.04), shouldStop: {
            (sink.applied.count == 4 && statuses.last?.recovered != nil) || Date() > deadline
        }, onStatus: { statuses.append($0) })
        #expect(sink.applied.count == 4)
        let failures = statuses.compactMap { status -> String? in
            if case .failed(let message) = status.phase { return message }
            return nil
        }
        #expect(failures == ["disk I/O error (simulated); retrying in 10 ms", "disk I/O error (simulated); retrying in 20 ms",
                             "disk I/O error (simulated); retrying in 40 ms"])
        #expect(statuses.last?.phase == .following)
        #expect(statuses.last?.recovered?.contains("after: disk I/O error (simulated)") == true)
    }

    /// A log first seen empty, then written and rotated away before the next look: its lines are
    /// read from the rotated file, not skipped.
    @Test func aLogFirstSeenEmptyIsRecordedSoItsRotationLosesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "".write(toFile: path("log.jsonl"), atomically: false, encoding: .utf8)
        let sink = MemorySink()
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        try write("log.jsonl", lines: 0..<2, append: true)
        try FileManager.default.moveItem(atPath: path("log.jsonl"), toPath: path("log.jsonl.1"))
        try write("log.jsonl", lines: 10..<11)
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.map(\.line) == [1, 2, 1])
        #expect(sink.applied.first?.file == path("log.jsonl.1"))
    }
}

/// Rotated twice while nothing followed (`log` → `log.1` → `log.2`, and a new `log`): the file
/// written between is read too, each line once, and nothing else beside the log is.
extension FollowerTests {
    func append(_ name: String, ids range: Range<Int>, modified seconds: Int? = nil) throws {
        try write(name, lines: range, append: true)
        if let seconds { try setModified(name, seconds) }
    }

    /// File times tick coarsely: a real rotation is minutes apart, these are made so.
    func setModified(_ name: String, _ seconds: Int) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(seconds))], ofItemAtPath: path(name))
    }

    func move(_ from: String, _ to: String) throws { try FileManager.default.moveItem(atPath: path(from), toPath: path(to)) }

    @Test func theFileWrittenBetweenIsReadAndNothingIsReadTwice() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let t0 = 1_764_000_000
        let sink = MemorySink()
        try append("log.jsonl", ids: 0..<3, modified: t0)
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        // An archive from long before, a compressed one and another program's log: never read.
        try append("log.jsonl.7", ids: 100..<102, modified: t0 - 86_400)
        try append("log.jsonl.3.gz", ids: 200..<201, modified: t0 + 50)
        try append("other.jsonl", ids: 300..<301, modified: t0 + 50)
        try append("log.jsonl", ids: 3..<5, modified: t0 + 10)
        try move("log.jsonl", "log.jsonl.1")
        try append("log.jsonl", ids: 5..<9, modified: t0 + 20)
        try move("log.jsonl.1", "log.jsonl.2")
        try move("log.jsonl", "log.jsonl.1")
        try append("log.jsonl", ids: 9..<12)
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        let byFile = Dictionary(grouping: sink.applied, by: { ($0.file as NSString).lastPathComponent }).mapValues(\.count)
        #expect(sink.applied.count == 12, "\(byFile)")
        #expect(byFile == ["log.jsonl": 3 + 3, "log.jsonl.2": 2, "log.jsonl.1": 4])
        #expect(sink.notices.contains { $0.detail.contains("rotated more than once") && $0.detail.contains("log.jsonl.1") })
        // Looked at again, later, with the old file written to since: nothing again.
        try append("log.jsonl.2", ids: 0..<0, modified: t0 + 10_000)
        try LogFollower(path: path("log.jsonl"), writer: sink).catchUp()
        #expect(sink.applied.count == 12)
    }
}
