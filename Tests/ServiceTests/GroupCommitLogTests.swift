import Foundation
import Testing
@testable import CleoService

@Suite struct GroupCommitLogTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("log.jsonl").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-gcl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func contents() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func deliveriesArrivingTogetherShareOneFdatasync() async throws {
        // A disk whose fdatasync takes 5 ms: one sync per line would take 200 × 5 ms = 1 s.
        let syncs = LockedBox(0)
        let log = try GroupCommitLog(path: path, sync: { fd in
            syncs.set(syncs.get() + 1)
            usleep(5_000)
            return fdatasync(fd)
        })
        let outcomes = await withTaskGroup(of: GroupCommitLog.Outcome.self) { group in
            for i in 0..<200 { group.addTask { await log.append(Array("{\"n\":\(i)}\n".utf8)) } }
            return await group.reduce(into: [GroupCommitLog.Outcome]()) { $0.append($1) }
        }
        log.drainAndStop()
        #expect(outcomes.allSatisfy { $0 == .durable })
        let lines = try contents().split(separator: "\n")
        #expect(lines.count == 200)
        #expect(Set(lines).count == 200)
        #expect(syncs.get() < 100, "\(syncs.get()) fdatasyncs for 200 lines")
        #expect(log.snapshot.commits == Int64(syncs.get()))
    }

    /// Under load the writer lingers for more lines, but only until as many wait as its last
    /// batch held: N clients each waiting for their answer never send 2N, and waiting for that
    /// held every commit for the whole linger (here 10 s, so the difference cannot hide). The
    /// lines are handed over from this thread, not from tasks: in a full run other tests hold
    /// the cooperative threads, and tasks not yet started are lines that never arrive.
    @Test func underLoadTheWriterStopsLingeringOnceALastBatchsWorthWaits() throws {
        let gate = DispatchSemaphore(value: 0)
        let gated = LockedBox(true)
        let log = try GroupCommitLog(path: path, linger: 10, sync: { fd in
            if gated.get() { gate.wait() }
            return fdatasync(fd)
        })
        /// Hands every line over at once; the returned wait gives their outcomes.
        func appendAll(_ names: [String]) -> () -> [GroupCommitLog.Outcome] {
            let answered = DispatchGroup()
            let outcomes = LockedBox([GroupCommitLog.Outcome]())
            let lock = NSLock()
            for name in names {
                answered.enter()
                log.append(Array("{\"n\":\"\(name)\"}\n".utf8)) { outcome in
                    lock.withLock { outcomes.set(outcomes.get() + [outcome]) }
                    answered.leave()
                }
            }
            return {
                answered.wait()
                return outcomes.get()
            }
        }
        // A lone line is written at once; its fdatasync is held while eight more arrive.
        let first = appendAll(["a"])
        while (try? contents())?.isEmpty ?? true { usleep(1_000) }
        let second = appendAll((1...8).map { "b\($0)" })
        usleep(300_000)  // all eight wait behind the held fdatasync
        gated.set(false)
        gate.signal()
        #expect(first() == [.durable])
        #expect(second().allSatisfy { $0 == .durable })
        #expect(log.snapshot.commits == 2, "the eight shared one commit")
        // The last batch held eight: eight more are written as soon as they all wait.
        let began = Date()
        #expect(appendAll((1...8).map { "c\($0)" })().allSatisfy { $0 == .durable })
        let waited = Date().timeIntervalSince(began)
        log.drainAndStop()
        #expect(waited < 5, "waited \(waited) s: the writer lingered for twice its last batch")
        #expect(log.snapshot.commits == 3)
    }

    @Test func aTornLastLineIsEndedBeforeTheNextOne() async throws {
        try "{\"a\":1}\n{\"transaction_id\":\"half".write(toFile: path, atomically: false, encoding: .utf8)
        let said = LockedBox([String]())
        let log = try GroupCommitLog(path: path, say: { said.set(said.get() + [$0]) })
        #expect(await log.append(Array("{\"b\":2}\n".utf8)) == .durable)
        log.drainAndStop()
        #expect(try contents() == "{\"a\":1}\n{\"transaction_id\":\"half\n{\"b\":2}\n")
        #expect(said.get().contains { $0.contains("partial line") })
    }

    @Test func aCompleteLogIsLeftAlone() async throws {
        try "{\"a\":1}\n".write(toFile: path, atomically: false, encoding: .utf8)
        let log = try GroupCommitLog(path: path)
        #expect(await log.append(Array("{\"b\":2}\n".utf8)) == .durable)
        log.drainAndStop()
        #expect(try contents() == "{\"a\":1}\n{\"b\":2}\n")
    }

    /// Not acknowledged, yet never cut away: a follower may have applied its lines already.
    @Test func aFailedFdatasyncAnswersFailedAndKeepsItsWholeLines() async throws {
        let fail = LockedBox(false)
        let log = try GroupCommitLog(path: path, sync: { fd in
            if fail.get() { errno = EIO; return -1 }
            return fdatasync(fd)
        })
        #expect(await log.append(Array("{\"ok\":1}\n".utf8)) == .durable)
        fail.set(true)
        guard case .failed(let reason) = await log.append(Array("{\"lost\":1}\n".utf8)) else { Issue.record("acknowledged"); return }
        #expect(reason.contains("fdatasync"))
        #expect(log.snapshot.failure != nil)
        fail.set(false)
        #expect(await log.append(Array("{\"ok\":2}\n".utf8)) == .durable)
        #expect(log.snapshot.failure == nil)
        log.drainAndStop()
        #expect(try contents() == "{\"ok\":1}\n{\"lost\":1}\n{\"ok\":2}\n")
    }

    @Test func aDeliveryNotDurableWithinTheDeadlineIsAnsweredFailed() async throws {
        // The disk's fdatasync hangs for 1.5 s; the deadline is 0.2 s. Which answer comes first is
        // decided on the log's own threads (the watchdog at ~0.2 s, the writer at 1.5 s), so it
        // does not depend on how busy the test's executor is.
        let stuck = LockedBox(false)
        let log = try GroupCommitLog(path: path, deadline: 0.2, sync: { fd in
            if stuck.get() { usleep(1_500_000) }
            return fdatasync(fd)
        })
        stuck.set(true)
        let outcome = await log.append(Array("{\"slow\":1}\n".utf8))
        guard case .failed(let reason) = outcome else { Issue.record("acknowledged: \(outcome)"); return }
        #expect(reason.contains("took over"))
        stuck.set(false)
        log.drainAndStop()
    }

    @Test func aNewFileAtThePathIsWrittenFromTheNextCommit() async throws {
        let log = try GroupCommitLog(path: path)
        #expect(await log.append(Array("{\"old\":1}\n".utf8)) == .durable)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        #expect(await log.append(Array("{\"new\":1}\n".utf8)) == .durable)  // the path is gone: created anew
        try FileManager.default.moveItem(atPath: path, toPath: path + ".2")
        FileManager.default.createFile(atPath: path, contents: nil)  // logrotate's create
        #expect(await log.append(Array("{\"new\":2}\n".utf8)) == .durable)
        log.drainAndStop()
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "{\"old\":1}\n")
        #expect(try String(contentsOfFile: path + ".2", encoding: .utf8) == "{\"new\":1}\n")
        #expect(try contents() == "{\"new\":2}\n")
    }

    @Test func aFIFOOrFolderAtThePathIsRefused() throws {
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: GroupCommitLog.LogError.self) { _ = try GroupCommitLog(path: path) }
    }

    @Test func aSymlinkIsWrittenThroughAndARepointedOneIsARotation() async throws {
        let first = directory.appendingPathComponent("first").path
        let second = directory.appendingPathComponent("second").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: first)
        let log = try GroupCommitLog(path: path)  // creates the target
        #expect(await log.append(Array("{\"a\":1}\n".utf8)) == .durable)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: second)
        #expect(await log.append(Array("{\"b\":1}\n".utf8)) == .durable)
        log.drainAndStop()
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "{\"a\":1}\n")
        #expect(try String(contentsOfFile: second, encoding: .utf8) == "{\"b\":1}\n")
    }

    @Test func afterStopAppendsFail() async throws {
        let log = try GroupCommitLog(path: path)
        log.drainAndStop()
        #expect(await log.append(Array("{}\n".utf8)) != .durable)
    }
}

