import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct IngestCLITests {
    @Test func everyRejectionCodeIsKeptWithItsFileLineAndOffset() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let lines = [
            webhookLine("ok-1"),
            "{\"transaction_id\":\"x\"\u{FF}}",
            "{\"transaction_id\":\"x\",}",
            "[1,2]",
            "{\"transaction_id\":\"x\",\"method\":\"CLEO_PAYIN\",\"status\":\"\",\"user_id\":\"u\"}",
            webhookLine("t", extra: [("user_id", "42")]),
            webhookLine("t", method: "CLEO_REFUND"),
            webhookLine("t", "Refunded"),
            webhookLine("t", currency: "USD"),
            webhookLine("t", extra: [("countryCode", "\"PE\"")]),
            webhookLine("t", amount: "\"10000.50\""),
            "",
            "   \t",
        ]
        // INVALID_UTF8 needs a raw byte: write the file as bytes.
        var data = Data()
        for line in lines { data.append(contentsOf: Array(line.utf8).map { $0 == 0xC3 ? 0xC3 : $0 }); data.append(0x0A) }
        var bytes = [UInt8](data)
        if let marker = bytes.firstIndex(of: 0xC3), bytes[marker + 1] == 0xBF { bytes[marker] = 0xFF; bytes.remove(at: marker + 1) }
        // a line over 1 MiB, never read whole
        bytes += Array("{\"transaction_id\":\"".utf8) + [UInt8](repeating: 0x61, count: 1_100_000) + Array("\"}\n".utf8)
        #expect(FileManager.default.createFile(atPath: cli.events, contents: Data(bytes)))

        let summary = try cli.run(["ingest"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("14 lines applied: 1 events"))
        #expect(summary.stdout.contains("11 rejected, 2 blank"))
        let rejected = try cli.json(["events", "rejected", "--json"]) as! [[String: Any]]
        #expect(rejected.map { $0["code"] as! String } == [
            "INVALID_UTF8", "INVALID_JSON", "NOT_AN_OBJECT", "MISSING_FIELD", "WRONG_TYPE", "UNKNOWN_METHOD", "UNKNOWN_STATUS",
            "UNSUPPORTED_CURRENCY", "COUNTRY_MISMATCH", "INVALID_AMOUNT", "LINE_TOO_LONG",
        ])
        #expect(rejected.map { $0["line"] as! Int } == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14])
        #expect(rejected[0]["offset"] as? Int == lines[0].utf8.count + 1)
        #expect(rejected.allSatisfy { ($0["file"] as? String) == cli.events })
        // the monster's raw bytes are capped at 64 KiB but its length is known
        #expect(try cli.sql("SELECT length(raw), raw_length FROM rejected WHERE code = 'LINE_TOO_LONG'") == "65536|1100021\n")
    }

    @Test func theSpecRulesEndToEnd() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog([
            webhookLine("a", amount: "null", currency: "PEN", extra: [("currency", "null"), ("countryCode", "\"PE\"")]),  // no amount
            webhookLine("a", "Pending", amount: "\"12.50\"", currency: "PEN"),                                            // fill-in
            webhookLine("a", "approved", amount: "12.5", currency: "PEN", extra: [("eventId", "\"e1\"")]),               // case, number
            webhookLine("a", "Declined", amount: "\"99\"", currency: "PEN", extra: [("eventId", "\"e1\"")]),             // duplicate by id
            webhookLine("a", "Pending", amount: "\"12.50\"", currency: "PEN"),                                            // late? no: duplicate by content
            webhookLine("a", "Pending", amount: "\"12.50\"", currency: "PEN", extra: [("message", "\"late one\"")]),      // late
            webhookLine("a", "Declined", user: "u2", amount: "\"12.50\"", currency: "PEN", extra: [("errorCode", "\"PSP_TIMEOUT\"")]), // conflict+mismatch
            webhookLine("caf\u{E9}"), webhookLine("cafe\u{301}"),
            webhookLine("crlf") + "\r",
        ])
        #expect(try cli.run(["ingest"]).status == 0)
        let shown = try cli.json(["tx", "show", "a", "--json"]) as! [String: Any]
        #expect(shown["status"] as? String == "Declined")
        #expect(shown["amount"] as? String == "12.50")
        #expect(shown["country"] as? String == "PE")
        #expect(shown["user_id"] as? String == "u1")
        #expect(shown["errorCode"] as? String == "PSP_TIMEOUT")
        #expect(Set(shown["flags"] as! [String]) == ["CONFLICT", "MISMATCH"])
        #expect(shown["event_count"] as? Int == 7)
        let events = shown["events"] as! [[String: Any]]
        #expect(events.map { $0["duplicate"] as! Bool } == [false, false, false, true, true, false, false])
        #expect(events.map { $0["late"] as! Bool } == [false, false, false, false, false, true, false])
        #expect(events[2]["transaction_status"] as? String == "Approved")
        // byte-different ids stay two transactions; CRLF is tolerated
        let all = try cli.json(["tx", "list", "--json", "--limit", "0"]) as! [[String: Any]]
        #expect(all.map { $0["transaction_id"] as! String }.count == 4)
        #expect(all.first?["transaction_id"] as? String == "crlf")  // newest first
    }

    @Test func aPartialLastLineWaitsForItsLineFeed() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let line = webhookLine("p1")
        try (line + "\n" + String(line.dropLast(5))).write(toFile: cli.events, atomically: false, encoding: .utf8)
        #expect(try cli.run(["ingest"]).stdout.hasPrefix("1 lines applied"))
        try cli.append(String(line.suffix(5)) + "\n")
        #expect(try cli.run(["ingest"]).stdout.hasPrefix("1 lines applied"))
        #expect(try cli.sql("SELECT next_line, offset FROM follower") == "3|\(2 * (line.utf8.count + 1))\n")
    }

    @Test func aMissingLogIsWaitedForNotAnError() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let result = try cli.run(["ingest"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("does not exist yet"))
    }

    @Test func crashesAtRandomMomentsLoseNothingAndApplyNothingTwice() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "30000", "--rate", "0", "--seed", "11"]).status == 0)
        // The reference: one clean run into another database.
        let reference = cli.directory.appendingPathComponent("reference.db").path
        #expect(try cli.run(["ingest", "--batch", "700"], environment: ["CLEO_CONSOLE_DB": reference]).status == 0)
        // Kill ingest with SIGKILL at several moments, then let one finish.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let process = try cli.start(["ingest", "--batch", "700"])
            usleep(UInt32.random(in: 30_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        #expect(try cli.run(["ingest", "--batch", "700"]).status == 0)
        let crashed = try cli.content()
        #expect(crashed == (try cli.content(db: reference)))
        #expect(crashed.count > 100_000)
    }

    /// A backlog over the bulk threshold, loaded into an empty database (indexes built after the
    /// load, each batch read and parsed on another thread while the previous one is written),
    /// gives the database a batch-by-batch run gives; `--follow`'s final total counts it.
    @Test func aBacklogLoadedInBulkEqualsOneAppliedBatchByBatch() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let reference = try bulkLogAndReference(cli)
        let size = try FileManager.default.attributesOfItem(atPath: cli.events)[.size] as? Int ?? 0
        #expect(size >= 32 << 20)  // ingest's bulk threshold

        let output = cli.directory.appendingPathComponent("follow.out").path
        let follower = try cli.start(["ingest", "--follow", "--batch", "7000"], output: output)
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        // The bulk load's summary is printed once its indexes are built.
        try waitFor({ (try? String(contentsOfFile: output, encoding: .utf8))?.contains("90000 lines applied") == true }, seconds: 120)
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)
        let printed = try String(contentsOfFile: output, encoding: .utf8)
        #expect(printed.contains("loading a backlog"))
        #expect(printed.split(separator: "\n").last?.hasPrefix("total: 90000 lines applied") == true, "\(printed)")
        #expect(try cli.content() == (try cli.content(db: reference)))
        // Every index is back, as the shipped schema defines it (the bulk load rebuilds from the
        // living list, v1 from its frozen copy: they must not drift), and the bulk mark is gone.
        let indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        #expect(try cli.sql(indexes) == (try cli.sql(indexes, db: reference)))
        #expect(try cli.sql("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'tx\\_%' ESCAPE '\\'") == "9\n")
        #expect(try cli.sql("SELECT count(*) FROM meta WHERE key = 'bulk_load'") == "0\n")
        try expectPanelCountsAsInOneRun(cli, reference)
    }

    /// The panel's kept counts and the triggers that keep them, as the batch-by-batch reference
    /// has them (a bulk load drops the triggers and counts once at its end).
    private func expectPanelCountsAsInOneRun(_ cli: CLIHarness, _ reference: String) throws {
        let counts = "SELECT * FROM tx_facet WHERE n > 0 ORDER BY 1, 2, 3, 4, 5"
        let triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        #expect(try cli.sql(counts) == (try cli.sql(counts, db: reference)))
        #expect(try cli.sql(triggers) == (try cli.sql(triggers, db: reference)) && (try cli.sql(triggers)).contains("tx_facet_update"))
    }

    /// A 90,000-line log (over the bulk threshold) and the reference a batch-by-batch run of it
    /// gives (ten lines first: a database that holds transactions is never loaded in bulk).
    private func bulkLogAndReference(_ cli: CLIHarness) throws -> String {
        #expect(try cli.run(["demo", "--count", "90000", "--rate", "0", "--seed", "21"]).status == 0)
        let full = try Data(contentsOf: URL(fileURLWithPath: cli.events))
        var cut = 0
        for _ in 0..<10 { cut = full[cut...].firstIndex(of: 0x0A)! + 1 }
        try full.prefix(cut).write(to: URL(fileURLWithPath: cli.events))
        let reference = cli.directory.appendingPathComponent("reference.db").path
        #expect(try cli.run(["ingest"], environment: ["CLEO_CONSOLE_DB": reference]).status == 0)
        try cli.append(full.suffix(from: cut))
        let rest = try cli.run(["ingest", "--batch", "7000"], environment: ["CLEO_CONSOLE_DB": reference])
        #expect(rest.status == 0 && !rest.stderr.contains("backlog"))
        return reference
    }

    /// The database file's header says which journal it uses: 1 a rollback journal, 2 WAL.
    private func headerJournalByte(_ path: String) throws -> UInt8 {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.count > 18 ? data[18] : 0
    }

    /// A bulk load runs under a rollback journal with `tx_id` built after it; killed (SIGKILL)
    /// midway, the next run rolls back its unfinished batch, builds every index and goes on
    /// from the committed position: nothing lost, nothing applied twice, back in WAL.
    @Test func aBulkLoadKilledInItsRollbackJournalLosesNothingAndAppliesNothingTwice() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let reference = try bulkLogAndReference(cli)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2 {
            let output = cli.directory.appendingPathComponent("bulk-\(round).out").path
            let process = try cli.start(["ingest", "--batch", "7000"], output: output)
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            try waitFor({ (try? String(contentsOfFile: output, encoding: .utf8))?.contains("loading a backlog") == true || !process.isRunning }, seconds: 60)
            usleep(UInt32.random(in: 200_000...2_500_000, using: &generator))
            let running = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if round == 0 {
                #expect(running, "the load ended before it was killed")
                #expect(try headerJournalByte(cli.db) == 1, "killed while loading under a rollback journal")
            }
        }
        let last = try cli.run(["ingest", "--batch", "7000"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try cli.content() == (try cli.content(db: reference)))
        let indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        #expect(try cli.sql(indexes) == (try cli.sql(indexes, db: reference)))
        #expect(try cli.sql("SELECT count(*) FROM meta WHERE key = 'bulk_load'") == "0\n")
        #expect(try headerJournalByte(cli.db) == 2)
        try expectPanelCountsAsInOneRun(cli, reference)
    }

    /// While a backlog loads (the database under a rollback journal, its indexes not built),
    /// another process that opens the database — to read or to write — is told so and exits 1,
    /// changing nothing; once the load ends it opens as usual.
    @Test func anotherProcessOpeningDuringABulkLoadIsToldABacklogIsLoading() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "90000", "--rate", "0", "--seed", "21"]).status == 0)
        let output = cli.directory.appendingPathComponent("bulk.out").path
        let loader = try cli.start(["ingest"], output: output)
        defer { if loader.isRunning { kill(loader.processIdentifier, SIGKILL) } }
        try waitFor({ (try? String(contentsOfFile: output, encoding: .utf8))?.contains("loading a backlog") == true }, seconds: 60)
        for command in [["tx", "list", "--json"], ["ingest"]] {
            let refused = try cli.run(command)
            #expect(refused.status == 1, "\(command): \(refused.stdout)")
            #expect(refused.stderr.contains("a backlog is being loaded into the database"), "\(command): \(refused.stderr)")
        }
        #expect(loader.isRunning, "the load ended before the others tried")
        loader.waitUntilExit()
        #expect(loader.terminationStatus == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("90000 lines applied"))
        let after = try cli.run(["tx", "list", "--json", "--limit", "1"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(try cli.sql("PRAGMA journal_mode") == "wal\n")
    }

    /// A line that arrives alone is committed alone, and the disk pays for every page it dirties
    /// (its rows and an entry in each index), written whole to the WAL: ~200 KB a line with the
    /// 16 KiB pages of a new database, ~800 KB with 64 KiB pages (70 GB a day at one event a second).
    @Test func aLiveLineCostsTheDiskLittle() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "2000", "--rate", "0", "--seed", "3"]).status == 0)
        #expect(try cli.run(["ingest"]).status == 0)
        let more = cli.directory.appendingPathComponent("more.jsonl").path
        #expect(try cli.run(["demo", "--count", "40", "--rate", "0", "--seed", "4", "--events", more]).status == 0)
        let lines = try String(contentsOfFile: more, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)

        let follower = try cli.start(["ingest", "--follow"], output: cli.directory.appendingPathComponent("follow.out").path)
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: cli.db + "-wal")[.size]) as? Int) ?? 0 }
        // The first line shows the follower is up (whatever it wrote at start is then behind us).
        try cli.append(lines[0] + "\n")
        try waitFor { try cli.linesApplied() == 2001 }
        let before = walBytes()
        for (n, line) in lines.dropFirst().enumerated() {
            try cli.append(line + "\n")
            try waitFor { try cli.linesApplied() == 2002 + n }  // one line, one commit
        }
        // 39 commits of ~14 pages stay under the 1,000-page autocheckpoint: the WAL only grew.
        let perLine = (walBytes() - before) / (lines.count - 1)
        // issue 9's goal: a live event costs at most 64 KB (4 KiB pages, no index entry
        // rewritten for nothing, the follower row updated in place); 16 KiB pages gave ~196 KB.
        #expect(perLine > 4_096 && perLine < 64 << 10, "\(perLine) bytes of WAL a line")
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
    }

    /// Lines arriving faster than the follower's pacing share commits; unpaced, a line written
    /// every 2 ms got a commit of its own.
    @Test func aFastFeedSharesCommits() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let feed = cli.directory.appendingPathComponent("feed.jsonl").path
        #expect(try cli.run(["demo", "--count", "200", "--rate", "0", "--seed", "6", "--events", feed]).status == 0)
        let lines = try String(contentsOfFile: feed, encoding: .utf8).split(separator: "\n")
        try cli.writeLog([String(lines[0])])
        let output = cli.directory.appendingPathComponent("follow.out").path
        let follower = try cli.start(["ingest", "--follow"], output: output)
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        try waitFor { try cli.linesApplied() == 1 }
        for line in lines.dropFirst() {
            try cli.append(line + "\n")
            usleep(2_000)
        }
        try waitFor { try cli.linesApplied() == lines.count }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        let commits = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").filter { $0.contains("lines applied") && !$0.hasPrefix("total") }
        #expect(commits.count < 40, "\(commits.count) commits for \(lines.count) lines")
    }

    @Test func twoIngestersAtOnceApplyEachLineExactlyOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "20000", "--rate", "0", "--seed", "5"]).status == 0)
        let reference = cli.directory.appendingPathComponent("reference.db").path
        #expect(try cli.run(["ingest", "--batch", "500"], environment: ["CLEO_CONSOLE_DB": reference]).status == 0)
        // Both start at once on a new database (creation, migration and key file serialised).
        let first = try cli.start(["ingest", "--batch", "500"])
        let second = try cli.start(["ingest", "--batch", "500"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(try cli.content() == (try cli.content(db: reference)))
    }

    @Test func followingThroughSplitWritesRotationAndTruncation() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        #expect(FileManager.default.createFile(atPath: cli.events, contents: nil))
        let follower = try cli.start(["ingest", "--follow", "--batch", "100"])
        defer { if follower.isRunning { kill(follower.processIdentifier, SIGKILL) } }
        // Lines split across writes at odd places.
        let text = (0..<40).map { webhookLine("f\($0)") + "\n" }.joined()
        var index = text.startIndex
        var size = 1
        while index < text.endIndex {
            let end = text.index(index, offsetBy: size, limitedBy: text.endIndex) ?? text.endIndex
            try cli.append(String(text[index..<end]))
            index = end
            size = size * 3 % 97 + 1
            usleep(2_000)
        }
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "40\n" }
        // Rotation: the old file moves aside with two more lines written just before.
        try cli.append(webhookLine("f40") + "\n" + webhookLine("f41") + "\n")
        try FileManager.default.moveItem(atPath: cli.events, toPath: cli.events + ".1")
        try cli.writeLog([webhookLine("r0"), webhookLine("r1")])
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "44\n" }
        // Truncation, then growth past the old position with different content.
        try cli.writeLog([webhookLine("t0"), webhookLine("t1"), webhookLine("t2", extra: [("message", "\"" + String(repeating: "x", count: 300) + "\"")])])
        try waitFor { try cli.sql("SELECT count(*) FROM tx") == "47\n" }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)
        #expect(try cli.sql("SELECT kind FROM follower_notice ORDER BY id") == "rotation\ntruncation\n")
        #expect(try cli.sql("SELECT count(*) FROM event") == "47\n")  // each line exactly once
        // f41 was read either before the move (under the path) or after it, from the rotated file
        // (under its new name): a race this test does not control. Its line number is the same.
        let placed = try cli.sql("SELECT f.path, e.line FROM event e JOIN tx t ON t.seq = e.tx_seq JOIN event_file f ON f.id = e.file_id WHERE t.id IN ('f41','r0','t2') ORDER BY e.id")
        #expect(placed == "\(cli.events).1|42\n\(cli.events)|1\n\(cli.events)|3\n" || placed == "\(cli.events)|42\n\(cli.events)|1\n\(cli.events)|3\n")
    }

    @Test func aRotationWhileNothingFollowedFindsTheOldFileOrRecordsAGap() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.writeLog([webhookLine("o0")])
        #expect(try cli.run(["ingest"]).status == 0)
        try cli.append(webhookLine("o1") + "\n")
        try FileManager.default.moveItem(atPath: cli.events, toPath: cli.events + ".old")
        try cli.writeLog([webhookLine("n0")])
        #expect(try cli.run(["ingest"]).stdout.hasPrefix("2 lines applied"))  // o1 from the old file, n0
        // Now rotate again and delete the old file: a visible gap.
        try cli.append(webhookLine("n1") + "\n")
        // (the new file is made before the old one is deleted, so its inode cannot be reused)
        try (webhookLine("m0") + "\n").write(toFile: cli.events + ".new", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: cli.events)
        try FileManager.default.moveItem(atPath: cli.events + ".new", toPath: cli.events)
        let third = try cli.run(["ingest"])
        #expect(third.stdout.hasPrefix("1 lines applied"), "\(third.stdout) \(third.stderr)")
        let notices = try cli.sql("SELECT kind FROM follower_notice ORDER BY id")
        #expect(notices == "rotation\ngap\nrotation\n")
        #expect(try cli.sql("SELECT count(*) FROM tx WHERE id = 'n1'") == "0\n")
    }
}
