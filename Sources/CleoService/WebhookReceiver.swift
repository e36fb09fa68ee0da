import CleoDomain
import CleoStore
import Foundation
import TerminalCanvas

/// What `serve` answers (serve.md's table), free of any HTTP framework: `GET /healthz`,
/// `GET /metrics`, and deliveries on the webhook's path. The HTTP edge (`DeliveryHandler`) hands
/// it a request's head, then its body, and writes the answer it is called back with.
/// One line per delivery on standard error: time, remote address, status, bytes, milliseconds,
/// transaction_id — never a body or a header's value.
///
/// A class, and a delivery one object: the closures that carry a delivery from its body to its
/// durable answer then hold one reference each instead of a copy of every field.
public final class WebhookReceiver: Sendable {
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

    /// An answer: status, body, content type, and whether the connection closes after it.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: [UInt8]
        public var contentType: String
        public var closes = false
    }

    /// The request's head, as the edge parsed it.
    public struct Head: Sendable {
        public var method: String
        public var path: String
        public var contentType: String?
        public var contentLength: String?
        public var transferEncoding: String?
        public var authorization: [UInt8]?
        public var remote: String
        /// Whether a body follows the head (a declared non-zero length, or a transfer coding).
        public var hasBody: Bool { contentLength != "0" && (contentLength != nil || transferEncoding != nil) }
        public init(method: String, path: String, contentType: String?, contentLength: String?, transferEncoding: String?,
                    authorization: [UInt8]?, remote: String) {
            self.method = method
            self.path = path
            self.contentType = contentType
            self.contentLength = contentLength
            self.transferEncoding = transferEncoding
            self.authorization = authorization
            self.remote = remote
        }
    }

    /// What the edge does after the head.
    public enum Start: Sendable {
        /// Answer now (the body, if any, is never read).
        case answer(Answer)
        /// Answer after a refusal is kept.
        case refused(Delivery)
        /// Read the body (at most `DeliveryGate.maximumBodyBytes` + 1 bytes), then `finish`.
        case readBody(Delivery)
    }

    /// One delivery in progress: when it started, for the access log.
    public final class Delivery: Sendable {
        let head: Head
        let started = DispatchTime.now().uptimeNanoseconds
        let refusal: (status: Int, reason: String)?
        init(head: Head, refusal: (status: Int, reason: String)? = nil) {
            self.head = head
            self.refusal = refusal
        }
    }

    public func start(_ head: Head) -> Start {
        if head.method == "GET" && head.path == "/healthz" {
            let (ok, detail) = health()
            return .answer(Self.text(ok ? 200 : 503, detail, type: "application/json"))
        }
        if head.method == "GET" && head.path == "/metrics" {
            return .answer(Answer(status: 200, body: metrics.text(), contentType: "text/plain; version=0.0.4"))
        }
        let verdict = DeliveryGate.check(method: head.method, path: head.path, contentType: head.contentType,
                                         contentLength: head.contentLength, authorization: head.authorization, settings: settings.current)
        switch verdict {
        case .readBody:
            return .readBody(Delivery(head: head))
        case .refuse(let status, let reason, let recorded):
            let delivery = Delivery(head: head, refusal: (status, reason))
            // A refused body is never read, and never drained either (an unauthenticated sender
            // could stream without end): the connection closes after the answer.
            if recorded { return .refused(delivery) }
            return .answer(finish(delivery, Outcome(status: status, message: reason), closes: head.hasBody))
        }
    }

    /// A refusal from `start`: kept, then answered.
    public func keepRefusal(_ delivery: Delivery, hop: @escaping Hop, answer: @escaping @Sendable (Answer) -> Void) {
        guard let (status, reason) = delivery.refusal else { return }
        let head = delivery.head
        refusals.record(RefusedDelivery(at: clock(), remote: head.remote, status: status, reason: reason)) { hop {
            answer(self.finish(delivery, Outcome(status: status, message: reason), closes: head.hasBody))
        } }
    }

    /// Runs work on the connection's own thread (its event loop).
    public typealias Hop = @Sendable (@escaping @Sendable () -> Void) -> Void

    /// The body, read whole (or one byte over the limit): made a line, made durable, answered.
    /// The log's writer only hands the outcome back (`hop`): the answer is made on the
    /// connection's thread, so the writer goes straight on to the next group commit.
    public func finish(_ delivery: Delivery, body: [UInt8], hop: @escaping Hop, answer: @escaping @Sendable (Answer) -> Void) {
        let remote = delivery.head.remote
        if body.count > DeliveryGate.maximumBodyBytes {
            // Read no more of it: without closing the server would drain the rest to keep the connection alive.
            let reason = "body over 1 MiB"
            refusals.record(RefusedDelivery(at: clock(), remote: remote, status: 413, reason: reason)) { hop {
                answer(self.finish(delivery, Outcome(status: 413, message: reason, bytes: body.count), closes: true))
            } }
            return
        }
        let receivedAt = clock()
        let deliveryID = DeliveryID.make()
        switch DeliveryLine.make(body: body, receivedAt: RFC3339.format(receivedAt, offsetSeconds: 0), deliveryId: deliveryID) {
        case .failure(let refusal):
            refusals.record(RefusedDelivery(at: receivedAt, remote: remote, status: 400, reason: refusal.reason,
                                            raw: Array(body.prefix(AppDatabase.refusedRawLimit)), rawLength: body.count)) { hop {
                answer(self.finish(delivery, Outcome(status: 400, message: refusal.reason, bytes: body.count)))
            } }
        case .success(let line):
            let transactionID = line.transactionID
            log.append(line.bytes) { outcome in hop {
                switch outcome {
                case .durable:
                    answer(self.finish(delivery, Outcome(status: 200, message: "{\"status\":\"ok\",\"deliveryId\":\"\(deliveryID)\"}",
                                                    bytes: body.count, transactionID: transactionID)))
                case .failed(let reason):
                    self.refusals.record(RefusedDelivery(at: receivedAt, remote: remote, status: 503, reason: reason)) { hop {
                        answer(self.finish(delivery, Outcome(status: 503, message: "not stored, retry later: " + reason,
                                                        bytes: body.count, transactionID: transactionID)))
                    } }
                }
            } }
        }
    }

    /// Every body buffered on this host is over the budget (`ConnectionLimits`): 503, kept as a
    /// refusal in the same capped way as a flood, and the connection closes (Mozarto retries).
    func busy(_ delivery: Delivery) -> Answer {
        let reason = "too many bodies in flight on this host"
        refusals.record(RefusedDelivery(at: clock(), remote: delivery.head.remote, status: 503, reason: reason)) {}
        return finish(delivery, Outcome(status: 503, message: "busy, retry later: " + reason), closes: true)
    }

    /// A request the HTTP parser refused (NIO answered 400 and the connection closes): counted and
    /// told on stderr like any answer; no record (nothing of it was read as a delivery).
    func malformed(remote: String) {
        metrics.delivery(status: 400, bodyBytes: 0)
        AccessLog.write(at: clock(), remote: remote, method: "-", status: 400, bytes: 0, ms: 0, transactionID: nil)
    }

    /// An HTTP/1.1 request without `Host`: 400, counted and told like any answer, no record
    /// (nothing of it is read as a delivery), and the connection closes.
    func missingHost(remote: String, method: String) -> Answer {
        finish(Delivery(head: Head(method: method, path: "-", contentType: nil, contentLength: nil, transferEncoding: nil,
                                   authorization: nil, remote: remote)),
               Outcome(status: 400, message: "Host header missing (HTTP/1.1 requires it)"), closes: true)
    }

    struct Outcome {
        var status: Int
        var message: String
        var bytes = 0
        var transactionID: String?
    }

    /// Counted, told to the frame's state and the access log, and made an answer.
    private func finish(_ delivery: Delivery, _ outcome: Outcome, closes: Bool = false) -> Answer {
        metrics.delivery(status: outcome.status, bodyBytes: outcome.bytes)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - delivery.started) / 1e6
        let now = clock()
        beat?.answered(status: outcome.status, at: now)
        AccessLog.write(at: now, remote: delivery.head.remote, method: delivery.head.method, status: outcome.status, bytes: outcome.bytes, ms: ms,
                        transactionID: outcome.transactionID)
        var answer = Self.text(outcome.status, outcome.message, type: outcome.status == 200 ? "application/json" : "text/plain; charset=utf-8")
        answer.closes = closes
        return answer
    }

    static func text(_ status: Int, _ message: String, type: String) -> Answer {
        Answer(status: status, body: Array((message + "\n").utf8), contentType: type)
    }
}

