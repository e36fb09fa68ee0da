import CleoDomain

/// What the follower knows of a file it is reading: its identity, and the hash of its first
/// bytes on demand (events-log.md: a position records both).
public protocol LogIdentity {
    var device: UInt64 { get }
    var inode: UInt64 { get }
    /// The hash of the first `length` bytes; nil when the file is now shorter.
    func headHash(length: Int64) -> [UInt8]?
}

extension LogIdentity {
    /// Whether `position` was recorded on this very file: same device and inode, and the same
    /// first bytes (a freed inode is soon reused by another file).
    public func isFile(of position: FollowerPosition) -> Bool {
        device == position.device && inode == position.inode
            && (position.headLength == 0 || headHash(length: position.headLength) == position.headHash)
    }
}

/// Where the follower commits: the store implements it (`IngestWriter`), tests use an in-memory
/// one. Every line is applied exactly once because a batch is committed only if the stored
/// position is still the one it was read from (compare-and-swap), in the same transaction as
/// the batch's effects.
public protocol IngestSink: AnyObject {
    /// The stored position of the log `path` now names: the one recorded on the same file under
    /// any name (a symlink, a hard link, another spelling), else the one stored under `path`.
    func position(path: String, file: (any LogIdentity)?) throws -> FollowerPosition?

    /// Commits `lines` and `newPosition` (keyed by `newPosition.path`) if the stored position
    /// still equals `expected`; with `expected` nil, only if no position exists for that key nor
    /// for `file` under another key. `notices` are recorded in the same transaction.
    func apply(_ lines: [LogLine], expected: FollowerPosition?, newPosition: FollowerPosition, file: (any LogIdentity)?,
               notices: [FollowerNotice], now: Timestamp) throws -> BatchResult

    /// The newest `limit` notices recorded for the log `path` names (under the key its stored
    /// position has), newest first.
    func notices(path: String, limit: Int) throws -> [FollowerNotice]
}

/// FNV-1a 64 of a file's first bytes: the head hash of a position.
public enum HeadHash {
    public static func of(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return withUnsafeBytes(of: hash.bigEndian, Array.init)
    }
}
