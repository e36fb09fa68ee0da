import CleoIngest
import Foundation

/// Reads (and parses) the next batch on a thread of its own while the current batch is being
/// written: on a backlog the parsing then costs no time on the writer's thread (two cores, one
/// each). A read is speculative — its position is checked by the writer's compare-and-swap like
/// any other — and is thrown away if the follower has to start over.
///
/// One thread for the whole drain, not one per batch: each new thread may get a malloc arena of
/// its own, and lines allocated in several arenas left the resident size less predictable.
final class ReadAhead: @unchecked Sendable {
    struct Batch {
        /// The file's size before the read (the position's `observedSize`).
        var size: Int64
        var lines: [LogLine]
        var offset: Int64
        var line: Int64
    }

    /// Lines already written, freed on the reading thread, where they were allocated: freeing
    /// them (five or so allocations a line) cost the writer's thread ~10% of a load.
    final class Garbage: @unchecked Sendable {
        var lines: [LogLine]
        init(_ lines: [LogLine]) { self.lines = lines }
    }

    private struct Request {
        var offset: Int64
        var line: Int64
        var garbage: Garbage?
    }

    let file: LogFile
    let maxLines: Int
    // All below guarded by `condition`.
    private let condition = NSCondition()
    private var request: Request?
    private var pending: (offset: Int64, line: Int64)?
    /// The last batch read, with where it was read from.
    private var result: (offset: Int64, line: Int64, batch: Batch)?
    private var stopped = false

    init(file: LogFile, maxLines: Int) {
        self.file = file
        self.maxLines = maxLines
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Starts reading from `offset` (line number `line`), after freeing `garbage`.
    func start(from offset: Int64, line: Int64, garbage: Garbage?) {
        condition.lock()
        request = Request(offset: offset, line: line, garbage: garbage)
        pending = (offset, line)
        result = nil
        condition.signal()
        condition.unlock()
    }

    /// The batch started last, once read; nil if none was started there.
    func take(at offset: Int64, line: Int64) -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        guard let started = pending, started.offset == offset, started.line == line else { return nil }
        while !(result.map { $0.offset == offset && $0.line == line } ?? false) { condition.wait() }
        pending = nil
        defer { result = nil }
        return result?.batch
    }

    /// Ends the thread after any read in progress.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while request == nil && !stopped { condition.wait() }
            guard var next = request, !stopped else {
                condition.unlock()
                return
            }
            request = nil
            condition.unlock()
            next.garbage?.lines = []
            next.garbage = nil
            let batch = Self.read(file, from: next.offset, line: next.line, maxLines: maxLines)
            condition.lock()
            result = (next.offset, next.line, batch)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Reads one batch on the calling thread.
    static func read(_ file: LogFile, from offset: Int64, line: Int64, maxLines: Int) -> Batch {
        let size = file.size
        let (lines, end, next) = file.readLines(from: offset, line: line, maxLines: maxLines, fileName: file.name)
        return Batch(size: size, lines: lines, offset: end, line: next)
    }
}
