import CleoDomain
import CleoStore
import Foundation
import Testing

/// `tx show` prints the timeline as it reads it, one event at a time: 100 events with 1 MiB
/// messages peaked at 249 MB when the timeline was gathered first. The JSON is the same
/// document it was (an object whose `events` array follows its other members), events or none.
@Suite struct TxShowStreamingTests {
    /// The peak resident size of one run of the binary, in MB, as GNU time reports it: its
    /// own wait4 of a child it forked (a child spawned by this test process would report this
    /// process's size — Linux keeps the larger high-water mark across exec).
    static func peakMB(_ harness: CLIHarness, _ arguments: [String]) throws -> (status: Int32, peakMB: Double) {
        let report = harness.directory.appendingPathComponent("time.txt").path
        let process = harness.process(["-f", "%M", "-o", report, CLIHarness.binary] + arguments)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let kilobytes = Double(try String(contentsOfFile: report, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .infinity
        return (process.terminationStatus, kilobytes / 1024)
    }

    @Test func aTimelineOfHugeMessagesIsPrintedWithoutHoldingIt() throws {
        let harness = try CLIHarness()
        defer { harness.cleanup() }
        // 60 events of ~900 KB each (a line is at most 1 MiB): 54 MB of messages.
        let message = String(repeating: "m", count: 900_000)
        try harness.writeLog((0..<60).map { webhookLine("BIG", $0 == 59 ? "Approved" : "Pending", extra: [("message", "\"\(message)\"")]) })
        #expect(try harness.run(["ingest"]).status == 0)
        for arguments in [["tx", "show", "BIG"], ["tx", "show", "BIG", "--json"]] {
            let (status, peak) = try Self.peakMB(harness, arguments)
            #expect(status == 0, "\(arguments)")
            // Gathered first, this was over 150 MB (60 × message, raw line and printed copy).
            #expect(peak < 64, "\(arguments): peak \(peak) MB")
        }
        let text = try harness.run(["tx", "show", "BIG"])
        // The transaction's message, then each event's: every one printed whole.
        #expect(text.stdout.components(separatedBy: "\n").filter { $0.contains(message) }.count == 61)
        let document = try #require(try harness.json(["tx", "show", "BIG", "--json"]) as? [String: Any])
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 60 && events.allSatisfy { $0["message"] as? String == message })
        #expect(events.map { $0["line"] as? Int } == (1...60).map { $0 })
        #expect(document["status"] as? String == "Approved" && document["origin"] as? String == "webhook")
    }

    /// Whether a thread of `pid` sleeps writing to a full pipe (`anon_pipe_write` on this
    /// kernel, `pipe_write` on older ones).
    static func blockedOnPipe(_ pid: Int32) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.contains { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/wchan", encoding: .utf8)) ?? "").contains("pipe_write")
        }
    }

    /// A pager that stops reading (`tx show ID | less`, the user gone for lunch) holds no
    /// snapshot: commits made meanwhile are checkpointed whole, so serve's WAL does not grow
    /// without end behind a reader. Handing events out inside the chunk's read fails this.
    @Test func aStalledPagerHoldsNoSnapshot() throws {
        let harness = try CLIHarness()
        defer { harness.cleanup() }
        let message = String(repeating: "m", count: 900_000)
        // The last event's message is the transaction's, printed in its header: short, so what
        // blocks is the timeline's first chunk.
        try harness.writeLog((0..<30).map { webhookLine("BIG", "Pending", extra: [("message", $0 == 29 ? "\"last\"" : "\"\($0)\(message)\"")]) })
        #expect(try harness.run(["ingest"]).status == 0)
        let show = harness.process(["tx", "show", "BIG"])
        let out = Pipe()
        show.standardOutput = out
        show.standardError = FileHandle.nullDevice
        try show.run()
        defer { kill(show.processIdentifier, SIGKILL); show.waitUntilExit() }
        // Its header and the start of the first chunk, then it blocks: the pipe is full.
        _ = try out.fileHandleForReading.read(upToCount: 4_096)
        try waitFor({ Self.blockedOnPipe(show.processIdentifier) })
        // Another writer commits meanwhile; then a checkpoint from a third connection.
        try harness.append(webhookLine("OTHER") + "\n")
        #expect(try harness.run(["ingest"]).status == 0)
        let answer = try harness.sql("PRAGMA wal_checkpoint(PASSIVE);").trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = answer.split(separator: "|").map { Int($0) ?? -1 }
        // (busy, frames in the WAL, frames checkpointed): all of them, none held back for a reader.
        #expect(fields.count == 3 && fields[0] == 0 && fields[1] > 0 && fields[2] == fields[1], "checkpoint answered \(answer)")
        #expect(Self.blockedOnPipe(show.processIdentifier), "tx show was still waiting for its reader")
    }

    @Test func theJSONIsTheWholeDocumentWithOneEventOrNone() throws {
        let harness = try CLIHarness()
        defer { harness.cleanup() }
        try harness.writeLog([webhookLine("ONE")])
        #expect(try harness.run(["ingest"]).status == 0)
        let one = try harness.run(["tx", "show", "ONE", "--json"])
        #expect(one.status == 0)
        #expect(one.stdout.hasSuffix("\"late\": false\n    }\n  ]\n}\n"), "\(one.stdout)")
        #expect(one.stdout.contains("\"origin\": \"webhook\",\n  \"events\": [\n    {\n      \"file\": "), "\(one.stdout)")
        // A cashier send is listed before its first webhook: a transaction with no event.
        let database = try AppDatabase.open(path: harness.db)
        _ = try database.recordCashierSend(CashierSendRecord(
            at: Timestamp(millisecondsSince1970: 1_790_000_000_500), user: "ops", origin: "local", environment: "sandbox",
            baseURL: "http://127.0.0.1:1", region: .chile, method: .payIn, userID: "u1", amount: "10000", currency: "CLP",
            keyFingerprint: "sha256:00aa11bb", result: "created", httpStatus: 200, errorCode: nil, message: nil,
            transactionID: "CASHIER-1", sessionID: "s-1"))
        let none = try harness.run(["tx", "show", "CASHIER-1", "--json"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout.hasSuffix("\"origin\": \"cashier\",\n  \"events\": []\n}\n"), "\(none.stdout)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any])
        #expect((document["events"] as? [Any])?.isEmpty == true && document["event_count"] as? Int == 0)
        let missing = try harness.run(["tx", "show", "NOPE", "--json"])
        #expect(missing.status != 0 && missing.stdout.isEmpty, "nothing printed for a transaction that is not there")
    }
}
