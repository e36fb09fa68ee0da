import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// serve.md: a body over 1 MiB is 413 "without reading more than 1 MiB + 1 byte". A chunked body
/// has no length to be refused from its head: serve reads it until one byte is over. What the
/// process read from any descriptor (`rchar`, /proc/PID/io) is counted while a client streams
/// 4 MiB as fast as loopback takes them.
@Suite(.serialized) struct ServeBodyBoundTests {
    static let head = "POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// Streams `total` bytes in chunks of `chunk` on a new connection; what serve read meanwhile.
    static func streamed(_ serve: ServeProcess, chunk: Int, total: Int) throws -> Int {
        let before = try serve.bytesRead()
        let fd = try RawHTTP.connect(port: serve.port, timeout: 10)
        defer { close(fd) }
        RawHTTP.send(fd, Array(head.utf8))
        let frame = Array((String(chunk, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 0x20, count: chunk) + Array("\r\n".utf8)
        var sent = 0
        while sent < total, RawHTTP.send(fd, frame) { sent += chunk }
        // Serve closes the connection after its answer (which a reset of unread bytes may lose):
        // once the read ends, nothing more of this stream is read.
        if let reply = try? RawHTTP.readReply(fd) { #expect(reply.status == 413) }
        return try serve.bytesRead() - before
    }

    /// A 413 declared by its head (none of its body sent), answered.
    static func declaredRefusal(_ serve: ServeProcess) throws {
        let fd = try RawHTTP.connect(port: serve.port, timeout: 10)
        defer { close(fd) }
        RawHTTP.send(fd, Array("POST /hooks/cleo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n".utf8))
        #expect(try RawHTTP.readReply(fd).status == 413)
    }

    /// The head, the chunk lines up to the one that holds the byte over, and 1 MiB + 1 bytes of body.
    static func most(chunk: Int) -> Int {
        let limit = (1 << 20) + 1
        let chunks = (limit + chunk - 1) / chunk
        return head.utf8.count + chunks * (String(chunk, radix: 16).utf8.count + 2) + (chunks - 1) * 2 + limit
    }

    @Test(arguments: [65_536, 16_384, 1_000_003])
    func aStreamedBodyIsReadNoFurtherThanOneByteOverTheLimit(chunk: Int) throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h, ["--no-follow"])
        defer { serve.stop() }
        // The first delivery's own reads (the database's pages, the log) are not the stream's.
        #expect(try RawHTTP.post(port: serve.port, webhookLine("warm")).status == 200)
        // The first refusals read the database's pages for their records (8 KiB); after them a
        // refusal reads nothing but its request and the event loop's wakeups (eventfd, 8 bytes each).
        for _ in 0..<2 { try Self.declaredRefusal(serve) }
        let read = try Self.streamed(serve, chunk: chunk, total: 4 << 20)
        let most = Self.most(chunk: chunk)
        #expect(read >= most, "serve read \(read) bytes: not even the byte over (\(most))?")
        #expect(read <= most + 1_024, "serve read \(read) bytes, \(read - most) more than the \(most) of the head, the chunk lines and 1 MiB + 1 byte")
    }
}
