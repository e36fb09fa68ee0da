import CleoDomain
import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `cleo-console serve` (serve.md), the real binary on 127.0.0.1: the table of a delivery row
/// by row, the line, duplicates, the secured mode and live configuration.
@Suite struct ServeCLITests {
    func refused(_ h: CLIHarness) throws -> [[String: Any]] {
        try h.json(["events", "refused", "--json"]) as? [[String: Any]] ?? []
    }

    @Test func withoutAWebhookURLServeRefusesToStartWith78() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        let result = try h.run(["serve", "--listen", "127.0.0.1:0"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("cleo-console config set webhookUrl"))
        #expect(!FileManager.default.fileExists(atPath: h.events))
    }

    /// `--db console.db --events log.jsonl` from the folder that holds them: serve creating the
    /// log's folder "" failed with a raw Foundation error (exit 74).
    @Test func relativePathsInTheWorkingFolderServe() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let process = h.process(["serve", "--listen", "127.0.0.1:0", "--db", "console.db", "--events", "webhook-events.jsonl"])
        process.currentDirectoryURL = h.directory
        let output = h.directory.appendingPathComponent("serve.out").path
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var port = 0
        for _ in 0..<300 where port == 0 && process.isRunning {
            let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = log.range(of: "listening on http://127.0.0.1:") { port = Int(log[range.upperBound...].prefix { $0.isNumber }) ?? 0 }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(port > 0, "\(log)")
        guard port > 0 else { return }
        #expect(try RawHTTP.post(port: port, webhookLine("relative-1")).status == 200)
        #expect(try h.logLines().count == 1)
    }

