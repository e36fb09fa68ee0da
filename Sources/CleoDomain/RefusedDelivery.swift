/// A delivery `serve` refused (serve.md, "A delivery"), kept for support.
public struct RefusedDelivery: Sendable, Equatable {
    public var id: Int64
    public var at: Timestamp
    public var remote: String
    public var status: Int
    public var reason: String
    /// The body's first bytes (up to 64 KiB), kept only for a 400; never a header's value.
    public var raw: [UInt8]?
    public var rawLength: Int

    public init(id: Int64 = 0, at: Timestamp, remote: String, status: Int, reason: String, raw: [UInt8]? = nil, rawLength: Int = 0) {
        self.id = id
        self.at = at
        self.remote = remote
        self.status = status
        self.reason = reason
        self.raw = raw
        self.rawLength = rawLength
    }
}
