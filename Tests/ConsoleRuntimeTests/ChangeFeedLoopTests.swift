import CleoDomain
import CleoIngest
import ConsoleRuntime
import ConsoleUI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The one change feed, from the follower's thread to the screen (issue 9).
@Suite(.serialized) struct ChangeFeedLoopTests {
    @Test func aBurstOfChangesWaitingInTheMailboxIsOneChangeOfWhatEachChanged() {
        let mailbox = Mailbox()
        mailbox.post(.dataChanged(.ours(touched: [ByteKey("a")])))
        mailbox.post(.clockTicked(Timestamp(millisecondsSince1970: 1)))
        mailbox.post(.dataChanged(.ours(touched: [ByteKey("b")])))
        #expect(mailbox.drain() == [.dataChanged(.ours(touched: [ByteKey("a"), ByteKey("b")])), .clockTicked(Timestamp(millisecondsSince1970: 1))])
        mailbox.post(.dataChanged(.ours(touched: [ByteKey("a")])))
        mailbox.post(.dataChanged(.foreign))
        #expect(mailbox.drain() == [.dataChanged(.foreign)])
        // A newer snapshot of the follower replaces one not yet read.
        var first = FollowerSnapshot(path: "/log", phase: .following)
        first.waitingFor = nil
        let second = FollowerSnapshot(path: "/log", phase: .waitingForLog)
        mailbox.post(.followerChanged(first))
        mailbox.post(.followerChanged(second))
        #expect(mailbox.drain() == [.followerChanged(second)])
    }

    /// What the follower itself saw reaches the screen: a log path that names a FIFO is said as
    /// such (the console re-read the database for each status and said "waiting for the log").
    @Test func aLogPathThatIsAFIFOIsNamedOnTheEventsScreen() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try FileManager.default.removeItem(atPath: h.events)
        #expect(mkfifo(h.events, 0o600) == 0)
        h.start()
        h.terminal.waitFor("is a FIFO")
        h.terminal.press(.key(.character("3")))
        h.terminal.waitFor("○ waiting: the events log")
        #expect(h.stop())
    }
}