/// A delivery's id: 128 random bits as 32 lower-case hex digits (unique per POST, no order implied).
enum DeliveryID {
    static func make() -> String {
        // One getentropy (a getrandom(2)) for both words (the generator makes one call per word).
        var words: (UInt64, UInt64) = (0, 0)
        let filled = withUnsafeMutableBytes(of: &words) { getentropy($0.baseAddress, 16) == 0 ? 16 : -1 }
        if filled != 16 {
            var generator = SystemRandomNumberGenerator()
            words = (generator.next(), generator.next())
        }
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
/// sender's text). Built as bytes in one buffer: it runs per delivery. A batch of answers
/// handed back by the log's writer writes its lines together (`LoopInbox`).
enum AccessLog {
    static func write(at: Timestamp, remote: String, method: String, status: Int, bytes: Int, ms: Double, transactionID: String?) {
        var line = [UInt8]()
        line.reserveCapacity(192)
        // Our own texts need no sanitising: the time, the peer's IP, a method the parser took (a token), numbers.
        let tenths = Int((ms * 100).rounded())
        line.append(contentsOf: RFC3339.format(at, offsetSeconds: 0).utf8)
        line.append(0x20)
        line.append(contentsOf: remote.utf8)
        line.append(0x20)
        line.append(contentsOf: method.utf8.prefix(16))
        line.append(0x20)
        line.append(contentsOf: String(status).utf8)
        line.append(0x20)
        line.append(contentsOf: String(bytes).utf8)
        line.append(contentsOf: " B ".utf8)
        line.append(contentsOf: String(tenths / 100).utf8)
        line.append(UInt8(ascii: "."))
        if tenths % 100 < 10 { line.append(UInt8(ascii: "0")) }
        line.append(contentsOf: String(tenths % 100).utf8)
        line.append(contentsOf: " ms transaction_id=".utf8)
        // The sanitiser returns clean text as it is (its own first look).
        line.append(contentsOf: (transactionID.map { TerminalText.sanitized(String($0.prefix(128))) } ?? "-").utf8)
        line.append(0x0A)
        send(line)
    }
}
