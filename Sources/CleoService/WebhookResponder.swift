import CleoDomain
import CleoStore
import Foundation
import Hummingbird
import NIOCore
import TerminalCanvas

/// The request context of `serve`: Hummingbird's core storage plus the peer's address.
public struct ServeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (no port), for logs and refusal records.
    public let remote: String
    /// The connection, to stop reading a body that is too large.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        remote = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Every request of `serve`: `GET /healthz`, `GET /metrics`, and deliveries on the webhook's path
/// (serve.md's table). One line per delivery on standard error: time, remote address, status,
/// bytes, milliseconds, transaction_id — never a body or a header's value.
public struct WebhookResponder: HTTPResponder {
    public typealias Context = ServeContext

    let settings: LiveSettings
    let log: GroupCommitLog
    let metrics: ServiceMetrics
    let health: @Sendable () -> (ok: Bool, detail: String)
    let refusals: RefusalRecorder
    let clock: @Sendable () -> Timestamp
    let beat: ServiceBeat?

    public init(settings: LiveSettings, log: GroupCommitLog, metrics: ServiceMetrics, refusals: RefusalRecorder, beat: ServiceBeat? = nil,
                health: @escaping @Sendable () -> (ok: Bool, detail: String), clock: @escaping @Sendable () -> Timestamp) {
        self.beat = beat
        self.settings = settings
        self.log = log
        self.metrics = metrics
        self.refusals = refusals
        self.health = health
        self.clock = clock
    }

    public func respond(to request: Request, context: ServeContext) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        if method == "GET" && path == "/healthz" {
            let (ok, detail) = health()
            return Self.text(ok ? .ok : .serviceUnavailable, detail, type: "application/json")
        }
        if method == "GET" && path == "/metrics" {
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let outcome = await deliver(request, context: context)
        metrics.delivery(status: outcome.status, bodyBytes: outcome.bytes)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        let now = clock()
        beat?.answered(status: outcome.status, at: now)
        AccessLog.write(at: now, remote: context.remote, method: method, status: outcome.status, bytes: outcome.bytes, ms: ms,
                        transactionID: outcome.transactionID)
        return Self.text(HTTPResponse.Status(code: outcome.status), outcome.message, type: outcome.status == 200 ? "application/json" : "text/plain; charset=utf-8")
    }

    struct Outcome {
        var status: Int
        var message: String
        var bytes = 0
        var transactionID: String?
    }

    private func deliver(_ request: Request, context: ServeContext) async -> Outcome {
        let current = settings.current
        let verdict = DeliveryGate.check(
            method: request.method.rawValue, path: request.uri.path, contentType: request.headers[.contentType],
            contentLength: request.headers[.contentLength], authorization: request.headers[.authorization].map { Array($0.utf8) },
            settings: current)
        if case .refuse(let status, let reason, let recorded) = verdict {
            // A refused body is never read, and never drained either (an unauthenticated sender
            // could stream without end): the connection closes after the answer.
            if request.headers[.contentLength] != "0" && (request.headers[.contentLength] != nil || request.headers[.transferEncoding] != nil) {
                Self.closeAfterAnswer(context)
            }
            if recorded { await refusals.record(RefusedDelivery(at: clock(), remote: context.remote, status: status, reason: reason)) }
            return Outcome(status: status, message: reason)
        }
        // At most 1 MiB + 1 byte is read: one byte over is enough to refuse.
        var body = [UInt8]()
        do {
            for try await chunk in request.body {
                let room = DeliveryGate.maximumBodyBytes + 1 - body.count
                chunk.withUnsafeReadableBytes { body.append(contentsOf: $0.prefix(room)) }
                if body.count > DeliveryGate.maximumBodyBytes { break }
            }
        } catch {
            return Outcome(status: 400, message: "the body could not be read")
        }
        if body.count > DeliveryGate.maximumBodyBytes {
            // Read no more of it: without this the server would drain the rest to keep the connection alive.
            Self.closeAfterAnswer(context)
            let reason = "body over 1 MiB"
            await refusals.record(RefusedDelivery(at: clock(), remote: context.remote, status: 413, reason: reason))
            return Outcome(status: 413, message: reason, bytes: body.count)
        }
        let receivedAt = clock()
        let deliveryID = DeliveryID.make()
        let made = DeliveryLine.make(body: body, receivedAt: RFC3339.format(receivedAt, offsetSeconds: 0), deliveryId: deliveryID)
        switch made {
        case .failure(let refusal):
            await refusals.record(RefusedDelivery(at: receivedAt, remote: context.remote, status: 400, reason: refusal.reason,
                                                  raw: Array(body.prefix(AppDatabase.refusedRawLimit)), rawLength: body.count))
            return Outcome(status: 400, message: refusal.reason, bytes: body.count)
        case .success(let line):
            let transactionID = line.transactionID
            switch await log.append(line.bytes) {
            case .durable:
                return Outcome(status: 200, message: "{\"status\":\"ok\",\"deliveryId\":\"\(deliveryID)\"}", bytes: body.count, transactionID: transactionID)
            case .failed(let reason):
                await refusals.record(RefusedDelivery(at: receivedAt, remote: context.remote, status: 503, reason: reason))
                return Outcome(status: 503, message: "not stored, retry later: " + reason, bytes: body.count, transactionID: transactionID)
            }
        }
    }

    /// Quiescing the connection closes it once the answer is written.
    static func closeAfterAnswer(_ context: ServeContext) {
        context.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }

    static func text(_ status: HTTPResponse.Status, _ message: String, type: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// A delivery's id: 128 random bits as 32 lower-case hex digits (unique per POST, no order implied).
enum DeliveryID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64)
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for i in 0..<16 {
                let word = i < 8 ? words.0 : words.1
                let byte = UInt8(truncatingIfNeeded: word >> (UInt64(i % 8) * 8))
                buffer[2 * i] = digits[Int(byte >> 4)]
                buffer[2 * i + 1] = digits[Int(byte & 0x0F)]
            }
            return 32
        }
    }
}

/// The receiver's line per delivery on standard error, sanitised (a transaction id is the
/// sender's text).
enum AccessLog {
    static func write(at: Timestamp, remote: String, method: String, status: Int, bytes: Int, ms: Double, transactionID: String?) {
        let id = transactionID.map { TerminalText.sanitized(String($0.prefix(128))) } ?? "-"
        // Our own texts need no sanitising: the time, the peer's IP, a method NIO parsed (a token), numbers.
        let tenths = Int((ms * 100).rounded())
        var text = RFC3339.format(at, offsetSeconds: 0)
        text += " " + remote + " " + String(method.prefix(16)) + " " + String(status) + " " + String(bytes) + " B "
        text += String(tenths / 100) + "." + (tenths % 100 < 10 ? "0" : "") + String(tenths % 100) + " ms transaction_id=" + id + "\n"
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
