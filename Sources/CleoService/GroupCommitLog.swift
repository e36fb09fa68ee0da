import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The events log as the receiver writes it: one writer thread appends (`O_APPEND`) whatever
/// deliveries are waiting as one write and makes them durable with one `fdatasync` — a group
/// commit, so throughput does not fall to one fsync per request. A delivery is answered only
/// after its batch's fdatasync returned.
///
/// Failures leave no partial line, and never shrink the log below a whole line: a write cut
/// short (a full disk) is cut back (`ftruncate`) to just after its last whole line, and a failed
/// fdatasync leaves its lines. A follower may already have read and applied those whole lines
/// (they were in the file); cutting them away would make it see a truncation and apply the
/// whole log again, or go on mid-line. Not acknowledged, they are retried by the platform, and
/// the retry is a duplicate by content (events-log.md rule 6) — as is that of a delivery not
/// durable 8 s after it arrived, answered as failed.
/// A symlink at the path is written through, and a re-pointed one is a rotation (as the follower sees it).
/// At open, a last line without its LF (written before a crash, never acknowledged) is ended
/// with one, so the follower rejects it visibly and it is never glued to the next line.
public final class GroupCommitLog: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        case durable
        case failed(String)
    }

    /// What the receiver reports on /healthz and /metrics.
    public struct Snapshot: Sendable {
        public var failure: String?
        public var linesWritten: Int64
        public var bytesWritten: Int64
        public var commits: Int64
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
    }

    public let path: String
    public let deadline: Double
    private let sync: @Sendable (Int32) -> Int32
    /// Called with each fdatasync's duration in seconds (the metrics' histogram).
    private let onSync: @Sendable (Double) -> Void
    /// Called after each durable commit with the file (device, inode) and where it now ends.
    private let onCommit: @Sendable (UInt64, UInt64, Int64) -> Void
    /// Called with each message worth an operator's attention (stderr).
    private let say: @Sendable (String) -> Void

    private let lock = NSCondition()
    private var pending: [Waiter] = []
    private var inFlight: [Waiter] = []
    private var reopenRequested = false
    private var stopping = false
    private var stopped = false
    private var fd: Int32 = -1
    /// Under load (the last batch held more than one line) the writer waits up to `linger`
    /// seconds for more before it writes, or until as many lines wait as the last batch held:
    /// fewer, larger group commits (each fdatasync costs CPU and, here, a device notification).
    /// Not twice the last batch: with N clients each waiting for its answer, 2N never arrive
    /// and every commit waited out the whole linger (measured: 21.6k → 26.2k deliveries/s).
    private let linger: Double
    private var lingerTarget = Int.max
    private var lastBatchSize = 0
    private var state = Snapshot(failure: nil, linesWritten: 0, bytesWritten: 0, commits: 0, device: 0, inode: 0, size: 0)

    public init(path: String, deadline: Double = 8, linger: Double = 0.001, sync: @escaping @Sendable (Int32) -> Int32 = { fdatasync($0) },
                onSync: @escaping @Sendable (Double) -> Void = { _ in },
                onCommit: @escaping @Sendable (UInt64, UInt64, Int64) -> Void = { _, _, _ in }, say: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.path = path
        self.deadline = deadline
        self.linger = linger
        self.sync = sync
        self.onSync = onSync
        self.onCommit = onCommit
        self.say = say
        if let problem = openLog() { throw LogError(message: problem) }
        let writer = Thread { [self] in writeLoop() }  // strong: the object lives until its threads end
        writer.name = "cleo-log-writer"
        writer.start()
        let watchdog = Thread { [self] in watchLoop() }
        watchdog.name = "cleo-log-watchdog"
        watchdog.start()
    }

    public struct LogError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Appends one complete line (ending in LF) and returns once it is durable, or why not.
    public func append(_ line: [UInt8]) async -> Outcome {
        await withCheckedContinuation { continuation in append(line) { continuation.resume(returning: $0) } }
    }

    /// Appends one complete line (ending in LF); `answer` is called once, on the writer's thread,
    /// when it is durable or why not (the receiver hands it back to its event loop).
    public func append(_ line: [UInt8], answer: @escaping @Sendable (Outcome) -> Void) {
        let waiter = Waiter(line: line, answer: answer)
        lock.lock()
        if stopping {
            lock.unlock()
            waiter.resolve(.failed("the receiver is stopping"))
            return
        }
        pending.append(waiter)
        // The writer waits only when nothing is pending: one wake-up per batch, not per line.
        if pending.count == 1 || pending.count == lingerTarget { lock.signal() }
        lock.unlock()
    }

    /// SIGHUP: the next batch goes to the file the path names now.
    public func requestReopen() {
        lock.lock()
        reopenRequested = true
        lock.signal()
        lock.unlock()
    }

    /// Writes what is waiting, then stops the writer; later appends fail.
    public func drainAndStop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        while !stopped { lock.wait() }
        lock.unlock()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    // MARK: The writer thread

    private func writeLoop() {
        while true {
            lock.lock()
            while pending.isEmpty && !stopping && !reopenRequested { lock.wait() }
            if pending.isEmpty && stopping {
                stopped = true
                lock.broadcast()
                lock.unlock()
                if fd >= 0 { close(fd); fd = -1 }
                return
            }
            if lastBatchSize > 1 && linger > 0 && !stopping && !reopenRequested {
                lingerTarget = lastBatchSize
                let until = Date(timeIntervalSinceNow: linger)
                while pending.count < lingerTarget && !stopping && !reopenRequested && lock.wait(until: until) {}
                lingerTarget = Int.max
            }
            let reopen = reopenRequested
            reopenRequested = false
            // Deliveries the watchdog already answered are not written.
            let batch = pending.filter { !$0.isResolved }
            pending.removeAll(keepingCapacity: true)
            inFlight = batch
            lastBatchSize = batch.count
            lock.unlock()

            let outcome = commit(batch, reopen: reopen)
            lock.lock()
            inFlight.removeAll(keepingCapacity: true)
            if case .failed(let reason) = outcome { state.failure = reason } else if !batch.isEmpty { state.failure = nil }
            lock.unlock()
            // Each event loop is handed its answers of the batch in one task.
            LoopInbox.gathering { for waiter in batch { waiter.resolve(outcome) } }
        }
    }

    /// One group commit: reopen if the path names another file, one write, one fdatasync.
    private func commit(_ batch: [Waiter], reopen: Bool) -> Outcome {
        if reopen || pathNamesAnotherFile() {
            if let problem = openLog() { return .failed(problem) }
        }
        guard !batch.isEmpty else { return .durable }
        if fd < 0, let problem = openLog() { return .failed(problem) }
        var buffer = [UInt8]()
        buffer.reserveCapacity(batch.reduce(0) { $0 + $1.line.count })
        for waiter in batch { buffer.append(contentsOf: waiter.line) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failed("cannot stat the log: \(errnoText())") }
        let start = Int64(info.st_size)
        let (written, problem) = writeAll(buffer)
        if let problem {
            // No partial line: cut back to just after the last whole line written.
            let whole = buffer[..<written].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            if whole < written, ftruncate(fd, off_t(start + Int64(whole))) != 0 {
                say("the log could not be cut back after a failed write (\(errnoText())): its last line may be partial")
            }
            return .failed("cannot write the log: \(problem)")
        }
        let began = DispatchTime.now().uptimeNanoseconds
        let rc = sync(fd)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        onSync(seconds)
        if rc != 0 {
            // The lines stay (whole, maybe read already): unacknowledged, never cut away.
            let problem = errnoText()
            return .failed("cannot fdatasync the log: \(problem)")
        }
        lock.lock()
        state.linesWritten += Int64(batch.count)
        state.bytesWritten += Int64(buffer.count)
        state.commits += 1
        state.size = start + Int64(buffer.count)
        let (device, inode, end) = (state.device, state.inode, state.size)
        lock.unlock()
        onCommit(device, inode, end)
        return .durable
    }

    /// Writes all of `buffer`; how much was written, and the problem if not all.
    private func writeAll(_ buffer: [UInt8]) -> (written: Int, problem: String?) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errnoText())
            }
            if n == 0 { return (done, "the write made no progress") }
            done += n
        }
        return (done, nil)
    }

    /// True when the path is gone or names a file other than the open one (a rotation).
    private func pathNamesAnotherFile() -> Bool {
        guard fd >= 0 else { return true }
        var named = stat()
        guard stat(path, &named) == 0 else { return true }
        return UInt64(named.st_dev) != state.device || UInt64(named.st_ino) != state.inode
    }

    /// Opens (or creates) the file at the path, ends a torn last line, and makes a new file's
    /// name durable. Returns the problem, or nil.
    private func openLog() -> String? {
        let existed = access(path, F_OK) == 0
        // Through a symlink as the follower reads it (the folder is the service user's alone, roles.md).
        let newFD = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard newFD >= 0 else { return "cannot open the log \(path): \(errnoText())" }
        var info = stat()
        guard fstat(newFD, &info) == 0 else { close(newFD); return "cannot stat the log: \(errnoText())" }
        guard (info.st_mode & S_IFMT) == S_IFREG else { close(newFD); return "the log \(path) is not a regular file" }
        if info.st_size > 0 {
            var last: UInt8 = 0
            if pread(newFD, &last, 1, off_t(info.st_size - 1)) == 1, last != 0x0A {
                var newline: UInt8 = 0x0A
                guard write(newFD, &newline, 1) == 1, sync(newFD) == 0 else {
                    let problem = errnoText()
                    close(newFD)
                    return "cannot end the log's partial last line: \(problem)"
                }
                say("the log ended in a partial line (a write cut short before any answer): ended it with a newline, so the follower rejects it visibly")
                info.st_size += 1
            }
        }
        if !existed { syncDirectory() }
        if fd >= 0 { close(fd) }
        fd = newFD
        lock.lock()
        state.device = UInt64(info.st_dev)
        state.inode = UInt64(info.st_ino)
        state.size = Int64(info.st_size)
        lock.unlock()
        return nil
    }

    private func syncDirectory() {
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { return }
        _ = fsync(dirFD)
        close(dirFD)
    }

    // MARK: The watchdog

    /// Answers deliveries not durable within `deadline` of their arrival as failed (a stuck disk).
    private func watchLoop() {
        let tick = useconds_t(min(0.1, deadline / 4) * 1e6)
        while true {
            usleep(tick)
            lock.lock()
            if stopped { lock.unlock(); return }
            let now = DispatchTime.now().uptimeNanoseconds
            let limit = UInt64(deadline * 1e9)
            let late = (inFlight + pending).filter { !$0.isResolved && now - $0.arrived > limit }
            if !late.isEmpty { state.failure = "the log's fdatasync has taken over \(Int(deadline)) s" }
            lock.unlock()
            for waiter in late { waiter.resolve(.failed("the log's fdatasync took over \(Int(deadline)) s")) }
        }
    }
}

/// One delivery waiting for its group commit; answered exactly once.
final class Waiter: @unchecked Sendable {
    let line: [UInt8]
    let arrived = DispatchTime.now().uptimeNanoseconds
    private var answer: (@Sendable (GroupCommitLog.Outcome) -> Void)?
    private let lock = NSLock()

    init(line: [UInt8], answer: @escaping @Sendable (GroupCommitLog.Outcome) -> Void) {
        self.line = line
        self.answer = answer
    }

    var isResolved: Bool {
        lock.lock()
        defer { lock.unlock() }
        return answer == nil
    }

    func resolve(_ outcome: GroupCommitLog.Outcome) {
        lock.lock()
        let taken = answer
        answer = nil
        lock.unlock()
        taken?(outcome)
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
