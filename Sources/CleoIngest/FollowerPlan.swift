#if canImport(Glibc)
import Glibc
#endif

/// The follower's decisions, pure: given the stored position and what the path names now, what
/// to read (events-log.md "Following the file"). The follower does the I/O around it.
public enum FollowerPlan: Equatable, Sendable {
    /// Nothing stored yet: read the file from its start.
    case start
    /// The same file: read on from the stored position.
    case `continue`
    /// The same file, now shorter than the position or with other first bytes: from the start,
    /// with a notice.
    case truncated(size: Int64)
    /// The path names another file: finish the old one (held open or found beside the path),
    /// then the new one from its start.
    case rotated

    /// What the path's current file is, as the plan needs it.
    public struct Observed: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        /// The hash of the file's first `stored.headLength` bytes now (nil when shorter).
        public var headHash: [UInt8]?
        public init(device: UInt64, inode: UInt64, size: Int64, headHash: [UInt8]?) {
            self.device = device
            self.inode = inode
            self.size = size
            self.headHash = headHash
        }
    }

    public static func decide(stored: FollowerPosition?, observed: Observed) -> FollowerPlan {
        guard let stored else { return .start }
        guard stored.device == observed.device, stored.inode == observed.inode else { return .rotated }
        if observed.size < stored.offset { return .truncated(size: observed.size) }
        if stored.headLength > 0 && observed.headHash != stored.headHash { return .truncated(size: observed.size) }
        return .continue
    }
}

/// Splits a buffer into complete lines (events-log.md "A line"): each LF ends one; what follows
/// the last LF is a partial line that waits. Pure, so its edge cases are unit-tested.
public enum LineSplitter {
    public struct Piece: Equatable, Sendable {
        /// Where the line starts in the buffer, and its length without the LF.
        public var start: Int
        public var length: Int
    }

    /// Complete lines of `buffer`, at most `maxLines`, and how many bytes they use (LFs included).
    public static func split(_ buffer: UnsafeBufferPointer<UInt8>, maxLines: Int) -> (pieces: [Piece], consumed: Int) {
        var pieces: [Piece] = []
        var start = 0
        guard let base = buffer.baseAddress else { return ([], 0) }
        while start < buffer.count && pieces.count < maxLines {
            guard let lf = memchrLF(base + start, buffer.count - start) else { break }
            pieces.append(Piece(start: start, length: lf))
            start += lf + 1
        }
        return (pieces, start)
    }

    /// The index of the first LF in `count` bytes at `base`, or nil.
    @inline(__always)
    static func memchrLF(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard let found = memchr(base, 0x0A, count) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
