import CleoDomain

/// The follower's state, as it stands after its last look at the log and its last commit: what
/// `ingest --follow`, `serve` and the console show. One type from the follower to the screen —
/// built from the batch the follower committed (its position, running counts included), never
/// re-read from the database.
public struct FollowerSnapshot: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case starting
        /// The log does not exist (yet), or the path is no log to read (`waitingFor` says why).
        case waitingForLog
        case following
        /// What failed and when the next try is.
        case failed(String)
    }
    public var phase: Phase = .starting
    /// The path followed, absolute.
    public var path: String
    /// While waiting: what for, when the path exists but is no log to read (a FIFO, a
    /// directory, no permission); nil when it is simply missing.
    public var waitingFor: String?
    /// After a fault cleared: what failed and since when, said once.
    public var recovered: String?
    /// The position as last committed (or as stored, before the first commit).
    public var position: FollowerPosition?
    /// Rotations, truncations and gaps, newest first (at most `noticeLimit`).
    public var notices: [FollowerNotice] = []
    public static let noticeLimit = 20

    public init(path: String, phase: Phase = .starting) {
        self.path = path
        self.phase = phase
    }

    public var counts: FollowerCounts { position?.counts ?? FollowerCounts() }
    public var lastEventAt: Timestamp? { position?.lastEventAt }
    public var lastNotice: FollowerNotice? { notices.first }
    /// The notice the frame shows: a gap (lines never read) before any newer rotation or
    /// truncation, which only say where reading went on.
    public func frameNotice(now: Timestamp) -> FollowerNotice? {
        notices.first { $0.kind == .gap } ?? notices.first { $0.isShownInFrame(now: now) }
    }

    /// Notices seen now, in the order they happened: they go first, the oldest beyond the limit go.
    public mutating func record(_ seen: [FollowerNotice]) {
        notices = Array((seen.reversed() + notices).prefix(Self.noticeLimit))
    }
}
