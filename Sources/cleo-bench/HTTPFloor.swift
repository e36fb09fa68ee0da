import NIOCore
import NIOHTTP1
import NIOPosix

/// `cleo-bench http-floor PORT`: NIO's HTTP/1.1 pipeline alone (the one `serve` stands on) —
/// read the body, answer 200 — with no parsing, no disk and no follower: the floor under
/// `serve`, measured beside it so the cost of HTTP and the cost of durability are told apart.
enum HTTPFloor {
    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var bytes = 0
        private var keepAlive = true

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): bytes = 0; keepAlive = head.isKeepAlive
            case .body(let chunk): bytes += chunk.readableBytes
            case .end:
                let body = context.channel.allocator.buffer(string: "{\"status\":\"ok\",\"bytes\":\(bytes)}\n")
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.readableBytes))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }

    static func run(port: Int) throws {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        try channel.closeFuture.wait()
    }
}
