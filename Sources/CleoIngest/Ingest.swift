import CleoDomain
import Foundation

/// One physical line read from the log, with where it came from and what it is.
public struct LogLine: Sendable {
    /// How much of a rejected line is kept for support (events-log.md: raw bytes up to 64 KiB).
    public static let keptRawBytes = 65_536

    public var file: String
    /// 1-based within its file, every physical line counted.
    public var line: Int64
    /// Byte position of the line's first byte in its file.
    public var offset: Int64
    /// The line's bytes without its LF (for a too-long line: its first 64 KiB only).
    public var bytes: [UInt8]
    /// The full length when the line was too long to read whole.
    public var fullLength: Int?
    public var verdict: LineVerdict
    /// An accepted event's content key (rule 6) and its transaction's key, computed with the
    /// verdict (on the reading thread).
    public var signature: EventSignature?
    public var transactionKey: ByteKey?

    public init(file: String, line: Int64, offset: Int64, bytes: [UInt8], fullLength: Int? = nil, verdict: LineVerdict) {
        self.file = file
        self.line = line
        self.offset = offset
        self.bytes = bytes
        self.fullLength = fullLength
        self.verdict = verdict
        if case .accepted(let event) = verdict {
            signature = EventSignature(of: event)
            transactionKey = ByteKey(event.transactionID)
        }
    }

    /// Parses `bytes` into a line: the verdict and signature are computed here, on the reading
    /// thread, outside any database transaction.
    public static func parsed(file: String, line: Int64, offset: Int64, bytes: [UInt8]) -> LogLine {
        LogLine(file: file, line: line, offset: offset, bytes: bytes, verdict: WebhookLineParser.parse(bytes))
    }

    /// A line over 1 MiB, of which only the first bytes were kept.
    public static func tooLong(file: String, line: Int64, offset: Int64, head: [UInt8], length: Int) -> LogLine {
        LogLine(file: file, line: line, offset: offset, bytes: head, fullLength: length,
                verdict: .rejected(LineRejection(.lineTooLong, "the line is \(length) bytes, over the 1 MiB limit")))
    }
}

/// The follower's position: which file (by identity), how far, and the running counts.
public struct FollowerPosition: Sendable, Equatable {
    public var path: String
    /// The name the current file was read under (its own path when that name was a symlink to it).
    public var file: String
    public var device: UInt64
    public var inode: UInt64
    /// How many of the file's first bytes `headHash` covers (up to 4 KiB).
    public var headLength: Int64
    public var headHash: [UInt8]
    public var offset: Int64
    public var nextLine: Int64
    /// The file's size when last looked at: a lower bound of a gap if the file vanishes.
    public var observedSize: Int64
    public var counts: FollowerCounts
    public var lastEventAt: Timestamp?
    public var updatedAt: Timestamp

    public init(path: String, file: String, device: UInt64, inode: UInt64, headLength: Int64, headHash: [UInt8],
                offset: Int64, nextLine: Int64, observedSize: Int64, counts: FollowerCounts = .init(),
                lastEventAt: Timestamp? = nil, updatedAt: Timestamp) {
        self.path = path
        self.file = file
        self.device = device
        self.inode = inode
        self.headLength = headLength
        self.headHash = headHash
        self.offset = offset
        self.nextLine = nextLine
        self.observedSize = observedSize
        self.counts = counts
        self.lastEventAt = lastEventAt
        self.updatedAt = updatedAt
    }

    /// Same file and same place: what a batch was read against is still where the database is.
    public func sameSpot(as other: FollowerPosition) -> Bool {
        device == other.device && inode == other.inode && offset == other.offset && nextLine == other.nextLine
    }
}

/// Lines applied, by kind, since the follower started on this path.
public struct FollowerCounts: Sendable, Equatable {
    public var linesApplied: Int64 = 0
    public var events: Int64 = 0
    public var duplicates: Int64 = 0
    public var late: Int64 = 0
    public var rejected: Int64 = 0
    public var blank: Int64 = 0
    public init() {}

    public static func + (a: FollowerCounts, b: FollowerCounts) -> FollowerCounts {
        var sum = a
        sum.linesApplied += b.linesApplied
        sum.events += b.events
        sum.duplicates += b.duplicates
        sum.late += b.late
        sum.rejected += b.rejected
        sum.blank += b.blank
        return sum
    }
}

/// Something the follower must show: a rotation, a truncation, a gap, and when it was seen.
public struct FollowerNotice: Sendable, Equatable {
    public enum Kind: String, Sendable { case rotation, truncation, gap }
    public var kind: Kind
    public var detail: String
    public var at: Timestamp
    public init(kind: Kind, detail: String, at: Timestamp) {
        self.kind = kind
        self.detail = detail
        self.at = at
    }

    /// A gap (lines never read) stays in the console's frame; a rotation or truncation for an hour.
    public func isShownInFrame(now: Timestamp) -> Bool {
        kind == .gap || now.millisecondsSince1970 - at.millisecondsSince1970 < 3_600_000
    }
}

/// What a committed batch did.
public struct BatchSummary: Sendable, Equatable {
    public var counts = FollowerCounts()
    public var newTransactions = 0
    /// Where the committed position is in its file (the byte after the batch's last line).
    public var endOffset: Int64 = 0
    /// The position as committed with the batch, running counts included: the follower's state
    /// is this snapshot, never a re-read.
    public var position: FollowerPosition?
    /// The transactions the batch's events belong to (what a console showing one must reload);
    /// nil when there were more than `touchedLimit` (reload whatever is shown).
    public var touched: Set<ByteKey>? = []
    public static let touchedLimit = 256
    public init() {}

    /// `other` committed after this one: counts summed, the later position, touched united.
    public mutating func add(_ other: BatchSummary) {
        counts = counts + other.counts
        newTransactions += other.newTransactions
        endOffset = other.endOffset
        position = other.position ?? position
        touched = BatchSummary.union(touched, other.touched)
    }

    /// Two sets of touched transactions as one; nil (too many to list) absorbs.
    public static func union(_ a: Set<ByteKey>?, _ b: Set<ByteKey>?) -> Set<ByteKey>? {
        guard let a, let b else { return nil }
        let both = a.union(b)
        return both.count > touchedLimit ? nil : both
    }
}

/// The result of trying to commit a batch.
public enum BatchResult: Sendable {
    case applied(BatchSummary)
    /// Another process moved the position since the batch was read: re-read from `current`.
    case positionMoved(current: FollowerPosition?)
}
