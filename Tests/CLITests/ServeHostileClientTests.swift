import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// serve against clients that are broken or hostile (found by an attack on the NIO edge): what
/// one connection can hold of the server is bounded, and what is refused is the last thing a
/// closing connection does.
@Suite struct ServeHostileClientTests {
    func request(_ id: String, contentType: String = "application/json", extraHeaders: String = "") -> String {
        let body = webhookLine(id)
        return "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: \(contentType)\r\n\(extraHeaders)Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// A harness with the webhook configured and serve running on it, for one test.
    func withServe(_ body: (CLIHarness, ServeProcess) throws -> Void) throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        try body(h, serve)
    }

    /// Reads until the server closes; how long that took, or nil if it did not within `seconds`.
    func secondsUntilClosed(_ fd: Int32, within seconds: Double) -> Double? {
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date().timeIntervalSince(start) < seconds {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 || (n < 0 && errno == ECONNRESET) { return Date().timeIntervalSince(start) }
        }
        return nil
    }

    @Test func aKeptRefusalWithoutABodyIsAnsweredAndTheConnectionKept() throws {
        try withServe { h, serve in
            let fd = try RawHTTP.connect(port: serve.port, timeout: 5)
            defer { close(fd) }
            // No body (Content-Length 0, then none at all): the refusal is kept, then answered.
            let empty = "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"
            let none = "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\r\n"
            #expect(RawHTTP.send(fd, Array((empty + none + request("after-empty-refusals")).utf8)))
            let replies = try RawHTTP.readReplies(fd, count: 3)
            #expect(replies.map(\.status) == [415, 415, 200])
            #expect(replies.allSatisfy { $0.headers["connection"] == nil })
            #expect(try h.logLines().count == 1)
        }
    }

