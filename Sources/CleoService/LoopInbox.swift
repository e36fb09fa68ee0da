import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Work handed back to one event loop from other threads (the log's writer answering a group
/// commit), run there in one task: a batch of 25 answers costs the loop one task and the writer
/// one `execute` per loop, instead of one of each per delivery. While the batch runs, the access
/// lines it makes are written to stderr together (a `write` per line was ~3% of serve's CPU).
final class LoopInbox: @unchecked Sendable {
    private let loop: any EventLoop
    private let lock = NSLock()
    private var waiting: [@Sendable () -> Void] = []
    /// A task is on the loop's queue, or held by `gathering` to be queued at its end.
    private var scheduled = false

    init(loop: any EventLoop) { self.loop = loop }

    /// Runs `work` on the loop: in this inbox's next batch.
    func post(_ work: @escaping @Sendable () -> Void) {
        let schedule: Bool = lock.withLock {
            waiting.append(work)
            if scheduled { return false }
            scheduled = true
            return true
        }
        guard schedule else { return }
        if let gathering = Self.thread.currentValue, gathering.active {
            gathering.inboxes.append(self)
        } else {
            loop.execute { self.runBatch() }
        }
    }

    /// Runs `body` (on the log's writer thread) holding back the inboxes it posts to; each is
    /// then queued on its loop once, with everything posted to it.
    static func gathering(_ body: () -> Void) {
        let state = thread.currentValue ?? {
            let made = ThreadState()
            thread.currentValue = made
            return made
        }()
        state.active = true
        body()
        state.active = false
        for inbox in state.inboxes { inbox.loop.execute { inbox.runBatch() } }
        state.inboxes.removeAll(keepingCapacity: true)
    }

    private func runBatch() {
        let batch: [@Sendable () -> Void] = lock.withLock {
            defer { waiting = [] }
            scheduled = false
            return waiting
        }
        AccessLog.collecting { for work in batch { work() } }
    }

    /// One inbox per loop of the group, found by the loop a connection runs on.
    final class Directory: Sendable {
        private let inboxes: [ObjectIdentifier: LoopInbox]
        init(group: any EventLoopGroup) {
            var inboxes: [ObjectIdentifier: LoopInbox] = [:]
            for loop in group.makeIterator() { inboxes[ObjectIdentifier(loop)] = LoopInbox(loop: loop) }
            self.inboxes = inboxes
        }
        /// The loop's inbox; nil for a loop not of the group (then the caller executes directly).
        func inbox(for loop: any EventLoop) -> LoopInbox? { inboxes[ObjectIdentifier(loop)] }
    }

    /// What this thread is gathering (the writer) or collecting (a loop running a batch).
    /// Touched only by the thread it belongs to.
    final class ThreadState: @unchecked Sendable {
        var active = false
        var inboxes: [LoopInbox] = []
        var accessLines: [UInt8] = []
        var collecting = false
        /// Where collected lines go: stderr (a test looks at them instead).
        var sink: ([UInt8]) -> Void = AccessLog.emit
    }

    static let thread = ThreadSpecificVariable<ThreadState>()
}

extension AccessLog {
    /// stderr may be a pipe (journald): a write of at most PIPE_BUF bytes is never interleaved
    /// with another thread's, so a batch goes out in whole lines of at most this many bytes.
    static let batchBytes = 4096

    /// Runs `body` with this thread's access lines held, then writes them in as few calls as
    /// whole lines allow.
    static func collecting(into sink: @escaping ([UInt8]) -> Void = emit, _ body: () -> Void) {
        let state = LoopInbox.thread.currentValue ?? {
            let made = LoopInbox.ThreadState()
            LoopInbox.thread.currentValue = made
            return made
        }()
        state.collecting = true
        state.sink = sink
        body()
        state.collecting = false
        if !state.accessLines.isEmpty { sink(state.accessLines) }
        state.accessLines.removeAll(keepingCapacity: true)
        state.sink = emit
    }

    /// Writes `line` (ending in LF) now, or into the batch being collected on this thread.
    static func send(_ line: [UInt8]) {
        if let state = LoopInbox.thread.currentValue, state.collecting {
            if state.accessLines.count + line.count > batchBytes {
                state.sink(state.accessLines)
                state.accessLines.removeAll(keepingCapacity: true)
            }
            state.accessLines.append(contentsOf: line)
            return
        }
        emit(line)
    }

    static func emit(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
