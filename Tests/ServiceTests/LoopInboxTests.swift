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
        // One record per loop: each loop runs its own work one after another.
        let ran = [LockedBox([Int]()), LockedBox([Int]())]
        let done = DispatchSemaphore(value: 0)
        LoopInbox.gathering {
            for i in 0..<6 {
                let loop = loops[i % 2]
                directory.inbox(for: loop)!.post {
                    #expect(loop.inEventLoop)
                    ran[i % 2].set(ran[i % 2].get() + [i])
                    done.signal()
                }
            }
            // Still gathering: nothing has reached a loop yet.
            usleep(50_000)
            #expect(ran.allSatisfy { $0.get().isEmpty })
        }
        for _ in 0..<6 { #expect(done.wait(timeout: .now() + 5) == .success) }
        #expect(ran[0].get() == [0, 2, 4])
        #expect(ran[1].get() == [1, 3, 5])
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

@Suite struct AccessLogBatchTests {
    /// stderr may be a pipe: each write is whole lines of at most PIPE_BUF bytes, so two loops'
    /// batches never interleave inside a line.
    @Test func aBatchIsWrittenInWholeLinesOfAtMostPipeBufBytes() {
        var writes: [[UInt8]] = []
        let lines = (0..<100).map { i in Array("line \(i) ".utf8) + [UInt8](repeating: 0x61, count: 90 + i % 7) + [0x0A] }
        AccessLog.collecting(into: { writes.append($0) }) {
            for line in lines { AccessLog.send(line) }
            #expect(writes.count >= 2, "past 4,096 bytes a batch is written before its end")
        }
        #expect(writes.allSatisfy { $0.count <= 4096 && $0.last == 0x0A })
        #expect(Array(writes.joined()) == Array(lines.joined()))
    }
}
