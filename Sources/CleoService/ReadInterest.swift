import NIOCore
import NIOHTTP1

/// Between NIO's HTTP decoder and `HTTPServerPipelineHandler`: keeps the socket registered for
/// reading while the one request received is being answered.
///
/// The pipeline handler holds back every `read` while an answer is pending, so that a pipelined
/// request waits in the socket. serve answers later (after the group commit), so without this
/// each delivery cost two `epoll_ctl` calls — read interest dropped after the request, added
/// again after the answer (~4% of serve's CPU under wrk) — although a client that waits for its
/// answer sends nothing meanwhile. Here the read is asked for when exactly one request is
/// unanswered: what a pipelining client sends then is read once and buffered by the pipeline
/// handler (as for bytes that came with the first request), and with two unanswered the pipeline
/// handler's hold applies again. Never while reading is turned off (a refused body) or once the
/// server is quiescing.
final class ReadInterestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Request heads received minus answers ended.
    private var unanswered = 0
    private var quiescing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        guard unanswered == 1, !quiescing, context.channel.isActive,
              (try? context.channel.syncOptions?.getOption(ChannelOptions.autoRead)) == true else { return }
        // Before the channel's own read after this event, which the pipeline handler would hold back.
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // An informational head (100 Continue) has no end: only an answer's end counts.
        if case .end = unwrapOutboundIn(data), unanswered > 0 { unanswered -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { quiescing = true }
        context.fireUserInboundEventTriggered(event)
    }
}