    @Test func afterAClosingRefusalNothingPipelinedBehindItIsTaken() throws {
        try withServe { h, serve in
            let fd = try RawHTTP.connect(port: serve.port, timeout: 5)
            defer { close(fd) }
            #expect(RawHTTP.send(fd, Array((request("before") + request("refused", contentType: "text/plain") + request("behind-the-refusal")).utf8)))
            let replies = try RawHTTP.readReplies(fd, count: 2)
            #expect(replies.map(\.status) == [200, 415])
            #expect(replies[1].headers["connection"] == "close")
            #expect(secondsUntilClosed(fd, within: 5) != nil)
            usleep(300_000)
            let ids = try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String }
            #expect(ids == ["before"])
            #expect(!serve.log.contains("behind-the-refusal"))
        }
    }

    @Test func aMalformedRequestIsAnswered400AndTheConnectionClosed() throws {
        try withServe { h, serve in
            for malformed in ["GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "a", count: 100_000),
                              "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                              "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"] {
                let fd = try RawHTTP.connect(port: serve.port, timeout: 5)
                defer { close(fd) }
                RawHTTP.send(fd, Array(malformed.utf8))
                let reply = try RawHTTP.readReplies(fd, count: 1)
                #expect(reply.first?.status == 400)
                #expect(secondsUntilClosed(fd, within: 3) != nil, "still open after a 400: \(malformed.prefix(60))")
            }
            #expect(serve.log.components(separatedBy: " - 400 ").count - 1 == 3, "each told on stderr")
            #expect(try h.logLines().isEmpty)
        }
    }

    @Test func trickledRequestsAndIdleConnectionsAreCutAndOthersStillServed() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h, ["--request-timeout", "1", "--idle-timeout", "2"])
        defer { serve.stop() }
        // Headers one line every 300 ms: cut about 1 s after the first byte.
        let slow = try RawHTTP.connect(port: serve.port, timeout: 5)
        defer { close(slow) }
        var started = Date()
        RawHTTP.send(slow, Array("POST /hooks/cleo HTTP/1.1\r\n".utf8))
        var cut = false
        for _ in 0..<20 where !cut {
            usleep(300_000)
            cut = !RawHTTP.send(slow, Array("X-Slow: yes\r\n".utf8))
        }
        let slowFor = Date().timeIntervalSince(started)
        #expect(cut && slowFor < 5, "a trickled request was kept \(slowFor) s")
        // A kept-alive connection with nothing to say: closed after the idle time.
        let idle = try RawHTTP.connect(port: serve.port, timeout: 5)
        defer { close(idle) }
        started = Date()
        let idleFor = try #require(secondsUntilClosed(idle, within: 8))
        #expect(idleFor > 1.5 && idleFor < 7)
        // Meanwhile the others are served.
        #expect(try RawHTTP.post(port: serve.port, webhookLine("served")).status == 200)
        // A delivery sent whole on a connection left open afterwards is answered, then idles out.
        let kept = try RawHTTP.connect(port: serve.port, timeout: 5)
        defer { close(kept) }
        RawHTTP.send(kept, Array(request("kept").utf8))
        #expect(try RawHTTP.readReplies(kept, count: 1).map(\.status) == [200])
        #expect(secondsUntilClosed(kept, within: 5) != nil)
    }

    @Test func connectionsOverTheCapAreClosedAsTheyArrive() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h, ["--max-connections", "2"])
        defer { serve.stop() }
        let first = try RawHTTP.connect(port: serve.port, timeout: 5)
        let second = try RawHTTP.connect(port: serve.port, timeout: 5)
        // `second` is closed once, below: a second close of its number would close whatever a
        // test running beside this one opened under that number since (a pipe read by
        // `CLIHarness.capture`, which then trapped on "Bad file descriptor").
        defer { close(first) }
        usleep(200_000)
        let third = try RawHTTP.connect(port: serve.port, timeout: 5)
        #expect(secondsUntilClosed(third, within: 2) != nil, "a third connection was kept")
        close(third)
        // The two admitted ones are served.
        RawHTTP.send(first, Array(request("first").utf8))
        #expect(try RawHTTP.readReplies(first, count: 1).map(\.status) == [200])
        // Once one goes, a new one is admitted (as soon as the server has seen it go).
        close(second)
        let admitted = pollStatus(200, seconds: 5, every: 0.1) { (try? RawHTTP.post(port: serve.port, webhookLine("after")))?.status ?? 0 }
        #expect(admitted.status == 200)
    }

    @Test func twoAuthorizationHeadersAreNeverExactlyTheValue() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        #expect(try h.run(["config", "set", "isWebhookSecured", "true"]).status == 0)
        let secret = "Bearer 7a1d-two-headers"
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: secret + "\n").status == 0)
        let serve = try ServeProcess(h)
        defer { serve.stop() }
        // A value with commas is one value (one header line), not a list.
        let signature = "Signature keyId=\"k1\",sig=\"c2lnbmVk\""
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: signature + "\n").status == 0)
        // The receiver reloads its settings within 2 s.
        let withCommas = try pollStatus(200, seconds: 6, every: 0.2) {
            try RawHTTP.post(port: serve.port, webhookLine("comma"), headers: [("Content-Type", "application/json"), ("Authorization", signature)]).status
        }
        #expect(withCommas.status == 200)
        #expect(try h.run(["config", "set", "webhookAuthorization"], stdin: secret + "\n").status == 0)
        let back = try pollStatus(200, seconds: 6, every: 0.2) {
            try RawHTTP.post(port: serve.port, webhookLine("two-0"), headers: [("Content-Type", "application/json"), ("Authorization", secret)]).status
        }
        #expect(back.status == 200)
        let doubled = try RawHTTP.post(port: serve.port, webhookLine("two-1"), headers: [("Content-Type", "application/json"), ("Authorization", secret), ("Authorization", "Bearer wrong")])
        #expect(doubled.status == 401)
        let right = try RawHTTP.post(port: serve.port, webhookLine("two-2"), headers: [("Content-Type", "application/json"), ("Authorization", secret)])
        #expect(right.status == 200)
        #expect(try h.logLines().count == 3)
    }

    @Test func timeoutsOutOfRangeAreUsageErrors() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        for arguments in [["--request-timeout", "inf"], ["--idle-timeout", "0"], ["--request-timeout", "1e300"], ["--max-connections", "0"]] {
            let result = try h.run(["serve", "--listen", "127.0.0.1:0"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
    }

    /// What arrives within `seconds` (the socket's own timeout ends the wait).
    func bytesArriving(_ fd: Int32, within seconds: Double, until wanted: Int) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let start = Date()
        while data.count < wanted && Date().timeIntervalSince(start) < seconds {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func aClientThatExpects100ContinueIsToldToSendItsBody() throws {
        try withServe { h, serve in
            // curl sends `Expect: 100-continue` for bodies past 1 KiB and waits 1 s for the go-ahead.
            let body = webhookLine("expecting")
            let fd = try RawHTTP.connect(port: serve.port, timeout: 3)
            defer { close(fd) }
            let head = "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            #expect(RawHTTP.send(fd, Array(head.utf8)))
            let goAhead = "HTTP/1.1 100 Continue\r\n\r\n"
            #expect(bytesArriving(fd, within: 3, until: goAhead.utf8.count) == goAhead)
            #expect(RawHTTP.send(fd, Array(body.utf8)))
            #expect(try RawHTTP.readReplies(fd, count: 1).map(\.status) == [200])
            // A refused one is not told to go ahead: it gets its final answer.
            let refused = try RawHTTP.request(port: serve.port, headers: [("Content-Type", "text/plain"), ("Expect", "100-continue")],
                                              body: Array(body.utf8))
            #expect(refused.status == 415)
            #expect(try h.logLines().count == 1)
        }
    }

    @Test func aHalfClosedConnectionStillGetsItsAnswer() throws {
        try withServe { h, serve in
            let fd = try RawHTTP.connect(port: serve.port, timeout: 5)
            defer { close(fd) }
            // The request whole, then the client's side shut: the delivery is stored and answered.
            #expect(RawHTTP.send(fd, Array(request("half-closed").utf8)))
            shutdown(fd, Int32(SHUT_WR))
            let reply = try RawHTTP.readReplies(fd, count: 1)
            #expect(reply.map(\.status) == [200])
            #expect(reply.first?.headers["connection"] == "close")
            #expect(secondsUntilClosed(fd, within: 3) != nil)
            #expect(try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String } == ["half-closed"])
        }
    }

    @Test func anHTTP11RequestWithoutHostIs400AndNothingIsAppended() throws {
        try withServe { h, serve in
            let body = webhookLine("no-host")
            let fd = try RawHTTP.connect(port: serve.port, timeout: 5)
            defer { close(fd) }
            #expect(RawHTTP.send(fd, Array("POST /hooks/cleo HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)))
            let reply = try RawHTTP.readReplies(fd, count: 1)
            #expect(reply.map(\.status) == [400])
            #expect(reply.first?.body.contains("Host") == true)
            #expect(secondsUntilClosed(fd, within: 3) != nil)
            // HTTP/1.0 has no Host requirement.
            let old = try RawHTTP.connect(port: serve.port, timeout: 5)
            defer { close(old) }
            let oldBody = webhookLine("http-1.0")
            #expect(RawHTTP.send(old, Array("POST /hooks/cleo HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(oldBody.utf8.count)\r\n\r\n\(oldBody)".utf8)))
            #expect(try RawHTTP.readReplies(old, count: 1).map(\.status) == [200])
            usleep(200_000)
            #expect(try h.logLines().compactMap { jsonObject($0)?["transaction_id"] as? String } == ["http-1.0"])
            #expect(serve.log.contains(" POST 400 "))
        }
    }
}
