import CleoDomain
import CleoIngest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tails the events log into the database: partial lines wait for their LF, rotation and
/// truncation are recognised by the file's identity and the hash of its first bytes, and each
/// batch is committed with its position (events-log.md "Following the file").
public final class LogFollower {
    public let path: String
    public let writer: any IngestSink
    public var batchLines: Int
    public var clock: () -> Timestamp
    /// The file being followed, held open so a rotated-away file can be finished even if unlinked.
    private var held: LogFile?
    public internal(set) var status: FollowerSnapshot

    public init(path: String, writer: any IngestSink, batchLines: Int = 10_000, clock: @escaping () -> Timestamp = Timestamp.now) {
        self.path = Self.absolute(path)
        self.writer = writer
        self.batchLines = batchLines
        self.clock = clock
        self.status = FollowerSnapshot(path: self.path)
    }

    /// The path made absolute and tidied lexically (`.`, `..`, `//`), symlinks left as they are:
    /// Foundation's `standardizingPath` resolves them, which pinned a follower of a symlink to
    /// whatever it pointed at when it started (a re-pointed symlink was never followed).
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Applies every complete line available now. `onBatch` is called after each commit.
    /// Throws `LogOpenError` when the path exists but is no log to read (for `ingest`'s exit
    /// status); `follow` waits instead, saying what for. `shouldStop` is asked after each
    /// commit: a stop requested while a backlog is read ends it there (serve's SIGTERM would
    /// otherwise wait for the whole backlog, and its drain deadline end the process first).
    @discardableResult
    public func catchUp(shouldStop: () -> Bool = { false }, onBatch: (BatchSummary) -> Void = { _ in }) throws -> BatchSummary {
        var total = BatchSummary()
        do {
            try catchUp(into: &total, shouldStop: shouldStop, onBatch: onBatch)
        } catch is Stopped {
            status.position = total.position ?? status.position
        }
        return total
    }

    /// A stop asked for between two commits.
    private struct Stopped: Error {}

    private func catchUp(into total: inout BatchSummary, shouldStop: () -> Bool, onBatch: (BatchSummary) -> Void) throws {
        var attempts = 0
        // The rotated files read to their end in this call (a file is never read twice).
        var finished = Set<[UInt64]>()
        while true {
            attempts += 1
            if attempts > 10_000 { throw FollowerError.contention }
            let opened = LogFile.open(path)
            guard case .success(let current) = opened else {
                // Missing (mid-rotation, or not created yet) or unreadable: finish a held,
                // rotated-away file first, then wait for the path to name a log.
                let stored = try writer.position(path: path, file: held)
                if let stored, let old = held, old.isFile(of: stored),
                   try drain(old, from: stored, expected: stored, into: &total, shouldStop: shouldStop, onBatch: onBatch) != .nothing {
                    continue
                }
                status.phase = .waitingForLog
                status.position = stored
                if case .failure(let error) = opened, error != .missing(path: path) {
                    status.waitingFor = "\(error)"
                    throw error
                }
                status.waitingFor = nil
                return
            }
            // The position recorded on this file under any name, else the one of this path, else
            // that of the path a symlink here names (rotated while nothing followed, the new
            // file is the next of that path's stream).
            let stored = try writer.position(path: path, file: current) ?? resolvedPath.flatMap { try writer.position(path: $0, file: nil) }
            let key = stored?.path ?? path
            status.phase = .following
            status.waitingFor = nil
            var start: FollowerPosition
            var notices: [FollowerNotice] = []
            let observed = FollowerPlan.Observed(
                device: current.device, inode: current.inode, size: current.size,
                headHash: stored.flatMap { $0.headLength > 0 ? current.headHash(length: $0.headLength) : [] })
            switch FollowerPlan.decide(stored: stored, observed: observed) {
            case .start:
                start = fresh(current, key: key)
            case .continue:
                start = stored!
            case .truncated(let size):
                notices.append(FollowerNotice(kind: .truncation, detail: "\(current.name) was truncated or rewritten (now \(size.grouped) bytes, had been read to byte \(stored!.offset.grouped)); reading it again from the start", at: clock()))
                start = fresh(current, key: key)
            case .rotated:
                let stored = stored!
                // Rotation: finish the old file — found by identity beside the path or its
                // target (its current name goes on the events), else the handle still held
                // open (the file may have been unlinked, or a symlink re-pointed).
                let heldOld = held.flatMap { $0.isFile(of: stored) ? $0 : nil }
                if let old = LogFile.find(stored, besides: path) ?? heldOld {
                    if try drain(old, from: stored, expected: stored, into: &total, shouldStop: shouldStop, onBatch: onBatch) != .nothing { continue }
                    let leftover = old.size - stored.offset
                    if leftover > 0 {
                        notices.append(FollowerNotice(kind: .gap, detail: "the last \(leftover.grouped) bytes of the rotated file \(old.name) are an unfinished line (no LF) and were never applied", at: clock()))
                    }
                    // Rotated again before we looked: the file written between is read next,
                    // whole, then (at the next turn of this loop, by the same rule) the new one.
                    finished.insert([old.device, old.inode])
                    if let between = LogFile.rotatedBetween(old: old, current: current, besides: path, finished: finished).first {
                        notices.append(FollowerNotice(kind: .rotation, detail: "\(path) was rotated more than once since it was last read (the old file: \(old.name)); reading \(between.name), written between, from its start", at: clock()))
                        held = between
                        if try drain(between, from: fresh(between, key: key), expected: stored, notices: notices, into: &total, shouldStop: shouldStop, onBatch: onBatch) == .moved { continue }
                        status.record(notices)
                        notices = []
                        continue
                    }
                    notices.append(FollowerNotice(kind: .rotation, detail: "\(path) was rotated (the old file: \(old.name)); reading the new file from its start", at: clock()))
                } else {
                    // What was known unread at the last look; the old file may have grown since.
                    let missed = max(0, stored.observedSize - stored.offset)
                    let lost = missed > 0 ? "at least \(missed.grouped) bytes after byte \(stored.offset.grouped) were never read"
                        : "whatever was written to it after byte \(stored.offset.grouped) was never read (how much is unknown)"
                    notices.append(FollowerNotice(kind: .gap, detail: "\(path) was rotated while nothing followed it and the old file is gone: \(lost)", at: clock()))
                    notices.append(FollowerNotice(kind: .rotation, detail: "reading the new \(path) from its start", at: clock()))
                }
                start = fresh(current, key: key)
            }
            held = current
            if try drain(current, from: start, expected: stored, notices: notices, into: &total, shouldStop: shouldStop, onBatch: onBatch) == .moved {
                continue
            }
            // The state is the snapshot the last commit returned; nothing committed: as stored.
            status.position = total.position ?? stored
            status.record(notices)
            return
        }
    }

