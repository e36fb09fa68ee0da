import NIOCore
import NIOHTTP1

/// The HTTP edge of `serve`, on the connection's event loop: a request's head and body go to the
/// `WebhookReceiver`, its answer comes back (from the log's writer thread once durable) and is
/// written on the same loop. Requests on one connection are answered in order
/// (`HTTPServerPipelineHandler` holds the next one back until this one's answer is written).
final class DeliveryHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// Reading the body of a delivery the gate let through.
        case reading(WebhookReceiver.Delivery, keepAlive: Bool, version: HTTPVersion)
        /// Waiting to answer an answered-at-head request at its end (GET /healthz and refusals
        /// that keep the connection), or ignoring the rest of one that was answered already.
        case answeredAtEnd(WebhookReceiver.Answer?, keepAlive: Bool, version: HTTPVersion)
        /// The answer is being made (a durable append, a refusal being kept).
        case answering
    }

    private let receiver: WebhookReceiver
    private var state = State.idle
    private var body: ByteBuffer?

    init(receiver: WebhookReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            started(head, context: context)
        case .body(var chunk):
            guard case .reading = state else { return }  // a refused body is never kept
            let room = WebhookReceiver.bodyLimit - (body?.readableBytes ?? 0)
            if chunk.readableBytes > room { chunk = chunk.getSlice(at: chunk.readerIndex, length: room) ?? chunk }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
            if body!.readableBytes >= WebhookReceiver.bodyLimit { finish(context: context) }  // one byte over: refuse now
        case .end:
            switch state {
            case .reading: finish(context: context)
            case .answeredAtEnd(let answer, let keepAlive, let version):
                state = .idle
                if let answer { write(answer, keepAlive: keepAlive, version: version, context: context) }
            case .idle, .answering: break
            }
        }
    }

    private func started(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        body = nil
        let path = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
        let headers = head.headers
        let request = WebhookReceiver.Head(
            method: head.method.rawValue, path: path, contentType: headers.first(name: "content-type"),
            contentLength: headers.first(name: "content-length"), transferEncoding: headers.first(name: "transfer-encoding"),
            authorization: headers.first(name: "authorization").map { Array($0.utf8) },
            remote: context.channel.remoteAddress?.ipAddress ?? "unknown")
        let keepAlive = head.isKeepAlive, version = head.version
        switch receiver.start(request) {
        case .readBody(let delivery):
            state = .reading(delivery, keepAlive: keepAlive, version: version)
        case .answer(let answer) where answer.closes:
            // Answer now and close: the body is not read.
            state = .answeredAtEnd(nil, keepAlive: false, version: version)
            write(answer, keepAlive: false, version: version, context: context)
        case .answer(let answer):
            state = .answeredAtEnd(answer, keepAlive: keepAlive, version: version)
        case .refused(let delivery):
            state = .answering
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let loop = context.eventLoop
            receiver.keepRefusal(delivery, hop: { loop.execute($0) }) { answer in
                loop.preconditionInEventLoop()
                do {
                    let (handler, context) = bound.value
                    handler.state = answer.closes ? .answeredAtEnd(nil, keepAlive: false, version: version) : .answeredAtEnd(answer, keepAlive: keepAlive, version: version)
                    if answer.closes { handler.write(answer, keepAlive: false, version: version, context: context) }
                }
            }
        }
    }

    private func finish(context: ChannelHandlerContext) {
        guard case .reading(let delivery, let keepAlive, let version) = state else { return }
        state = .answering
        var buffer = body ?? ByteBuffer()
        body = nil
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        receiver.finish(delivery, body: bytes, hop: { loop.execute($0) }) { answer in
            loop.preconditionInEventLoop()
            do {
                let (handler, context) = bound.value
                // Over the limit the rest of the body is not read: the connection closes.
                if answer.closes {
                    handler.state = .answeredAtEnd(nil, keepAlive: false, version: version)
                } else {
                    handler.state = .idle
                }
                handler.write(answer, keepAlive: keepAlive && !answer.closes, version: version, context: context)
            }
        }
    }

    private func write(_ answer: WebhookReceiver.Answer, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(3)
        headers.add(name: "content-type", value: answer.contentType)
        headers.add(name: "content-length", value: String(answer.body.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: answer.status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        let done = context.writeAndFlushWithPromise(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushWithPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}

extension WebhookReceiver {
    /// The most of a body the edge keeps: one byte over the limit is enough to refuse.
    static let bodyLimit = DeliveryGate.maximumBodyBytes + 1
}
