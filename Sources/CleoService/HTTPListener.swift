import Foundation
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `serve`'s listening socket on NIO's event loops (one per core): each connection gets TLS (when
/// configured), HTTP/1.1 with pipelining kept in order and malformed requests answered 400, then
/// the `DeliveryHandler`. Shutting down stops accepting, closes idle connections, and lets busy
/// ones finish their answer.
final class HTTPListener: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let quiesce: ServerQuiescingHelper
    private let channel: any Channel
    private let closingOnPurpose = LockedBox(false)

    /// Binds; throws what the socket said (an address in use, no permission).
    init(host: String, port: Int, tls: NIOSSLContext?, limits: ConnectionLimits, receiver: WebhookReceiver) throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiesce = ServerQuiescingHelper(group: group)
        let gate = ConnectionGate(limits: limits)
        let inboxes = LoopInbox.Directory(group: group)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                // Over the cap a connection is closed as it arrives: those already open keep being served.
                guard gate.admit() else { return channel.close() }
                channel.closeFuture.whenComplete { _ in gate.release() }
                return channel.eventLoop.makeCompletedFuture {
                    // A body's last bytes are read no further than its limit (`BodyReadRoom`).
                    let room = BodyReadRoom()
                    try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: BodyBoundedRecvAllocator(room: room))
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ConnectionDeadline(limits: limits))
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try Self.configureHTTP(pipeline)
                    try pipeline.addHandler(DeliveryHandler(receiver: receiver, gate: gate, inboxes: inboxes, room: room))
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // NIO goes on reading a readable socket this many times even after the handler has
            // turned reading off (a refused body): `BodyReadRoom` makes those reads one byte each,
            // and near a body's limit one read per wakeup (16 let 0.8 MB more in under load).
            .childChannelOption(.maxMessagesPerRead, value: BodyReadRoom.readsPerWakeup)
            // A half-closed connection is still answered (`DeliveryHandler` closes it after).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        self.group = group
        self.quiesce = quiesce
        self.channel = try bootstrap.bind(host: host, port: port).wait()
    }

    /// HTTP/1.1 on a connection: NIO's server pipeline (pipelining kept in order, malformed
    /// requests answered 400), the socket read on while its one request is answered.
    static func configureHTTP(_ pipeline: ChannelPipeline.SynchronousOperations) throws {
        // Our answers' headers are our own constants: NIO's check of every outbound
        // header's bytes (~2% of serve's CPU) would find nothing.
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true,
                                                 withOutboundHeaderValidation: false)
        let pipelining = try pipeline.handler(type: HTTPServerPipelineHandler.self)
        try pipeline.addHandler(ReadInterestHandler(), position: .before(pipelining))
    }

    /// The port actually bound (0 asks the system for one).
    var port: Int { channel.localAddress?.port ?? 0 }

    /// Returns once the listening socket and every connection are closed.
    func shutDown() {
        closingOnPurpose.set(true)
        let done = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: done)
        try? done.futureResult.wait()
    }

    /// Called once if the listening socket closes by itself (not by `shutDown`).
    func onUnexpectedClose(_ body: @escaping @Sendable () -> Void) {
        let closingOnPurpose = self.closingOnPurpose
        channel.closeFuture.whenComplete { _ in if !closingOnPurpose.get() { body() } }
    }
}