    /// Where a symlink at the path points now (absolute, resolved), when the path is one.
    private var resolvedPath: String? {
        var link = stat()
        guard lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let target = String(cString: resolved)
        return target == path ? nil : target
    }

    /// A position at the start of `file`, stored under `key`.
    private func fresh(_ file: LogFile, key: String) -> FollowerPosition {
        FollowerPosition(path: key, file: file.recordedName, device: file.device, inode: file.inode, headLength: 0, headHash: [],
                         offset: 0, nextLine: 1, observedSize: 0, updatedAt: clock())
    }

    enum DrainResult { case nothing, applied, moved }

    /// Reads and commits batches from `file` starting at `start`. `.moved` when another process
    /// moved the position first (the caller starts over from the stored one).
    private func drain(_ file: LogFile, from start: FollowerPosition, expected: FollowerPosition?, notices: [FollowerNotice] = [],
                       into total: inout BatchSummary, shouldStop: () -> Bool, onBatch: (BatchSummary) -> Void) throws -> DrainResult {
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
            // A file seen for the first time is recorded even while empty: were it rotated away
            // after its first lines but before the next look, nothing stored would say it
            // existed, and those lines would be skipped without a gap.
            if lines.isEmpty && pendingNotices.isEmpty && !(repositioned && (size > 0 || expected == nil)) { return result }
            var next = position
            next.offset = offset
            next.nextLine = line
            next.observedSize = size
            next.file = file.recordedName
            if next.headLength < Int64(LogFile.headLimit), size > next.headLength {
                let length = min(Int64(LogFile.headLimit), size)
                if let hash = file.headHash(length: length) {
                    next.headLength = length
                    next.headHash = hash
                }
            }
            switch try writer.apply(lines, expected: expected, newPosition: next, file: file, notices: pendingNotices, now: clock()) {
            case .positionMoved:
                return .moved
            case .applied(let summary):
                var summary = summary
                summary.touched = Self.touched(by: lines)
                total.add(summary)
                onBatch(summary)
                result = .applied
                pendingNotices = []
                if ahead != nil { written = ReadAhead.Garbage(lines) }
                position = next
                expected = next
                if lines.isEmpty { return result }
                if shouldStop() { throw Stopped() }
            }
        }
    }
}

extension LogFollower {
    /// The transactions a batch's accepted lines belong to (nil past `BatchSummary.touchedLimit`).
    static func touched(by lines: [LogLine]) -> Set<ByteKey>? {
        var keys = Set<ByteKey>()
        for line in lines {
            guard let key = line.transactionKey else { continue }
            keys.insert(key)
            if keys.count > BatchSummary.touchedLimit { return nil }
        }
        return keys
    }
}

public enum FollowerError: Error, CustomStringConvertible {
    case contention
    public var description: String { "gave up after 10,000 attempts: other processes keep moving the position" }
}

extension Timestamp {
    /// The wall clock, read only at the edges.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
