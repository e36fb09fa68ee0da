import CleoDomain
import CleoIngest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes the follower when the log's folder changes (inotify), with a slow poll as fallback
/// (a filesystem without inotify, or an event lost to a queue overflow).
public final class LogWatcher {
    private let inotifyFD: Int32
    private var watch: Int32 = -1
    private let directory: String
    /// The fallback poll interval when nothing wakes us.
    public var fallbackMilliseconds: Int32 = 1000

    public init(logPath: String) {
        directory = (logPath as NSString).deletingLastPathComponent
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        addWatch()
    }

    deinit { if inotifyFD >= 0 { close(inotifyFD) } }

    private func addWatch() {
        guard inotifyFD >= 0, watch < 0 else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        watch = inotify_add_watch(inotifyFD, directory.isEmpty ? "." : directory, mask)
    }

    /// The descriptor to poll alongside others (the console's loop); -1 without inotify.
    public var fileDescriptor: Int32 { inotifyFD }

    /// Blocks until the folder changes or `timeoutMilliseconds` pass (at most the fallback);
    /// returns true when woken by a change.
    @discardableResult
    public func wait(timeoutMilliseconds: Int32? = nil) -> Bool {
        addWatch()  // the folder may have appeared since
        let timeout = min(timeoutMilliseconds ?? fallbackMilliseconds, fallbackMilliseconds)
        guard inotifyFD >= 0, watch >= 0 else {
            usleep(useconds_t(timeout) * 1000)
            return false
        }
        var fds = pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)
        let ready = poll(&fds, 1, timeout)
        drain()
        return ready > 0
    }

    /// Empties the inotify queue (the events themselves do not matter: the follower looks).
    public func drain() {
        guard inotifyFD >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while read(inotifyFD, &buffer, buffer.count) > 0 {}
        // A deleted or moved folder ends the watch; re-add on the next wait.
        var info = stat()
        if stat(directory.isEmpty ? "." : directory, &info) != 0 { watch = -1 }
    }
}

extension LogFollower {
    /// Follows until `shouldStop` says so: catch up, then sleep until the folder changes.
    ///
    /// Commits are paced: within `commitInterval` of the last one the follower waits out the
    /// rest, so lines arriving faster share a commit, while a line after a quiet spell is
    /// committed at once. Each commit writes every page it dirtied to the WAL whole: one commit a
    /// line at 1,000 lines a second wrote 872 MB in 5 s; 20 ms pacing 204 MB, 100 ms 60 MB
    /// (README, "Page size and commit pacing"). The console keeps 20 ms for its live latency.
    ///
    /// A fault (a full disk, the database locked past its busy timeout, a log that is no file to
    /// read) never ends it: the status says what failed and when the next try is, tries back off
    /// from `retry.first` to `retry.most`, and the first success after a fault says so.
    public func follow(watcher: LogWatcher? = nil, commitInterval: Double = 0.02, retry: RetryPolicy = .init(),
                       shouldStop: () -> Bool,
                       onBatch: (BatchSummary) -> Void = { _ in }, onStatus: (FollowerSnapshot) -> Void = { _ in }) throws {
        let watcher = watcher ?? LogWatcher(logPath: path)
        var lastStatus: FollowerSnapshot?
        var lastCommit: UInt64?
        var failure: (message: String, since: Timestamp, delay: Double)?
        // What was noticed before this run (a gap stays worth showing): read once; from here on
        // the snapshot is what the follower itself sees and commits.
        if status.notices.isEmpty, let stored = try? writer.notices(path: path, limit: FollowerSnapshot.noticeLimit) {
            status.notices = stored
        }
        while !shouldStop() {
            if let lastCommit {
                let due = lastCommit + UInt64(commitInterval * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if now < due { usleep(useconds_t((due - now) / 1000)) }
            }
            var wait = 250.0
            do {
                if try catchUp(shouldStop: shouldStop, onBatch: onBatch).counts.linesApplied > 0 { lastCommit = DispatchTime.now().uptimeNanoseconds }
                if let cleared = failure {
                    status.recovered = "recovered at \(RFC3339.format(clock(), offsetSeconds: 0)) after: \(cleared.message) (since \(RFC3339.format(cleared.since, offsetSeconds: 0)))"
                    failure = nil
                }
            } catch let error as LogOpenError {
                // The path names something that is no log to read: wait for it to change.
                status.phase = .waitingForLog
                status.waitingFor = "\(error)"
            } catch {
                let delay = failure.map { min($0.delay * 2, retry.most) } ?? retry.first
                failure = (Self.describe(error), failure?.since ?? clock(), delay)
                status.phase = .failed("\(failure!.message); retrying in \(Self.seconds(delay))")
                wait = delay * 1000
            }
            if lastStatus != status {
                onStatus(status)
                lastStatus = status
                status.recovered = nil
            }
            if shouldStop() { break }
            guard failure != nil else {
                watcher.wait(timeoutMilliseconds: 250)
                continue
            }
            // Backing off: the log's changes do not shorten the wait; a stop request is seen
            // within 250 ms.
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(wait * 1e6)
            while !shouldStop() {
                let now = DispatchTime.now().uptimeNanoseconds
                guard now < deadline else { break }
                watcher.wait(timeoutMilliseconds: Int32(min(250, (deadline - now) / 1_000_000 + 1)))
            }
        }
    }

    /// An error as one line for the status (the database's own message when it has one).
    static func describe(_ error: Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int(value * 1000)) ms" : "\(Int(value.rounded())) s"
    }
}

/// How a failing follower backs off: from `first` seconds, doubling, to at most `most`.
public struct RetryPolicy: Sendable {
    public var first: Double
    public var most: Double
    public init(first: Double = 0.5, most: Double = 30) {
        self.first = first
        self.most = most
    }
}