    @Test func anotherAddressThanLoopbackNeedsInsecureHTTP() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let result = try h.run(["serve", "--listen", "0.0.0.0:0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--insecure-http"))
        #expect(try h.run(["serve", "--listen", "nonsense"]).status == 64)
    }

    @Test func everyRowOfTheTable() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let port = serve.port

        // Not POST, or another path: 405 / 404, nothing kept.
        #expect(try RawHTTP.request(port: port, method: "GET").status == 405)
        #expect(try RawHTTP.request(port: port, method: "PUT", body: Array("{}".utf8)).status == 405)
        #expect(try RawHTTP.post(port: port, "{}", path: "/hooks/other").status == 404)
        #expect(try RawHTTP.post(port: port, "{}", path: "/").status == 404)
        #expect(try refused(h).isEmpty)

        // Content-Type not application/json: 415 (parameters allowed).
        #expect(try RawHTTP.post(port: port, webhookLine("ct"), headers: [("Content-Type", "text/plain")]).status == 415)
        #expect(try RawHTTP.post(port: port, webhookLine("ct"), headers: []).status == 415)
        // A refused body is not drained: 4 MiB after a 415 are never read.
        let unsupportedBefore = try serve.bytesRead()
        let unsupported = try RawHTTP.connect(port: port)
        RawHTTP.send(unsupported, Array("POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 4194304\r\n\r\n".utf8))
        #expect(try RawHTTP.readReply(unsupported).status == 415)
        RawHTTP.send(unsupported, [UInt8](repeating: 0x20, count: 4 << 20))
        close(unsupported)
        usleep(200_000)
        #expect(try serve.bytesRead() - unsupportedBefore < 512 << 10)
        #expect(try RawHTTP.post(port: port, webhookLine("ct-ok"), headers: [("Content-Type", "application/json; charset=utf-8")]).status == 200)

        // Over 1 MiB: 413, declared (no body sent at all: answered from the header alone)…
        let declaredBefore = try serve.bytesRead()
        let declared = try RawHTTP.connect(port: port)
        RawHTTP.send(declared, Array("POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n".utf8))
        #expect(try RawHTTP.readReply(declared).status == 413)
        // And if the sender sends it all the same, none of it is read.
        RawHTTP.send(declared, [UInt8](repeating: 0x20, count: 4 << 20))
        close(declared)
        usleep(200_000)
        #expect(try serve.bytesRead() - declaredBefore < 512 << 10)
        // …or streamed in chunks with no length: refused once 1 MiB + 1 byte has arrived, and
        // the rest is not read (the bytes the process read from any descriptor, /proc/PID/io).
        let readBefore = try serve.bytesRead()
        let streamed = try RawHTTP.connect(port: port, timeout: 5)
        RawHTTP.send(streamed, Array("POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: 0x20, count: 65_536)
        var sent = 0
        while sent < 4 << 20, RawHTTP.send(streamed, Array("10000\r\n".utf8) + chunk + Array("\r\n".utf8)) { sent += chunk.count }
        // The answer may be lost to the reset of a connection closed with unread bytes; the record is not.
        if let reply = try? RawHTTP.readReply(streamed) { #expect(reply.status == 413) }
        close(streamed)
        usleep(200_000)
        let read = try serve.bytesRead() - readBefore
        #expect(read < (1 << 20) + (512 << 10), "serve read \(read) of the \(sent) bytes sent")
        // Exactly 1 MiB of JSON is not too large.
        let padding = String(repeating: " ", count: (1 << 20) - webhookLine("big").utf8.count)
        #expect(try RawHTTP.post(port: port, webhookLine("big") + padding).status == 200)

        // Not a strict JSON object: 400 with a one-line reason, the raw body kept.
        let bad = try RawHTTP.post(port: port, "{\"transaction_id\":\"t\",}")
        #expect(bad.status == 400)
        #expect(bad.body.hasPrefix("not strict JSON"))
        #expect(bad.body.filter { $0 == "\n" }.count == 1)
        #expect(try RawHTTP.post(port: port, "[1,2]").status == 400)
        #expect(try RawHTTP.request(port: port, body: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]).status == 400)

        // Otherwise 200, once durable.
        let ok = try RawHTTP.post(port: port, webhookLine("row-200"))
        #expect(ok.status == 200)
        let deliveryID = jsonObject(ok.body)?["deliveryId"] as? String
        #expect(deliveryID != nil)
        let lines = try h.logLines()
        #expect(lines.count == 3)
        #expect(lines.last.flatMap(jsonObject)?["deliveryId"] as? String == deliveryID)

        let records = try refused(h)
        #expect(records.map { $0["status"] as? Int } == [415, 415, 415, 413, 413, 400, 400, 400])
        #expect(records.allSatisfy { $0["remote"] as? String == "127.0.0.1" && ($0["reason"] as? String)?.isEmpty == false && $0["at"] is String })
        // The raw body is kept for a 400 only.
        #expect(try h.sql("SELECT status, raw_length, hex(raw) FROM refused_delivery WHERE raw IS NOT NULL ORDER BY id")
                == "400|23|\(Array("{\"transaction_id\":\"t\",}".utf8).map { String(format: "%02X", $0) }.joined())\n400|5|5B312C325D\n400|7|7B22FF223A317D\n")

        // GET /healthz and /metrics.
        let health = try RawHTTP.request(port: port, method: "GET", path: "/healthz", headers: [])
        #expect(health.status == 200)
        #expect(jsonObject(health.body)?["status"] as? String == "ok")
        let metrics = try RawHTTP.request(port: port, method: "GET", path: "/metrics", headers: []).body
        #expect(metrics.contains("cleo_serve_deliveries_total{status=\"200\"} 3"))
        #expect(metrics.contains("cleo_serve_deliveries_total{status=\"413\"} 2"))
        #expect(metrics.contains("cleo_serve_fsync_seconds_count 3"))

        // One stderr line per delivery: no body, no header value.
        #expect(serve.log.contains("127.0.0.1 POST 200 "))
        #expect(serve.log.contains("transaction_id=row-200"))
        #expect(!serve.log.contains("CLEO_PAYIN"))
        #expect(!serve.log.contains("charset"))
    }

    /// serve.md: a 400 keeps "the raw body (up to 64 KiB)": the first 64 KiB of a larger one, and
    /// its length whole.
    @Test func aRefused400KeepsAtMost64KiBOfItsBody() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        // 100 KiB that are not JSON: every byte the same, so the kept prefix is easy to check.
        let body = [UInt8](repeating: 0x78, count: 100 << 10)
        #expect(try RawHTTP.request(port: serve.port, body: body).status == 400)
        #expect(try h.sql("SELECT status, length(raw), raw_length, length(replace(CAST(raw AS TEXT), 'x', '')) FROM refused_delivery")
                == "400|65536|102400|0\n")
    }

    /// serve.md: a change of `webhookUrl` is picked up within 2 s; without one, every delivery is
    /// 404 (README, "Decisions"). No command removes it, so the row is edited as an outsider would.
    @Test func aWebhookURLRemovedWhileRunningIs404Within2s() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("gone-1")).status == 200)
        _ = try h.sql("UPDATE config SET webhookUrl = NULL, version = version + 1")
        let removed = try pollStatus(404, seconds: 3) { try RawHTTP.post(port: serve.port, webhookLine("gone-2")).status }
        #expect(removed.status == 404)
        #expect(removed.after < 2, "404 after \(removed.after) s")
        #expect(serve.log.contains("webhook path now (none"))
        // Set again: taken again, still without a restart.
        try h.configureWebhook()
        #expect(try pollStatus(200, seconds: 3) { try RawHTTP.post(port: serve.port, webhookLine("gone-3")).status }.status == 200)
        // gone-2 was taken until the change was seen (the polls before it); gone-3 once, after.
        let ids = try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String }
        #expect(ids.first == "gone-1" && ids.last == "gone-3" && ids.filter { $0 == "gone-3" }.count == 1, "\(ids)")
        #expect(serve.process.isRunning)
    }

    @Test func theAccessLogShowsASendersIdSanitisedAndCut() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        // An escape sequence, a right-to-left override and a newline in the id are the sender's text.
        #expect(try RawHTTP.post(port: serve.port, webhookLine("red\\u001b[31mX\\u202eY\\nZ")).status == 200)
        #expect(try RawHTTP.post(port: serve.port, webhookLine(String(repeating: "a", count: 300))).status == 200)
        usleep(200_000)
        let lines = serve.log.split(separator: "\n").filter { $0.contains(" POST 200 ") }
        #expect(lines.count == 2)
        #expect(!serve.log.utf8.contains(0x1B) && !serve.log.contains("\u{202E}"))
        #expect(lines.first?.hasSuffix("transaction_id=red␛[31mX⟨U+202E⟩Y␊Z") == true, "\(lines.first ?? "")")
        #expect(lines.last?.hasSuffix("transaction_id=" + String(repeating: "a", count: 128)) == true)
    }

    @Test func theServiceStateBesideTheDatabaseSaysReceivingThenStopped() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("beat-1")).status == 200)
        #expect(try RawHTTP.post(port: serve.port, webhookLine("beat-2")).status == 200)
        #expect(try RawHTTP.post(port: serve.port, "[]").status == 400)
        // Bounded: a beat every 2 s.
        var state: ServiceState?
        for _ in 0..<80 {
            state = ServiceStateFile.read(forDatabase: h.db)
            if state?.deliveriesLastHour == 2 && state?.refusalsLastHour == 1 { break }
            usleep(50_000)
        }
        let seen = try #require(state)
        #expect(seen.deliveriesLastHour == 2 && seen.refusalsLastHour == 1)
        #expect(seen.pid == Int(serve.process.processIdentifier))
        #expect(seen.listen == "http://127.0.0.1:\(serve.port)")
        #expect(seen.lastDeliveryAt != nil)
        guard case .receiving = seen.phase(now: .now()) else { Issue.record("\(seen)"); return }
        serve.signal(SIGTERM)
        #expect(serve.waitForExit(seconds: 6) == 0)
        let stopped = try #require(ServiceStateFile.read(forDatabase: h.db))
        guard case .stopped = stopped.phase(now: .now()) else { Issue.record("\(stopped)"); return }
    }

    @Test func aBodyWithNewlinesBecomesOneCompactLineWithItsLiteralsKept() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let body = "{\n  \"transaction_id\": \"nl-1\",\n  \"method\": \"CLEO_PAYIN\",\n  \"transaction_status\": \"Approved\",\n  \"status\": \"SUCCESS\",\n  \"user_id\": \"u 1\",\n  \"amount\": 10000.00,\n  \"currency\": \"CLP\",\n  \"message\": \"Pago \\u00e9xito\\n\\\"ok\\\"\",\n  \"score\": 1.5E+3\n}\n"
        let reply = try RawHTTP.post(port: serve.port, body)
        #expect(reply.status == 200)
        let lines = try h.logLines()
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        let deliveryID = try #require(jsonObject(reply.body)?["deliveryId"] as? String)
        let prefix = "{\"transaction_id\":\"nl-1\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Approved\",\"status\":\"SUCCESS\",\"user_id\":\"u 1\",\"amount\":10000.00,\"currency\":\"CLP\",\"message\":\"Pago \\u00e9xito\\n\\\"ok\\\"\",\"score\":1.5E+3,\"receivedAt\":\""
        #expect(line.hasPrefix(prefix), "\(line)")
        #expect(line.hasSuffix("Z\",\"deliveryId\":\"\(deliveryID)\"}"))
        #expect(try h.waitForLinesApplied(1))
        let tx = try #require(try h.json(["tx", "show", "nl-1", "--json"]) as? [String: Any])
        #expect(tx["amount"] as? String == "10000.00")
        #expect(tx["status"] as? String == "Approved")
    }

    /// The platform keeps its connections open and may pipeline: requests sent together on one
    /// connection are answered in the order sent, each delivery only once durable, and a refusal
    /// without a body keeps the connection.
    @Test func pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        func post(_ id: String) -> String {
            let body = "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"SUCCESS\",\"amount\":\"1.00\",\"currency\":\"CLP\"}"
            return "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        }
        let fd = try RawHTTP.connect(port: serve.port)
        defer { close(fd) }
        let requests = post("pipe-1") + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n" + post("pipe-2") + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post("pipe-3")
        #expect(RawHTTP.send(fd, Array(requests.utf8)))
        let replies = try RawHTTP.readReplies(fd, count: 5)
        #expect(replies.map(\.status) == [200, 404, 200, 200, 200])
        #expect(replies.allSatisfy { $0.headers["connection"] == nil }, "the connection is kept")
        #expect(replies[0].body.contains("deliveryId") && replies[2].body.contains("deliveryId") && replies[4].body.contains("deliveryId"))
        // /healthz was answered after pipe-2's answer: both deliveries before it were written.
        let written = try #require(jsonObject(replies[3].body)?["linesWritten"] as? Int)
        #expect(written >= 2)
        // And the same connection still takes a request after them.
        #expect(RawHTTP.send(fd, Array(post("pipe-4").utf8)))
        #expect(try RawHTTP.readReplies(fd, count: 1).map(\.status) == [200])
        let ids = try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String }
        #expect(ids == ["pipe-1", "pipe-2", "pipe-3", "pipe-4"])
    }

    @Test func aRetriedDeliveryIsOneTransactionWithADuplicateEvent() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let body = webhookLine("retry-1", "Approved")
        let first = try RawHTTP.post(port: serve.port, body)
        let second = try RawHTTP.post(port: serve.port, body)
        #expect(first.status == 200 && second.status == 200)
        // Each POST is its own delivery…
        #expect(jsonObject(first.body)?["deliveryId"] as? String != jsonObject(second.body)?["deliveryId"] as? String)
        #expect(try h.waitForLinesApplied(2))
        // …and the retry stays a duplicate by content (no eventId was added).
        let tx = try #require(try h.json(["tx", "show", "retry-1", "--json"]) as? [String: Any])
        let events = try #require(tx["events"] as? [[String: Any]])
        #expect(events.map { $0["duplicate"] as? Bool } == [false, true])
        #expect(tx["event_count"] as? Int == 2)
        let all = try #require(try h.json(["tx", "list", "--json"]) as? [[String: Any]])
        #expect(all.count == 1)
    }

    @Test func securedModeMissingWrongAndRightHeader() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        #expect(try h.run(["config", "set", "isWebhookSecured", "true"]).status == 0)
        // Secured with no value to compare with: refuses to start.
        let early = try h.run(["serve", "--listen", "127.0.0.1:0"])
        #expect(early.status == 78)
        #expect(early.stderr.contains("webhookAuthorization"))
        // Never from the command line.
        #expect(try h.run(["config", "set", "webhookAuthorization", "Bearer on-argv"]).status == 64)
        let secret = "Bearer 9f2c41d0-serve-test"
        let set = try h.run(["config", "set", "webhookAuthorization"], stdin: secret + "\n")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(!set.stdout.contains(secret))
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: "two\nlines").status == 65)

        let serve = try ServeProcess(h)
        defer { serve.stop() }
        let missing = try RawHTTP.post(port: serve.port, webhookLine("sec-1"))
        #expect(missing.status == 401)
        let wrong = try RawHTTP.post(port: serve.port, webhookLine("sec-1"), headers: [("Content-Type", "application/json"), ("Authorization", "Bearer 9f2c41d0-serve-tesT")])
        #expect(wrong.status == 401)
        let right = try RawHTTP.post(port: serve.port, webhookLine("sec-1"), headers: [("Content-Type", "application/json"), ("Authorization", secret)])
        #expect(right.status == 200)
        #expect(try h.logLines().count == 1)

        let records = try refused(h)
        #expect(records.map { $0["status"] as? Int } == [401, 401])
        #expect(records.map { $0["reason"] as? String } == ["Authorization header missing", "Authorization header wrong"])
        // The secret and the wrong guess appear nowhere in clear: not in the database, its WAL, the log or any output.
        for file in [h.db, h.db + "-wal", h.events, serve.output] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data("9f2c41d0-serve-tes".utf8)) == nil, "\(file)")
        }
        let show = try h.run(["config", "show"])
        #expect(show.stdout.contains("webhookAuthorization"))
        #expect(!show.stdout.contains(secret))
        let showJSON = try #require(try h.json(["config", "show", "--json"]) as? [String: Any])
        #expect((showJSON["webhookAuthorization"] as? String)?.hasPrefix("••••") == true)
        // Not part of the connector's export.
        for (field, value) in [("chileApiKey", "CL-key-0001"), ("peruApiKey", "PE-key-0001"), ("mexicoApiKey", "MX-key-0001"), ("customerExternalKeyForCleo", "ext-1")] {
            #expect(try h.run(["config", "set", field], stdin: value).status == 0)
        }
        let export = try h.run(["config", "export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("CL-key-0001"))
        #expect(!export.stdout.contains(secret) && !export.stdout.contains("webhookAuthorization"))
        let history = try h.run(["config", "history"])
        #expect(history.stdout.contains("webhookAuthorization"))
        #expect(!history.stdout.contains(secret))
    }

    @Test func aConfigurationChangeIsPickedUpWithin2sWithoutARestart() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        #expect(try RawHTTP.post(port: serve.port, webhookLine("live-1")).status == 200)

        // A new path.
        try h.configureWebhook("https://ops.example.com/hooks/v2")
        let newPath = try pollStatus(200, seconds: 3) { try RawHTTP.post(port: serve.port, webhookLine("live-2"), path: "/hooks/v2").status }
        #expect(newPath.status == 200)
        #expect(newPath.after < 2)
        #expect(try RawHTTP.post(port: serve.port, webhookLine("live-3")).status == 404)

        // Secured on (with its value): unauthenticated deliveries are refused from then on.
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: "Bearer live").status == 0)
        #expect(try h.run(["config", "set", "isWebhookSecured", "true"]).status == 0)
        let secured = try pollStatus(401, seconds: 3) { try RawHTTP.post(port: serve.port, webhookLine("live-4"), path: "/hooks/v2").status }
        #expect(secured.status == 401)
        #expect(secured.after < 2)
        #expect(try RawHTTP.post(port: serve.port, webhookLine("live-5"), path: "/hooks/v2",
                                 headers: [("Content-Type", "application/json"), ("Authorization", "Bearer live")]).status == 200)

        // A new value: the old one is refused, the new one taken, within 2 s.
        func post(_ id: String, _ authorization: String?) throws -> Int {
            try RawHTTP.post(port: serve.port, webhookLine(id), path: "/hooks/v2",
                             headers: [("Content-Type", "application/json")] + (authorization.map { [("Authorization", $0)] } ?? [])).status
        }
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: "Bearer rotated").status == 0)
        let rotated = try pollStatus(200, seconds: 3) { try post("live-6", "Bearer rotated") }
        #expect(rotated.status == 200 && rotated.after < 2)
        #expect(try post("live-7", "Bearer live") == 401)

        // Secured off: a delivery without the header is taken again, within 2 s.
        #expect(try h.run(["config", "set", "isWebhookSecured", "false"]).status == 0)
        let open = try pollStatus(200, seconds: 3) { try post("live-8", nil) }
        #expect(open.status == 200 && open.after < 2)
        #expect(serve.process.isRunning)
    }
}
