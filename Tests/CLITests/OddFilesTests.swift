import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The log as an attacker or an unlucky day presents it (issue 9): odd files, other names for
/// the same file, a user who may not read it, a disk that fills up.
@Suite(.serialized) struct OddFilesTests {
    @discardableResult
    func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        TemporaryUser.run([tool] + arguments)
    }

    @Test func aFIFOADeviceAndADirectoryAreClearErrorsWithTheirStatus() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let fifo = cli.directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, kind) in [(fifo, "a FIFO"), ("/dev/zero", "a character device"), (cli.directory.path, "a directory")] {
            let started = Date()
            let result = try cli.run(["ingest"], environment: ["CLEO_CONSOLE_EVENTS": path])
            #expect(result.status == 66, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("is \(kind), not a regular file"))
            #expect(Date().timeIntervalSince(started) < 10)  // no hang on the FIFO, no spin on /dev/zero
        }
    }

    @Test func aLogTheUserMayNotReadIsRefusedWith77NotMissing() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.writeLog([webhookLine("secret-1")])
        #expect(chmod(cli.events, 0o600) == 0)
        #expect(chmod(cli.directory.path, 0o777) == 0)
        let result = try cli.run(["/usr/sbin/runuser", "-u", user.name, "--", CLIHarness.binary, "ingest", "--db", cli.db, "--events", cli.events],
                                 asCommand: true)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("may not read it (permission denied)"))
        #expect(!result.stderr.contains("does not exist"))
    }

    /// A backlog's size is read without opening it; the bulk load began on an empty database,
    /// the read then failed outside the 66/77 mapping (exit 1) and left the load's mark behind.
    @Test func aLargeLogTheUserMayNotReadIsRefusedWith77AndBeginsNoBulkLoad() throws {
        let cli = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); cli.cleanup() }
        try cli.writeLog([webhookLine("secret-1")])
        #expect(truncate(cli.events, off_t(40 << 20)) == 0)  // sparse: 40 MiB, past the bulk threshold
        #expect(chmod(cli.events, 0o600) == 0)
        #expect(chmod(cli.directory.path, 0o777) == 0)
        let result = try cli.run(["/usr/sbin/runuser", "-u", user.name, "--", CLIHarness.binary, "ingest", "--db", cli.db, "--events", cli.events],
                                 asCommand: true)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("may not read it (permission denied)"), "\(result.stderr)")
        #expect(!result.stderr.contains("loading a backlog"), "\(result.stderr)")
        #expect(try cli.sql("SELECT count(*) FROM meta WHERE key = 'bulk_load'") == "0\n")
    }

    @Test func followSaysWhatItWaitsForAndPicksUpTheRealLog() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try FileManager.default.createDirectory(atPath: cli.events, withIntermediateDirectories: false)  // a directory at the path
        let output = cli.directory.appendingPathComponent("follow.out").path
        let follower = try cli.start(["ingest", "--follow"], output: output)
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        try waitFor { (try? String(contentsOfFile: output, encoding: .utf8))?.contains("waiting: the events log \(cli.events) is a directory") == true }
        try FileManager.default.removeItem(atPath: cli.events)
        try cli.writeLog([webhookLine("w1")])
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "1\n" }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)
    }

    @Test func oneLogByThreeNamesIsAppliedOnceEvenAtOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog((0..<300).map { webhookLine("n\($0)") })
        let symlink = cli.directory.appendingPathComponent("link.jsonl").path
        let hard = cli.directory.appendingPathComponent("hard.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: symlink, withDestinationPath: cli.events)
        #expect(link(cli.events, hard) == 0)
        // Three ingesters at once, each by another name, on a new database.
        let processes = try [cli.events, symlink, hard].map { name in
            try cli.start(["ingest", "--batch", "50", "--events", name])
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        #expect(try cli.sql("SELECT count(*), sum(event_count) FROM tx") == "300|300\n")
        try cli.append(webhookLine("n300") + "\n")
        for name in [hard, symlink, cli.events] { #expect(try cli.run(["ingest", "--events", name]).status == 0) }
        #expect(try cli.sql("SELECT count(*), sum(event_count) FROM tx") == "301|301\n")
        #expect(try cli.sql("SELECT count(*) FROM follower") == "1\n")
    }

    @Test func aRepointedSymlinkIsFollowedAndLosesNothing() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let day1 = cli.directory.appendingPathComponent("day1.jsonl").path
        let day2 = cli.directory.appendingPathComponent("day2.jsonl").path
        try (webhookLine("d1-0") + "\n").write(toFile: day1, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: cli.events, withDestinationPath: day1)
        let follower = try cli.start(["ingest", "--follow"])
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "1\n" }
        // The last line of day 1 and the re-pointing come together.
        try cli.append(webhookLine("d1-1") + "\n", to: day1)
        try (webhookLine("d2-0") + "\n").write(toFile: day2, atomically: false, encoding: .utf8)
        let next = cli.directory.appendingPathComponent("next").path
        try FileManager.default.createSymbolicLink(atPath: next, withDestinationPath: day2)
        #expect(rename(next, cli.events) == 0)
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "3\n" }
        // And --follow is on the new target: a line appended to day 2 arrives.
        try cli.append(webhookLine("d2-1") + "\n", to: day2)
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "4\n" }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(try cli.sql("SELECT kind FROM follower_notice") == "rotation\n")
    }

    /// A full disk under the database: the follower says so, retries with back-off, and
    /// recovers by itself once space is freed — every line applied once.
    @Test func aFullDiskIsRetriedAndRecoveredFrom() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let mount = cli.directory.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: false)
        guard try run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", mount]) == 0 else {
            Issue.record("cannot mount a tmpfs here (the test needs root)")
            return
        }
        defer { _ = try? run("/usr/bin/umount", ["-l", mount]) }
        let db = (mount as NSString).appendingPathComponent("console.db")
        try cli.writeLog([webhookLine("before")])
        let output = cli.directory.appendingPathComponent("follow.out").path
        let follower = try cli.start(["ingest", "--follow", "--db", db], output: output)
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        try waitFor { try cli.sql("SELECT count(*) FROM tx", db: db) == "1\n" }
        // Fill the disk to its last byte.
        let filler = (mount as NSString).appendingPathComponent("filler")
        _ = try run("/usr/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"])
        try cli.append((0..<50).map { webhookLine("during-\($0)", extra: [("message", "\"" + String(repeating: "m", count: 2000) + "\"")]) + "\n" }.joined())
        try waitFor { (try? String(contentsOfFile: output, encoding: .utf8))?.contains("follower failed: ") == true }
        #expect(follower.isRunning)
        try FileManager.default.removeItem(atPath: filler)
        try waitFor({ try cli.sql("SELECT count(*), sum(event_count) FROM tx", db: db) == "51|51\n" }, seconds: 60)
        try waitFor { (try? String(contentsOfFile: output, encoding: .utf8))?.contains("follower recovered at ") == true }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)
    }
}
