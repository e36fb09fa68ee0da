import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import CleoService

@Suite struct LoopInboxTests {
    /// The writer's answers of one group commit: held until the whole batch is resolved, then
    /// run on each connection's own loop, in the order they were posted.
    @Test func aGatheredBatchRunsOnItsLoopInOrderOnceTheBatchIsDone() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let directory = LoopInbox.Directory(group: group)
        let loops = Array(group.makeIterator())
        let ran = LockedBox([String]())
        let done = DispatchSemaphore(value: 0)
        LoopInbox.gathering {
            for i in 0..<6 {
                let loop = loops[i % 2]
                directory.inbox(for: loop)!.post {
                    #expect(loop.inEventLoop)
                    ran.set(ran.get() + ["\(i % 2):\(i)"])
                    done.signal()
                }
            }
            // Still gathering: nothing has reached a loop yet.
            usleep(50_000)
            #expect(ran.get().isEmpty)
        }
        for _ in 0..<6 { #expect(done.wait(timeout: .now() + 5) == .success) }
        #expect(ran.get().filter { $0.hasPrefix("0:") } == ["0:0", "0:2", "0:4"])
        #expect(ran.get().filter { $0.hasPrefix("1:") } == ["1:1", "1:3", "1:5"])
    }

    /// Posted from anywhere else (a refusal kept on its recorder's thread): run at once.
    @Test func aPostOutsideABatchRunsWithoutWaiting() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let inbox = LoopInbox.Directory(group: group).inbox(for: loop)!
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<3 { inbox.post { done.signal() } }
        for _ in 0..<3 { #expect(done.wait(timeout: .now() + 5) == .success) }
        // A loop of another group has no inbox here (the handler then executes directly).
        let other = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? other.syncShutdownGracefully() }
        #expect(LoopInbox.Directory(group: group).inbox(for: other.next()) == nil)
    }
}
