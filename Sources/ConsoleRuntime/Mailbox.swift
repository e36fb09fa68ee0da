import ConsoleUI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where background work posts actions for the loop: a locked queue plus a self-pipe, so the
/// loop's `poll` wakes the moment something arrives. Background work never draws.
public final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [Action] = []
    private let pipeFDs: [Int32]

    public init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        pipeFDs = fds
    }

    deinit { pipeFDs.forEach { close($0) } }

    public var readFD: Int32 { pipeFDs[0] }

    /// Posts an action. Bursts merge: a `.dataChanged` already waiting takes in another (what
    /// both changed), and a newer follower snapshot replaces one not yet read.
    public func post(_ action: Action) {
        lock.lock()
        switch action {
        case .dataChanged(let change):
            if let i = queue.firstIndex(where: { if case .dataChanged = $0 { true } else { false } }),
               case .dataChanged(let waiting) = queue[i] {
                queue[i] = .dataChanged(waiting.merged(with: change))
                lock.unlock()
                return
            }
        case .followerChanged:
            if let i = queue.firstIndex(where: { if case .followerChanged = $0 { true } else { false } }) {
                queue[i] = action
                lock.unlock()
                return
            }
        default: break
        }
        queue.append(action)
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(pipeFDs[1], &byte, 1)
    }

    /// Everything posted so far.
    public func drain() -> [Action] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(pipeFDs[0], &buffer, buffer.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let actions = queue
        queue.removeAll()
        return actions
    }
}

/// A flag shared with background threads.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    public func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
