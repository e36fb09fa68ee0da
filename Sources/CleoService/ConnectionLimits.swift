import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// What one attacker may hold of `serve`: how long a request may take to arrive, how long a
/// kept-alive connection may sit idle, how many connections are open, and how many body bytes
/// are buffered across all of them. Without these, trickled headers or stalled 1 MiB bodies
/// filled every descriptor or gigabytes of memory and nothing else was served.
public struct ConnectionLimits: Sendable {
    /// From a request's first byte to its last (headers and body); the platform's own timeout is 10 s.
    public var requestSeconds: Double = 10
    /// A kept-alive connection with no request in progress.
    public var idleSeconds: Double = 60
    /// Open connections at once; more are closed as they arrive.
    public var maxConnections: Int = ConnectionLimits.defaultMaxConnections()
    /// Body bytes held across every connection, from the first byte read until the answer
    /// (a delivery is at most 1 MiB; until durable its line holds about as much again).
    public var bodyBudgetBytes: Int = 256 << 20

    public init() {}

    /// The range a timeout may take (a zero or endless one is a mistake, not a setting).
    public static let seconds: ClosedRange<Double> = 0.1...86_400

    /// Well under the descriptor limit, so the log, the database and accept itself always get one.
    public static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 512 }
        return max(16, min(4096, Int(limit.rlim_cur) - 128))
    }
}

/// The counts behind `ConnectionLimits`, shared by every connection.
final class ConnectionGate: @unchecked Sendable {
    let limits: ConnectionLimits
    private let lock = NSLock()
    private var open = 0
    private var bodyBytes = 0

    init(limits: ConnectionLimits) { self.limits = limits }

    func admit() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard open < limits.maxConnections else { return false }
        open += 1
        return true
    }

    func release() { lock.lock(); open -= 1; lock.unlock() }

    /// Takes `bytes` of the body budget, or says there is none left.
    func reserve(_ bytes: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard bodyBytes + bytes <= limits.bodyBudgetBytes else { return false }
        bodyBytes += bytes
        return true
    }

    func giveBack(_ bytes: Int) { lock.lock(); bodyBytes -= bytes; lock.unlock() }
}

/// First in each connection's pipeline, on the raw bytes: a request must arrive whole within
/// `requestSeconds` of its first byte, and a connection waiting for its next request is closed after
/// `idleSeconds`. The delivery handler says when a request was read and when it was answered.
///
/// Moving a deadline only writes it down: one timer per connection, never more than the shorter
/// of the two limits ahead, looks at the deadline when it fires and closes or goes on waiting.
/// (Scheduling and cancelling a timer at each request start and answer cost ~3% of serve's CPU.)
final class ConnectionDeadline: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Event { case requestRead, answered, closing }

    private let limits: ConnectionLimits
    /// When the connection is closed; nil while nothing is timed (a request read, being answered).
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerAt: NIODeadline?
    private var requestInProgress = false

    init(limits: ConnectionLimits) { self.limits = limits }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleSeconds, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !requestInProgress {
            requestInProgress = true
            arm(limits.requestSeconds, context: context)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else { return context.triggerUserOutboundEvent(event, promise: promise) }
        switch event {
        case .requestRead:
            requestInProgress = false
            deadline = nil
        case .answered:
            // Bytes of the next request may already be here (pipelining): their clock runs.
            if !requestInProgress { arm(limits.idleSeconds, context: context) }
        case .closing:
            // The last answer, written to a client that may not read it: closed within the request time.
            arm(limits.requestSeconds, context: context)
        }
        promise?.succeed(())
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private var step: TimeAmount { .milliseconds(Int64(min(limits.requestSeconds, limits.idleSeconds) * 1000)) }

    private func arm(_ seconds: Double, context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        let due = now + .milliseconds(Int64(seconds * 1000))
        deadline = due
        // A timer due no later than the new deadline looks at it when it fires.
        if let timerAt, timerAt <= due { return }
        timer?.cancel()
        schedule(at: min(due, now + step), context: context)
    }

    private func schedule(at when: NIODeadline, context: ChannelHandlerContext) {
        timerAt = when
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = bound.value
            handler.fired(context: context)
        }
    }

    private func fired(context: ChannelHandlerContext) {
        timerAt = nil
        timer = nil
        guard let deadline else { return }
        let now = NIODeadline.now()
        if now >= deadline { return context.channel.close(promise: nil) }
        schedule(at: min(deadline, now + step), context: context)
    }
}
