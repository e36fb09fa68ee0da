import NIOCore
import NIOHTTP1

/// The HTTP edge of `serve`, on the connection's event loop: a request's head and body go to the
/// `WebhookReceiver`, its answer comes back (from the log's writer thread once durable) and is
/// written on the same loop. Requests on one connection are answered in order
/// (`HTTPServerPipelineHandler` holds the next one back until this one's answer is written).
/// An answer that closes the connection is the last thing done on it: requests pipelined behind
/// it are never looked at.
final class DeliveryHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// Reading the body of a delivery the gate let through.
        case reading(WebhookReceiver.Delivery, keepAlive: Bool, version: HTTPVersion)
        /// The answer is being made (a durable append, a refusal being kept); whether the
        /// request's end has been read meanwhile.
        case answering(keepAlive: Bool, version: HTTPVersion, endSeen: Bool)
        /// Answered before the request's end: the rest of it is read and dropped.
        case discarding
        /// A closing answer was written: nothing more is read from this connection.
        case closing
    }

    private let receiver: WebhookReceiver
    private let gate: ConnectionGate
    private let inboxes: LoopInbox.Directory
    private var state = State.idle
    private var body: ByteBuffer?
    private var reserved = 0
    /// The client shut its side (a half-close): the answer in progress is still written, then
    /// the connection closes.
    private var inputClosed = false
    /// The peer's address as text, made once per connection (it is told on every answer).
    private var remoteText: String?

    /// How much more of the body the connection's reads may take (near the limit only).
    private let readRoom: BodyReadRoom

    init(receiver: WebhookReceiver, gate: ConnectionGate, inboxes: LoopInbox.Directory, room: BodyReadRoom = BodyReadRoom()) {
        self.receiver = receiver
        self.gate = gate
        self.inboxes = inboxes
        self.readRoom = room
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = state else { return }
            started(head, context: context)
        case .body(var chunk):
            guard case .reading = state else { return }  // a refused body is never kept
            let room = WebhookReceiver.bodyLimit - (body?.readableBytes ?? 0)
            if chunk.readableBytes > room { chunk = chunk.getSlice(at: chunk.readerIndex, length: room) ?? chunk }
            guard gate.reserve(chunk.readableBytes) else { return busy(context: context) }
            reserved += chunk.readableBytes
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
            if body!.readableBytes >= WebhookReceiver.bodyLimit {
                // One byte over: refuse now, and read no more of it while the refusal is kept.
                stopReading(context)
                finish(endSeen: false, context: context)
            } else {
                readRoom.bodyRead(left: WebhookReceiver.bodyLimit - body!.readableBytes, channel: context.channel)
            }
        case .end:
            switch state {
            case .reading: finish(endSeen: true, context: context)
            case .answering(let keepAlive, let version, _): state = .answering(keepAlive: keepAlive, version: version, endSeen: true)
            case .discarding:
                state = .idle
                context.triggerUserOutboundEvent(ConnectionDeadline.Event.requestRead, promise: nil)
                context.triggerUserOutboundEvent(ConnectionDeadline.Event.answered, promise: nil)
            case .idle, .closing: break
            }
        }
    }

    /// A request the parser could not read: NIO's error handler has answered 400; it is counted,
    /// told on stderr like any other answer, and the connection is closed (it cannot be re-synchronised).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            receiver.malformed(remote: remote(context))
        }
        state = .closing
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseBody()
        context.fireChannelInactive()
    }

    /// A client that sends its request and shuts its side still gets the answer (curl
    /// `--no-keepalive`, scripts writing to a socket); nothing more can come, so the connection
    /// closes after it, or now when no answer is in progress.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, event == .inputClosed else { return context.fireUserInboundEventTriggered(event) }
        inputClosed = true
        if case .answering = state { return }
        state = .closing
        context.close(promise: nil)
    }

    private func started(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        releaseBody()
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (every client and
        // proxy sends one); like a request the parser refused, its connection then closes.
        if head.version.major == 1, head.version.minor >= 1, !head.headers.contains(name: "host") {
            state = .answering(keepAlive: false, version: head.version, endSeen: false)
            stopReading(context)
            return answered(receiver.missingHost(remote: remote(context), method: head.method.rawValue), context: context)
        }
        let path = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
        let headers = head.headers
        // "Exactly that value": a second Authorization header line is never a match (empty never
        // is). One entry per line as received: a value with commas is one value.
        let authorization = headers["authorization"]
        let request = WebhookReceiver.Head(
            method: head.method.rawValue, path: path, contentType: headers.first(name: "content-type"),
            contentLength: headers.first(name: "content-length"), transferEncoding: headers.first(name: "transfer-encoding"),
            authorization: authorization.count > 1 ? [] : authorization.first.map { Array($0.utf8) },
            remote: remote(context))
        let keepAlive = head.isKeepAlive, version = head.version
        switch receiver.start(request) {
        case .readBody(let delivery):
            state = .reading(delivery, keepAlive: keepAlive, version: version)
            // A client that asked to be told before sending the body (curl does past 1 KiB) is
            // told now, not after its own timeout; a refused one gets the final answer instead.
            if version.major == 1 && version.minor >= 1,
               headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
            }
        case .answer(let answer):
            state = .answering(keepAlive: keepAlive, version: version, endSeen: false)
            answered(answer, context: context)
        case .refused(let delivery):
            state = .answering(keepAlive: keepAlive, version: version, endSeen: false)
            // A refused body is never read: not even while its refusal is being kept.
            if request.hasBody { stopReading(context) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let loop = context.eventLoop
            receiver.keepRefusal(delivery, hop: { loop.execute($0) }) { answer in
                let (handler, context) = bound.value
                handler.answered(answer, context: context)
            }
        }
    }

    private func finish(endSeen: Bool, context: ChannelHandlerContext) {
        guard case .reading(let delivery, let keepAlive, let version) = state else { return }
        if endSeen { readRoom.reset(channel: context.channel) }
        state = .answering(keepAlive: keepAlive, version: version, endSeen: endSeen)
        context.triggerUserOutboundEvent(ConnectionDeadline.Event.requestRead, promise: nil)
        var buffer = body ?? ByteBuffer()
        body = nil
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        // The budget stays taken until the answer: the body's bytes live on in the line until it is durable.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let hop: WebhookReceiver.Hop
        if let inbox = inboxes.inbox(for: loop) { hop = { inbox.post($0) } } else { hop = { loop.execute($0) } }
        receiver.finish(delivery, body: bytes, hop: hop) { answer in
            let (handler, context) = bound.value
            handler.answered(answer, context: context)
        }
    }

    /// Every body buffered on the host is over its budget: this one is not kept.
    private func busy(context: ChannelHandlerContext) {
        guard case .reading(let delivery, _, let version) = state else { return }
        releaseBody()
        state = .answering(keepAlive: false, version: version, endSeen: false)
        answered(receiver.busy(delivery), context: context)
    }

    /// Writes the answer; what the connection does next follows from it and from whether the
    /// request's end was read.
    private func answered(_ answer: WebhookReceiver.Answer, context: ChannelHandlerContext) {
        guard case .answering(let keepAlive, let version, let endSeen) = state else { return }
        let keeps = keepAlive && !answer.closes && !inputClosed
        releaseBody()
        state = !keeps ? .closing : (endSeen ? .idle : .discarding)
        if keeps && endSeen { context.triggerUserOutboundEvent(ConnectionDeadline.Event.requestRead, promise: nil) }
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(3)
        headers.add(name: "content-type", value: answer.contentType)
        headers.add(name: "content-length", value: String(answer.body.count))
        if !keeps { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: answer.status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        if keeps {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.triggerUserOutboundEvent(ConnectionDeadline.Event.answered, promise: nil)
        } else {
            let done = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
            // A client that stops reading must not keep the connection by never taking the answer.
            context.triggerUserOutboundEvent(ConnectionDeadline.Event.closing, promise: nil)
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func remote(_ context: ChannelHandlerContext) -> String {
        if let remoteText { return remoteText }
        let text = context.channel.remoteAddress?.ipAddress ?? "unknown"
        remoteText = text
        return text
    }

    /// The socket is no longer read (the connection closes after its answer): what NIO still
    /// reads in this wakeup is a byte a read.
    private func stopReading(_ context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        readRoom.bodyRead(left: 0, channel: context.channel)
    }

    private func releaseBody() {
        if reserved > 0 { gate.giveBack(reserved) }
        reserved = 0
        body = nil
    }
}

extension WebhookReceiver {
    /// The most of a body the edge keeps: one byte over the limit is enough to refuse.
    static let bodyLimit = DeliveryGate.maximumBodyBytes + 1
}
