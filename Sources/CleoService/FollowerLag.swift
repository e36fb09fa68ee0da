import Foundation

/// How far the follower is behind the receiver: the age of the oldest durable delivery it has
/// not applied yet. Commits are remembered per file (by device and inode, in the order the
/// receiver wrote them) with their end offset; those within 100 ms of each other share an entry.
public final class FollowerLag: @unchecked Sendable {
    private struct Entry {
        var generation: Int
        var end: Int64
        var at: UInt64
    }

    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private var generations: [FileID: Int] = [:]
    private var follower: (file: FileID, offset: Int64)?
    private let clock: () -> UInt64

    public init(clock: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) { self.clock = clock }

    /// The receiver made a commit durable: the file now ends at `end`.
    public func committed(device: UInt64, inode: UInt64, end: Int64) {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        let generation = generation(of: FileID(device: device, inode: inode))
        if let last = entries.last, last.generation == generation, now - last.at < 100_000_000 || entries.count >= 1_000 {
            entries[entries.count - 1].end = end
        } else {
            entries.append(Entry(generation: generation, end: end, at: now))
        }
        dropApplied()
    }

    /// The follower's committed position.
    public func applied(device: UInt64, inode: UInt64, offset: Int64) {
        lock.lock()
        defer { lock.unlock() }
        follower = (FileID(device: device, inode: inode), offset)
        dropApplied()
    }

    /// Seconds since the oldest unapplied commit; 0 when the follower has everything.
    public var seconds: Double {
        lock.lock()
        defer { lock.unlock() }
        guard let first = entries.first else { return 0 }
        return Double(clock() - first.at) / 1e9
    }

    private func generation(of file: FileID) -> Int {
        if let known = generations[file] { return known }
        let next = generations.count
        generations[file] = next
        return next
    }

    /// A follower on a later file has finished the earlier ones (it reads a rotated file to its end).
    private func dropApplied() {
        guard let follower, let generation = generations[follower.file] else { return }
        var drop = 0
        for entry in entries {
            if entry.generation < generation || (entry.generation == generation && entry.end <= follower.offset) { drop += 1 } else { break }
        }
        if drop > 0 { entries.removeFirst(drop) }
    }
}
