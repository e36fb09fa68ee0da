import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import CleoService

/// `ReadInterestHandler` in serve's HTTP pipeline: the socket is read on while the one request
/// received is being answered (no read interest dropped and added again per delivery), and the
/// pipeline handler's hold on a pipelining client stays.
@Suite struct ReadInterestTests {
    /// Counts the reads that reach the socket's end of the pipeline.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    /// The application's end: records each request's path, answers only when told (as serve
    /// answers after the group commit).
    final class Answerer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        var paths: [String] = []
        private var context: ChannelHandlerContext?
        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) { paths.append(head.uri) }
        }
        func answer() {
            guard let context else { return }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "0"]))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    static func channel() throws -> (EmbeddedChannel, ReadCounter, Answerer) {
        let channel = EmbeddedChannel()
        let counter = ReadCounter(), answerer = Answerer()
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(counter)
        try HTTPListener.configureHTTP(pipeline)
        try pipeline.addHandler(answerer)
        // Connected, as a served connection is (an inactive channel is never read).
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return (channel, counter, answerer)
    }

    static func request(_ path: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    }

    @Test func theSocketIsReadOnWhileTheOneRequestIsAnswered() throws {
        let (channel, counter, answerer) = try Self.channel()
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(string: Self.request("/a")))
        #expect(answerer.paths == ["/a"])
        // Unanswered, and read on: NIOHTTP1's pipeline handler alone holds every read back here.
        #expect(counter.reads == 1)
        answerer.answer()
        try channel.writeInbound(ByteBuffer(string: Self.request("/b")))
        #expect(answerer.paths == ["/a", "/b"])
        #expect(counter.reads == 2)
    }

    @Test func aPipeliningClientIsStillHeldBackAndAnsweredInOrder() throws {
        let (channel, counter, answerer) = try Self.channel()
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(string: Self.request("/a") + Self.request("/b")))
        // Two unanswered: no read asked for; the second waits in the pipeline handler.
        #expect(counter.reads == 0)
        #expect(answerer.paths == ["/a"])
        answerer.answer()
        #expect(answerer.paths == ["/a", "/b"])
        answerer.answer()
        var statuses: [HTTPResponseStatus] = []
        while let out = try channel.readOutbound(as: ByteBuffer.self) {
            let text = String(buffer: out)
            if text.hasPrefix("HTTP/1.1 ") { statuses.append(.ok) }
        }
        #expect(statuses.count == 2)
    }

    @Test func noReadIsAskedForOnceTheServerQuiesces() throws {
        let (channel, counter, answerer) = try Self.channel()
        defer { _ = try? channel.finish() }
        // A body in two reads: the first read with the request unanswered asks for the next…
        let body = "{\"a\":1}"
        try channel.writeInbound(ByteBuffer(string: "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n{"))
        #expect(answerer.paths == ["/a"])
        #expect(counter.reads == 1)
        // …but not once SIGTERM's quiescing has begun (the connection closes after its answer).
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try channel.writeInbound(ByteBuffer(string: String(body.dropFirst())))
        #expect(counter.reads == 1)
    }
}
