import CleoDomain
import CleoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the follower is doing, for the frame and the Events screen.
public struct FollowerStatus: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case starting
        /// The log does not exist (yet): where it is expected.
        case waitingForLog
        case following
        case failed(String)
    }
    public var phase: Phase = .starting
    public var path: String
    public var position: FollowerPosition?
    public var notices: [FollowerNotice] = []

    public init(path: String) { self.path = path }
}

/// Tails the events log into the database: partial lines wait for their LF, rotation and
/// truncation are recognised by the file's identity and the hash of its first bytes, and each
/// batch is committed with its position (events-log.md "Following the file").
public final class LogFollower {
    public let path: String
    public let writer: IngestWriter
    public var batchLines: Int
    public var clock: () -> Timestamp
    /// The file being followed, held open so a rotated-away file can be finished even if unlinked.
    private var held: LogFile?
    public private(set) var status: FollowerStatus

    public init(path: String, writer: IngestWriter, batchLines: Int = 10_000, clock: @escaping () -> Timestamp = Timestamp.now) {
        self.path = Self.absolute(path)
        self.writer = writer
        self.batchLines = batchLines
        self.clock = clock
        self.status = FollowerStatus(path: self.path)
    }

    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// Applies every complete line available now. `onBatch` is called after each commit.
    @discardableResult
    public func catchUp(onBatch: (BatchSummary) -> Void = { _ in }) throws -> BatchSummary {
        var total = BatchSummary()
        var attempts = 0
        while true {
            attempts += 1
            if attempts > 10_000 { throw FollowerError.contention }
            let stored = try writer.position(path: path)
            guard let current = LogFile(path: path) else {
                // The log is missing (mid-rotation, or not created yet): finish a held,
                // rotated-away file first, then wait for the path to appear.
                if let stored, let old = held, old.device == stored.device, old.inode == stored.inode,
                   try drain(old, from: stored, expected: stored, into: &total, onBatch: onBatch) != .nothing {
                    continue
                }
                status.phase = .waitingForLog
                status.position = stored
                return total
            }
            status.phase = .following
            var start: FollowerPosition
            var notices: [FollowerNotice] = []
            if let stored, stored.device == current.device, stored.inode == current.inode {
                start = stored
                let size = current.size
                let headNow = stored.headLength > 0 ? current.headHash(length: stored.headLength) : []
                if size < stored.offset || headNow != stored.headHash {
                    notices.append(FollowerNotice(kind: .truncation, detail: "\(current.name) was truncated or rewritten (now \(size) bytes, had been read to \(stored.offset)); reading it again from the start"))
                    start = fresh(current)
                }
            } else if let stored {
                // Rotation: finish the old file (held open, or found beside the path by identity).
                // By identity beside the path first (its current name goes on the events), else the
                // handle still held open (the file may have been unlinked).
                let heldOld = held.flatMap { $0.device == stored.device && $0.inode == stored.inode ? $0 : nil }
                if let old = LogFile.findByIdentity(besides: path, device: stored.device, inode: stored.inode,
                                                      headLength: stored.headLength, headHash: stored.headHash) ?? heldOld {
                    if try drain(old, from: stored, expected: stored, into: &total, onBatch: onBatch) != .nothing { continue }
                    let leftover = old.size - stored.offset
                    if leftover > 0 {
                        notices.append(FollowerNotice(kind: .gap, detail: "the last \(leftover) bytes of the rotated file \(old.name) are an unfinished line (no LF) and were never applied"))
                    }
                    notices.append(FollowerNotice(kind: .rotation, detail: "\(path) was rotated (the old file: \(old.name)); reading the new file from its start"))
                } else {
                    let missed = max(0, stored.observedSize - stored.offset)
                    notices.append(FollowerNotice(kind: .gap, detail: "\(path) was rotated while nothing followed it and the old file is gone: at least \(missed) bytes after offset \(stored.offset) were never read"))
                    notices.append(FollowerNotice(kind: .rotation, detail: "reading the new \(path) from its start"))
                }
                start = fresh(current)
            } else {
                start = fresh(current)
            }
            held = current
            if try drain(current, from: start, expected: stored, notices: notices, into: &total, onBatch: onBatch) == .moved {
                continue
            }
            status.position = try writer.position(path: path)
            status.notices.append(contentsOf: notices)
            if status.notices.count > 50 { status.notices.removeFirst(status.notices.count - 50) }
            return total
        }
    }

    /// A position at the start of `file`.
    private func fresh(_ file: LogFile) -> FollowerPosition {
        FollowerPosition(path: path, file: file.name, device: file.device, inode: file.inode, headLength: 0, headHash: [],
                         offset: 0, nextLine: 1, observedSize: 0, updatedAt: clock())
    }

    enum DrainResult { case nothing, applied, moved }

    /// Reads and commits batches from `file` starting at `start`. `.moved` when another process
    /// moved the position first (the caller starts over from the stored one).
    private func drain(_ file: LogFile, from start: FollowerPosition, expected: FollowerPosition?, notices: [FollowerNotice] = [],
                       into total: inout BatchSummary, onBatch: (BatchSummary) -> Void) throws -> DrainResult {
        var position = start
        var expected = expected
        var pendingNotices = notices
        var result = DrainResult.nothing
        var ahead: ReadAhead?
        defer { ahead?.stop() }
        var written: ReadAhead.Garbage?
        while true {
            let batch = ahead?.take(at: position.offset, line: position.nextLine)
                ?? ReadAhead.read(file, from: position.offset, line: position.nextLine, maxLines: batchLines)
            let (size, lines, offset, line) = (batch.size, batch.lines, batch.offset, batch.line)
            // More is already there: read it while this batch is written.
            if offset < size {
                if ahead == nil { ahead = ReadAhead(file: file, maxLines: batchLines) }
                ahead?.start(from: offset, line: line, garbage: written)
                written = nil
            }
            let repositioned = !(expected.map { $0.sameSpot(as: position) } ?? false)
            if lines.isEmpty && pendingNotices.isEmpty && !(repositioned && size > 0) { return result }
            var next = position
            next.offset = offset
            next.nextLine = line
            next.observedSize = size
            next.file = file.name
            if next.headLength < Int64(LogFile.headLimit), size > next.headLength {
                let length = min(Int64(LogFile.headLimit), size)
                if let hash = file.headHash(length: length) {
                    next.headLength = length
                    next.headHash = hash
                }
            }
            switch try writer.apply(lines, expected: expected, newPosition: next, notices: pendingNotices, now: clock()) {
            case .positionMoved:
                return .moved
            case .applied(let summary):
                total.counts = total.counts + summary.counts
                total.newTransactions += summary.newTransactions
                onBatch(summary)
                result = .applied
                pendingNotices = []
                if ahead != nil { written = ReadAhead.Garbage(lines) }
                position = next
                expected = next
                if lines.isEmpty { return result }
            }
        }
    }
}

public enum FollowerError: Error, CustomStringConvertible {
    case contention
    public var description: String { "gave up after 1000 attempts: other processes keep moving the position" }
}

extension Timestamp {
    /// The wall clock, read only at the edges.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
