/// What `serve` says about itself for the console's frame and Events screen (serve.md, "What the
/// console shows"): written every few seconds to a small file beside the database (never to the
/// database itself: a heartbeat there would cost the WAL a commit every few seconds, all day).
public struct ServiceState: Sendable, Equatable {
    public var pid: Int
    public var listen: String
    public var isSecured: Bool
    public var startedAt: Timestamp
    public var beatAt: Timestamp
    public var lastDeliveryAt: Timestamp?
    public var deliveriesLastHour: Int
    public var refusalsLastHour: Int
    /// Set by a clean stop; a beat older than `staleAfter` without it is a serve that died.
    public var stoppedAt: Timestamp?

    public static let beatMilliseconds: Int64 = 2_000
    public static let staleAfterMilliseconds: Int64 = 10_000

    public init(pid: Int, listen: String, isSecured: Bool, startedAt: Timestamp, beatAt: Timestamp, lastDeliveryAt: Timestamp?,
                deliveriesLastHour: Int, refusalsLastHour: Int, stoppedAt: Timestamp?) {
        self.pid = pid
        self.listen = listen
        self.isSecured = isSecured
        self.startedAt = startedAt
        self.beatAt = beatAt
        self.lastDeliveryAt = lastDeliveryAt
        self.deliveriesLastHour = deliveriesLastHour
        self.refusalsLastHour = refusalsLastHour
        self.stoppedAt = stoppedAt
    }

    public enum Phase: Sendable, Equatable {
        /// Running: seconds since the last delivery (nil: none yet).
        case receiving(lastDeliverySecondsAgo: Int64?)
        case stopped(at: Timestamp)
        /// No beat for `staleAfter`: killed, crashed, or its host is down.
        case notSeen(since: Timestamp)
    }

    public func phase(now: Timestamp) -> Phase {
        if let stoppedAt { return .stopped(at: stoppedAt) }
        if now.millisecondsSince1970 - beatAt.millisecondsSince1970 > Self.staleAfterMilliseconds { return .notSeen(since: beatAt) }
        return .receiving(lastDeliverySecondsAgo: lastDeliveryAt.map { max(0, now.millisecondsSince1970 - $0.millisecondsSince1970) / 1000 })
    }

    /// One JSON object (the file's content).
    public func encoded() -> String {
        func time(_ t: Timestamp?) -> String { t.map { "\"" + RFC3339.format($0, offsetSeconds: 0) + "\"" } ?? "null" }
        let listenText = listen.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" } ? listen : "?"
        return "{\"pid\":\(pid),\"listen\":\"\(listenText)\",\"isWebhookSecured\":\(isSecured),\"startedAt\":\(time(startedAt)),\"beatAt\":\(time(beatAt)),"
            + "\"lastDeliveryAt\":\(time(lastDeliveryAt)),\"deliveriesLastHour\":\(deliveriesLastHour),\"refusalsLastHour\":\(refusalsLastHour),\"stoppedAt\":\(time(stoppedAt))}\n"
    }

    /// The state in `bytes`, or nil when they are not one (a torn or foreign file).
    public static func decode(_ bytes: [UInt8]) -> ServiceState? {
        var trimmed = bytes
        while trimmed.last == 0x0A { trimmed.removeLast() }
        guard trimmed.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset($0) }) == nil,
              case .object(let o)? = try? StrictJSONParser.parse(trimmed) else { return nil }
        func int(_ key: String) -> Int? { if case .number(let n)? = o[key] { return Int(n) }; return nil }
        func time(_ key: String) -> Timestamp? { if case .string(let s)? = o[key] { return RFC3339.parse(s) }; return nil }
        guard let pid = int("pid"), case .string(let listen)? = o["listen"], case .bool(let secured)? = o["isWebhookSecured"],
              let started = time("startedAt"), let beat = time("beatAt") else { return nil }
        return ServiceState(pid: pid, listen: listen, isSecured: secured, startedAt: started, beatAt: beat, lastDeliveryAt: time("lastDeliveryAt"),
                            deliveriesLastHour: int("deliveriesLastHour") ?? 0, refusalsLastHour: int("refusalsLastHour") ?? 0, stoppedAt: time("stoppedAt"))
    }
}
