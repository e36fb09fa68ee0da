import CleoStore
import Foundation

/// A batch read (and parsed) on a thread of its own while the previous batch is being written:
/// on a backlog the parsing then costs no time on the writer's thread (two cores, one each).
/// The read is speculative — its position is checked by the writer's compare-and-swap like
/// any other — and is thrown away if the follower has to start over.
final class ReadAhead: @unchecked Sendable {
    struct Batch {
        /// The file's size before the read (the position's `observedSize`).
        var size: Int64
        var lines: [LogLine]
        var offset: Int64
        var line: Int64
    }

    let file: LogFile
    let from: Int64
    let line: Int64
    private let done = DispatchSemaphore(value: 0)
    // Written by the reading thread before `done` is signalled, read only after waiting on it.
    private var batch: Batch?

    /// Starts reading up to `maxLines` lines of `file` from `offset` (line number `line`).
    init(file: LogFile, from offset: Int64, line: Int64, maxLines: Int) {
        self.file = file
        self.from = offset
        self.line = line
        let thread = Thread { [self] in
            batch = Self.read(self.file, from: offset, line: line, maxLines: maxLines)
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The batch, once read; nil unless it starts at `offset` / `line`.
    func take(at offset: Int64, line: Int64) -> Batch? {
        done.wait()
        done.signal()  // a second take (or deinit's wait) must not block
        return offset == from && line == self.line ? batch : nil
    }

    /// Reads one batch on the calling thread.
    static func read(_ file: LogFile, from offset: Int64, line: Int64, maxLines: Int) -> Batch {
        let size = file.size
        let (lines, end, next) = file.readLines(from: offset, line: line, maxLines: maxLines, fileName: file.name)
        return Batch(size: size, lines: lines, offset: end, line: next)
    }
}
