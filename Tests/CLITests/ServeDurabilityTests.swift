import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What `serve` promises about the log (serve.md, "Durability" and "Rotation"), tried as an
/// attacker would: kill -9 under load, a full disk, rotations, a torn tail, SIGTERM under load.
@Suite struct ServeDurabilityTests {
    @Test func killNineUnderConcurrentLoadThenRestartLosesNothingAcknowledged() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        let acked = Collected<String>()
        let stop = Flag()
        let port = serve.port
        let finished = DispatchSemaphore(value: 0)
        Thread {
            postConcurrently(port: port, workers: 8, perWorker: 400, prefix: "k9", stop: stop, acked: acked)
            finished.signal()
        }.start()
        let deadline = Date().addingTimeInterval(30)
        while acked.count < 300 && Date() < deadline { usleep(5_000) }
        serve.signal(SIGKILL)
        #expect(serve.waitForExit(seconds: 5) != nil)
        stop.set()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(acked.count >= 300)

        // Restart: the log is ended if torn, and the next delivery is a line of its own.
        let again = try ServeProcess(h, output: "serve2.out")
        defer { again.stop() }
        let after = try RawHTTP.post(port: again.port, webhookLine("after-restart"))
        #expect(after.status == 200)
        let lines = try h.logLines()
        let torn = checkAcknowledged(acked.all + [jsonObject(after.body)?["deliveryId"] as? String ?? "?"], lines: lines)
        #expect(torn.count <= 1)
        #expect(jsonObject(lines.last ?? "")?["transaction_id"] as? String == "after-restart")
        // The follower (restarted with it) applies every line exactly once.
        #expect(try h.waitForLinesApplied(lines.count, seconds: 30))
        #expect(Int(try h.sql("SELECT count(*) FROM event").trimmingCharacters(in: .whitespacesAndNewlines)) == lines.count - torn.count)
    }

    /// serve.md: SIGTERM and SIGINT alike (Ctrl-C in a terminal) stop accepting, answer what is
    /// in flight, and exit 0 within 5 s.
    @Test(arguments: [SIGTERM, SIGINT])
    func aStopSignalUnderLoadDrainsAndExits0Within5s(signal: Int32) throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        let acked = Collected<String>()
        let stop = Flag()
        let finished = DispatchSemaphore(value: 0)
        let port = serve.port
        Thread {
            postConcurrently(port: port, workers: 8, perWorker: 400, prefix: "stop-\(signal)", stop: stop, acked: acked)
            finished.signal()
        }.start()
        let deadline = Date().addingTimeInterval(30)
        while acked.count < 200 && Date() < deadline { usleep(5_000) }
        let sent = Date()
        serve.signal(signal)
        let status = serve.waitForExit(seconds: 6)
        let took = Date().timeIntervalSince(sent)
        stop.set()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(status == 0, "\(serve.log.suffix(500))")
        #expect(took < 5, "exited after \(took) s")
        let lines = try h.logLines()
        #expect(checkAcknowledged(acked.all, lines: lines).isEmpty)
        #expect(try String(contentsOfFile: h.events, encoding: .utf8).hasSuffix("\n"))
        #expect(serve.log.contains(signal == SIGINT ? "SIGINT: draining" : "SIGTERM: draining"))
        #expect(serve.log.contains("stopped"))
    }

    /// SIGTERM while the follower reads a backlog: it stops after the batch it is on, so serve
    /// says "stopped", records it in its state file and exits 0 — the follower used to read the
    /// whole backlog first, and the drain deadline ended the process (`_exit`) before any of that.
    @Test func aStopWhileTheFollowerReadsABacklogEndsAfterItsBatch() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let backlog = 300_000
        try h.writeLog((0..<backlog).map { webhookLine("backlog-\($0)") })
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        try waitFor({ try h.linesApplied() > 0 }, seconds: 60)
        let sent = Date()
        serve.signal(SIGTERM)
        let status = serve.waitForExit(seconds: 10)
        let took = Date().timeIntervalSince(sent)
        #expect(status == 0, "\(serve.log.suffix(500))")
        #expect(took < 4, "exited after \(took) s")
        #expect(serve.log.contains("stopped") && !serve.log.contains("still draining"), "\(serve.log.suffix(500))")
        #expect(ServiceStateFile.read(forDatabase: h.db)?.stoppedAt != nil)
        // It stopped inside the backlog (else this says nothing), where its last commit left it.
        let applied = try h.linesApplied()
        #expect(applied > 0 && applied < backlog, "\(applied) lines applied")
    }

    /// serve.md's 503 row for a log serve may not write (rotated to a file it does not own —
    /// a logrotate `create` with the wrong owner): 503 with a refusal record and an unhealthy
    /// /healthz, nothing acknowledged; once the file is serve's again, 200 without a restart.
    /// Run as a user of its own: root writes through any permission.
    @Test func aLogServeMayNotWriteAnswers503UntilItMay() throws {
        let h = try CLIHarness()
        let user = try TemporaryUser()
        defer { user.remove(); h.cleanup() }
        try h.configureWebhook()
        #expect(TemporaryUser.run(["/bin/chown", "-R", user.name, h.directory.path]) == 0)
        let serve = try ServeProcess(h, ["--no-follow"], user: user.name)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("perm-a")).status == 200)
        try FileManager.default.moveItem(atPath: h.events, toPath: h.events + ".1")
        FileManager.default.createFile(atPath: h.events, contents: nil, attributes: [.posixPermissions: 0o644])  // root's
        serve.signal(SIGHUP)
        let refused = try pollStatus(503, seconds: 5) { try RawHTTP.post(port: serve.port, webhookLine("perm-b")).status }
        #expect(refused.status == 503)
        #expect(try RawHTTP.request(port: serve.port, method: "GET", path: "/healthz", headers: []).status == 503)
        let records = try #require(try h.json(["events", "refused", "--json"]) as? [[String: Any]])
        #expect(records.contains { $0["status"] as? Int == 503 && ($0["reason"] as? String)?.contains("Permission denied") == true }, "\(records)")
        #expect(try h.logLines().isEmpty)
        #expect(chown(h.events, user.uid, getpwnam(user.name)!.pointee.pw_gid) == 0)
        let recovered = try pollStatus(200, seconds: 5) { try RawHTTP.post(port: serve.port, webhookLine("perm-c")).status }
        #expect(recovered.status == 200)
        #expect(try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String } == ["perm-c"])
    }

    @Test func aTornTailFromBeforeIsEndedSoTheNextDeliveryIsALineOfItsOwn() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        try (webhookLine("before") + "\n{\"transaction_id\":\"torn-").write(toFile: h.events, atomically: false, encoding: .utf8)
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("next")).status == 200)
        let lines = try h.logLines()
        #expect(lines.count == 3)
        #expect(lines[1] == "{\"transaction_id\":\"torn-")
        #expect(jsonObject(lines[2])?["transaction_id"] as? String == "next")
        #expect(serve.log.contains("partial line"))
        // The follower rejects the torn line visibly and applies the rest.
        #expect(try h.waitForLinesApplied(3))
        let rejected = try #require(try h.json(["events", "rejected", "--json"]) as? [[String: Any]])
        #expect(rejected.map { $0["line"] as? Int } == [2])
        #expect(rejected.first?["code"] as? String == "INVALID_JSON")
        #expect((try h.json(["tx", "list", "--json"]) as? [[String: Any]])?.count == 2)
    }

    /// logrotate without `create`: the file moved, SIGHUP, and no delivery after. SIGHUP alone
    /// reopens the path — the new file is there at once, for the follower and the operator to
    /// see — not only at the next delivery (which reopens a path naming another file anyway,
    /// so the rotation test above passes with SIGHUP ignored).
    @Test func sighupAloneReopensTheLogAtThePath() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("hup-a")).status == 200)
        try FileManager.default.moveItem(atPath: h.events, toPath: h.events + ".1")
        serve.signal(SIGHUP)
        try waitFor({ FileManager.default.fileExists(atPath: h.events) }, seconds: 5)
        #expect(serve.log.contains("SIGHUP: reopening"))
        #expect(try h.logLines(h.events + ".1").count == 1)
    }

    @Test func rotationBySIGHUPAndByANewFileAtThePathLosesNothing() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("rot-a")).status == 200)
        // As in a deployment, the follower has read the file before it is rotated (a rotation
        // within milliseconds of a new file's first line is the follower's case, not the receiver's).
        #expect(try waitForTransactions(h, ["rot-a"]))
        // logrotate's create mode: move, create, SIGHUP.
        try FileManager.default.moveItem(atPath: h.events, toPath: h.events + ".1")
        FileManager.default.createFile(atPath: h.events, contents: nil)
        serve.signal(SIGHUP)
        for _ in 0..<100 where !serve.log.contains("SIGHUP") { usleep(20_000) }
        #expect(serve.log.contains("SIGHUP: reopening"))
        #expect(try RawHTTP.post(port: serve.port, webhookLine("rot-b")).status == 200)
        // (One rotation at a time for the follower: one that holds the first file open and finds
        // a third at the path never learns of the second — the follower's rule, not the receiver's.)
        #expect(try waitForTransactions(h, ["rot-a", "rot-b"]))
        // The path names a new file without a signal: moved away, then nothing there.
        try FileManager.default.moveItem(atPath: h.events, toPath: h.events + ".2")
        #expect(try RawHTTP.post(port: serve.port, webhookLine("rot-c")).status == 200)
        #expect(serve.process.isRunning)

        func ids(_ path: String) throws -> [String] { try h.logLines(path).compactMap { jsonObject($0)?["transaction_id"] as? String } }
        #expect(try ids(h.events + ".1") == ["rot-a"])
        #expect(try ids(h.events + ".2") == ["rot-b"])
        #expect(try ids(h.events) == ["rot-c"])
        // The follower's rotation rules do the rest: all three in the database.
        #expect(try waitForTransactions(h, ["rot-a", "rot-b", "rot-c"]))
    }

    func waitForTransactions(_ h: CLIHarness, _ ids: Set<String>) throws -> Bool {
        let deadline = Date().addingTimeInterval(20)
        var list: [String] = []
        while Date() < deadline {
            list = try h.sql("SELECT id FROM tx").split(separator: "\n").map(String.init)
            if Set(list) == ids { return true }
            usleep(50_000)
        }
        Issue.record("transactions \(list), expected \(ids.sorted()); follower: \(try h.sql("SELECT file, offset, lines_applied FROM follower; SELECT kind, detail FROM follower_notice"))")
        return false
    }

    /// A small tmpfs for the log (we run as root); the test is skipped only where mounting is impossible.
    static let canMount: Bool = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(dir)
        return true
    }()

    @Test(.enabled(if: canMount, "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): the full-disk test cannot run"))
    func aFullDiskAnswers503AndLosesNothingAcknowledged() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        let small = h.directory.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        #expect(mount("tmpfs", small, "tmpfs", 0, "size=256k") == 0)
        defer { umount2(small, Int32(MNT_DETACH)) }
        let log = small + "/webhook-events.jsonl"
        // Room to give back later, to see the receiver recover.
        FileManager.default.createFile(atPath: small + "/filler", contents: Data(count: 64 << 10))
        try h.configureWebhook()
        let serve = try ServeProcess(h, ["--events", log, "--no-follow"])
        defer { serve.stop() }

        let acked = Collected<String>()
        let statuses = Collected<Int>()
        let stop = Flag()
        // 1 KiB deliveries from 4 threads until the disk is full and then some.
        let watcher = Thread {
            while !stop.isSet {
                if statuses.all.filter({ $0 == 503 }).count >= 12 { stop.set() }
                usleep(2_000)
            }
        }
        watcher.start()
        postConcurrently(port: serve.port, workers: 4, perWorker: 200, prefix: "full", stop: stop, acked: acked, statuses: statuses, padding: 1_000)
        stop.set()
        #expect(statuses.all.contains(503))
        #expect(!acked.all.isEmpty)
        #expect(Set(statuses.all).isSubset(of: [200, 503]))

        // Every acknowledged delivery is there, whole; no partial line was left by a failed write.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = try h.logLines(log)
        #expect(checkAcknowledged(acked.all, lines: lines).isEmpty)
        // The rest are whole lines of a batch the disk filled under, each answered 503 (a
        // follower may have applied them: they are never cut away; a retry is a duplicate).
        #expect(lines.count >= acked.count && lines.count - acked.count <= statuses.all.filter { $0 == 503 }.count,
                "\(lines.count) lines, \(acked.count) acknowledged")
        #expect(lines.allSatisfy { jsonObject($0) != nil }, "a line of the log is not a whole delivery")

        let health = try RawHTTP.request(port: serve.port, method: "GET", path: "/healthz", headers: [])
        #expect(health.status == 503)
        let refused = try #require(try h.json(["events", "refused", "--json"]) as? [[String: Any]])
        #expect(refused.contains { $0["status"] as? Int == 503 && ($0["reason"] as? String)?.contains("No space left") == true })

        // Space again: the receiver recovers without a restart.
        try FileManager.default.removeItem(atPath: small + "/filler")
        let recovered = try RawHTTP.post(port: serve.port, webhookLine("after-full"))
        #expect(recovered.status == 200)
        #expect(try h.logLines(log).last.flatMap(jsonObject)?["transaction_id"] as? String == "after-full")
    }
}