@Suite struct FollowerLagTests {
    @Test func theAgeOfTheOldestUnappliedCommit() {
        let now = LockedBox<UInt64>(1_000_000_000)
        let lag = FollowerLag(clock: { now.get() })
        #expect(lag.seconds == 0)
        lag.committed(device: 1, inode: 10, end: 100)
        now.set(3_000_000_000)
        lag.committed(device: 1, inode: 10, end: 200)
        #expect(lag.seconds == 2)
        lag.applied(device: 1, inode: 10, offset: 100)
        #expect(lag.seconds == 0)  // the second commit is 0 s old
        now.set(5_000_000_000)
        #expect(lag.seconds == 2)
        lag.applied(device: 1, inode: 10, offset: 200)
        #expect(lag.seconds == 0)
    }

    @Test func aFollowerOnTheNextFileHasFinishedTheRotatedOne() {
        let now = LockedBox<UInt64>(1_000_000_000)
        let lag = FollowerLag(clock: { now.get() })
        lag.committed(device: 1, inode: 10, end: 100)
        now.set(2_000_000_000)
        lag.committed(device: 1, inode: 11, end: 50)
        lag.applied(device: 1, inode: 11, offset: 0)
        now.set(4_000_000_000)
        #expect(lag.seconds == 2)  // the old file's commit is done, the new one's is not
        lag.applied(device: 1, inode: 11, offset: 50)
        #expect(lag.seconds == 0)
    }

    @Test func aPositionAheadOfTheCommitsNewsCountsToo() {
        let lag = FollowerLag()
        lag.applied(device: 1, inode: 10, offset: 500)
        lag.committed(device: 1, inode: 10, end: 500)
        #expect(lag.seconds == 0)
    }
}
